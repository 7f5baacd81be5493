"""An agent's side of the desk in end-to-end tests: sign in, and a queued REST ticket."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from bot.desk.auth import CSRF_HEADER
from tests.support.replies import identify
from tests.support.servers import Assistant, Desk


def signed_in(desk: Desk) -> requests.Session:
    agent = requests.Session()
    response = agent.post(
        f"{desk.url}/login", data={"username": desk.agent, "password": desk.password},
        allow_redirects=False, timeout=10,
    )  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == "/"
    agent.headers[CSRF_HEADER] = "1"
    return agent


def queued_rest_ticket(
    assistant: Assistant, desk: Desk
) -> tuple[str, dict[str, Any], requests.Session]:
    """A REST customer asks for a person twice (so every question is skipped): their
    sender, the newest English REST ticket as the desk lists it, and the agent's session."""
    who = f"rest-{uuid.uuid4().hex[:10]}"
    assistant.send(who, "i need to talk to a human")
    replies = assistant.send(who, "/talk_to_human")
    assert [identify(r["text"])[0] for r in replies] == ["utter_handoff_queued"]
    agent = signed_in(desk)
    tickets = agent.get(f"{desk.url}/api/tickets", params={"language": "en"}, timeout=10)
    ticket = [t for t in tickets.json()["tickets"] if t["channel"] == "rest"][-1]
    return who, ticket, agent
