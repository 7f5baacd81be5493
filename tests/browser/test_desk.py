"""The agent desk in a real browser, by keyboard (desk.test.mjs): the bugs of #25 an
agent meets in the first hour. The queue's refresh keeps the focus and announces only
new tickets; Send and Hand back are off until the claim; the display name is shown,
not the username; the transcript keeps line breaks; a note does not follow to the next
ticket; focus rings and field borders reach 3:1; axe-core finds nothing.
Screenshot in reports/browser/. Skipped with a printed reason when node, chromium or
web/node_modules are missing, unless REQUIRE_SERVICES=1."""

from __future__ import annotations

import secrets
import subprocess
import sys
import uuid

import pytest
import requests

from bot.desk.auth import CSRF_HEADER
from tests.browser.support import ROOT, missing_tools, run_driver
from tests.support.environment import require_service
from tests.support.replies import identify
from tests.support.servers import Assistant, Desk

pytestmark = pytest.mark.slow

DRIVER = ROOT / "tests" / "browser" / "desk.test.mjs"
SCREENSHOTS = ROOT / "reports" / "browser"
NAME = "Claire Dubois"  # the display name; the username is claire-<random>
LINES = ("hello there", "a question about my account")


@pytest.fixture(scope="module")
def claire(assistant: Assistant, desk: Desk) -> Desk:
    """An English-team agent whose display name is not her username."""
    username, password = f"claire-{uuid.uuid4().hex[:6]}", secrets.token_urlsafe(12)
    subprocess.run(
        [sys.executable, "-m", "bot", "create-agent", username, "--name", NAME,
         "--languages", "en", "--password-stdin"],
        input=password + "\n", text=True, env=assistant.env, cwd=ROOT, check=True,
    )  # fmt: skip
    return Desk(desk.url, username, password)


def open_ticket(assistant: Assistant, first_message: str = "hello") -> str:
    """A REST customer writes, then asks for a person twice (every question skipped):
    their sender id; the ticket is queued for the English team."""
    who = f"desk-browser-{uuid.uuid4().hex[:8]}"
    assistant.send(who, first_message)
    assistant.send(who, "i need to talk to a human")
    replies = assistant.send(who, "/talk_to_human")
    assert [identify(r["text"])[0] for r in replies] == ["utter_handoff_queued"]
    return who


def ticket_of(claire: Desk, sender: str) -> int:
    agent = requests.Session()
    agent.post(
        f"{claire.url}/login", data={"username": claire.agent, "password": claire.password},
        timeout=10,
    )  # fmt: skip
    agent.headers[CSRF_HEADER] = "1"
    for row in agent.get(f"{claire.url}/api/tickets", timeout=10).json()["tickets"]:
        shown = agent.get(f"{claire.url}/api/tickets/{row['id']}", timeout=10).json()
        mine = any(LINES[1] in line["text"] for line in shown["transcript"])
        if mine and row["status"] == "queued":
            return int(row["id"])
    raise AssertionError(f"no queued ticket for {sender}")


def test_an_agent_uses_the_desk_by_keyboard(assistant: Assistant, claire: Desk) -> None:
    problem = missing_tools()
    if problem:
        require_service("browser tests", problem)
    sender = open_ticket(assistant, "\n".join(LINES))
    ticket = ticket_of(claire, sender)

    def on_line(line: str) -> None:
        if line == "NEED_TICKET":  # a customer arrives while the agent's focus is in the queue
            open_ticket(assistant)

    status, output = run_driver(
        ["--desk", claire.url, "--agent", f"{claire.agent}:{claire.password}", "--name", NAME,
         "--ticket", str(ticket), "--lines", "|".join(LINES), "--out", str(SCREENSHOTS)],
        on_line, timeout=300, driver=DRIVER,
    )  # fmt: skip
    print(output)
    assert status == 0, output[-4000:]
