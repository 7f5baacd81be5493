"""The desk's agent tools in a real browser (agent_tools.test.mjs, two contexts): a
supervisor's canned reply with {first_name} and {agent_name} filled in for the ticket
and inserted, not sent; an internal note that never reaches the widget; a transfer the
customer's widget announces; an away agent not offered a new ticket; axe-core on the
desk. Screenshots in reports/browser/. Skipped with a printed reason when node,
chromium or web/node_modules are missing, unless REQUIRE_SERVICES=1."""

from __future__ import annotations

import secrets
import string
import uuid

import pytest

from tests.browser.support import (
    ROOT,
    TICKET_WAIT,
    agent_wait_request,
    build_widget,
    missing_tools,
    run_driver,
)
from tests.support.desk_client import new_agent, open_widget_ticket
from tests.support.environment import require_service
from tests.support.servers import Assistant, Desk, run_site

pytestmark = pytest.mark.slow

DRIVER = ROOT / "tests" / "browser" / "agent_tools.test.mjs"
SCREENSHOTS = ROOT / "reports" / "browser"
NEED_TICKET = "NEED_TICKET "


def test_canned_reply_note_transfer_and_away_in_the_browser(
    assistant: Assistant, desk: Desk, tmp_path_factory: pytest.TempPathFactory
) -> None:
    problem = missing_tools()
    if problem:
        require_service("browser tests", problem)
    build_widget()
    env = assistant.env
    boss = new_agent(env, desk, "bea", "Bea", "it", supervisor=True)
    nina = new_agent(env, desk, "nina", "Nina Rossi", "it")
    paolo = new_agent(env, desk, "paolo", "Paolo", "it")
    marker = "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))
    problems: list[str] = []

    def on_line(line: str) -> None:
        try:
            customer = agent_wait_request(line, TICKET_WAIT)
            if customer is not None:
                reason = f"vorrei parlare con una persona ({customer['marker']})"
                open_widget_ticket(env, customer["session_id"], reason, "it", first_name="Giulia")
            another = agent_wait_request(line, NEED_TICKET)
            if another is not None:
                reason = f"un altro cliente ({another['marker']})"
                open_widget_ticket(env, f"socketio:browser-{uuid.uuid4().hex}", reason, "it")
        except Exception as error:  # reported below: the driver then times out waiting
            problems.append(repr(error))

    workdir = tmp_path_factory.mktemp("agent-tools-site")
    for site in run_site(env, workdir, int(env["RASA_PORT"])):
        status, output = run_driver(
            ["--site", site, "--desk", desk.url,
             "--boss", f"{boss.agent}:{boss.password}",
             "--agent", f"{nina.agent}:{nina.password}",
             "--colleague", f"{paolo.agent}:{paolo.password}",
             "--agent-name", "Nina Rossi", "--colleague-name", "Paolo",
             "--marker", marker, "--out", str(SCREENSHOTS)],
            on_line, timeout=600, driver=DRIVER,
        )  # fmt: skip
        print(output)
        assert not problems, problems
        assert status == 0, f"the browser run failed:\n{output[-4000:]}"
        assert "all agent tool checks passed" in output
