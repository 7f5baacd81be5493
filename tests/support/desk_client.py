"""An agent's side of the desk in end-to-end tests: sign in, a queued REST ticket, and
the ticket the handoff form would write for a widget conversation."""

from __future__ import annotations

import secrets
import string
import subprocess
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.config.policy import load_policy
from bot.db.models import HandoffTicket
from bot.desk.auth import CSRF_HEADER
from bot.services.handoff.tickets import HandoffRequest, Verification, open_ticket
from bot.services.runtime import utcnow
from bot.services.topics import Topic
from tests.support.environment import ROOT
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


def marker(length: int = 10) -> str:
    """Letters only, for a summary to quote: digits could be masked as a code there."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(length))


def new_agent(
    env: Mapping[str, str], desk: Desk, prefix: str, name: str, languages: str,
    *, supervisor: bool = False,
) -> Desk:  # fmt: skip
    """Another agent (`create-agent`) on the running desk: a fresh username each call."""
    username, password = f"{prefix}-{uuid.uuid4().hex[:6]}", secrets.token_urlsafe(12)
    subprocess.run(
        [sys.executable, "-m", "bot", "create-agent", username, "--name", name,
         "--languages", languages, "--password-stdin",
         *(["--supervisor"] if supervisor else [])],
        input=password + "\n", text=True, env=dict(env), cwd=ROOT, check=True,
    )  # fmt: skip
    return Desk(desk.url, username, password)


def ticket_quoting(agent: requests.Session, desk: Desk, text: str, language: str) -> dict[str, Any]:
    """The open ticket of `language` whose summary quotes `text`, as the desk lists it."""
    answer = agent.get(f"{desk.url}/api/tickets", params={"language": language}, timeout=10)
    found = [t for t in answer.json()["tickets"] if text in t["summary"]]
    assert len(found) == 1, answer.text
    return dict(found[0])


def ticket_id(env: Mapping[str, str], conversation_id: str) -> int:
    """The id of the conversation's ticket, read from the servers' database."""
    engine = sa.create_engine(env["DATABASE_URL"], future=True)
    try:
        with Session(engine) as session:
            return session.scalars(
                sa.select(HandoffTicket.id).where(HandoffTicket.conversation_id == conversation_id)
            ).one()
    finally:
        engine.dispose()


def open_widget_ticket(
    env: Mapping[str, str],
    session_id: str,
    reason: str = "vorrei parlare con una persona",
    language: str = "it",
    first_name: str | None = None,
) -> None:
    """The ticket the handoff form would have written for this widget conversation, in
    the database of the servers started with `env` (the summary quotes `reason`;
    `first_name`: what a channel that knows the customer's name gives)."""
    engine = sa.create_engine(env["DATABASE_URL"], future=True)
    policy = load_policy(Path(env["POLICY_FILE"])) if env.get("POLICY_FILE") else None
    try:
        with Session(engine) as session:
            open_ticket(
                session,
                HandoffRequest(
                    conversation_id=session_id, channel="socketio", language=language,
                    topic=Topic.GENERAL, details={"reason": reason},
                    verification=Verification.SKIPPED, first_name=first_name,
                ),
                utcnow(),
                policy=policy,
            )  # fmt: skip
    finally:
        engine.dispose()
