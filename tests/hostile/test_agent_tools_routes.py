"""The agent-tool routes of the desk (#25) as an attacker tries them, on the running
desk: no session, no CSRF header, a plain agent on supervisor routes, another
language team's ticket or reply, ids no row can have, and bodies of the wrong shape.
Each answer is a clear JSON error and changes nothing."""

from __future__ import annotations

import uuid

import pytest
import requests

from bot.desk.auth import CSRF_HEADER
from tests.support.desk_client import (
    marker,
    new_agent,
    open_widget_ticket,
    signed_in,
    ticket_quoting,
)
from tests.support.servers import Assistant, Desk

pytestmark = pytest.mark.slow

HUGE = "99999999999999999999"  # more than any database integer
POSTS = (
    "/api/me/status",
    "/api/tickets/{ticket}/notes",
    "/api/tickets/{ticket}/transfer",
    "/api/canned",
    "/api/canned/{reply}",
    "/api/canned/{reply}/delete",
)
GETS = ("/api/tickets/{ticket}/canned", "/api/tickets/{ticket}/transfer", "/api/canned")


@pytest.fixture(scope="module")
def italian_ticket(assistant: Assistant, desk: Desk) -> int:
    reason = f"hostile {marker()}"
    open_widget_ticket(assistant.env, f"hostile-{uuid.uuid4().hex}", reason, "it")
    return int(ticket_quoting(signed_in(desk), desk, reason, "it")["id"])


@pytest.fixture(scope="module")
def italian_reply(desk: Desk, supervisor: Desk) -> int:
    boss = signed_in(supervisor)
    made = boss.post(
        f"{desk.url}/api/canned",
        json={"language": "it", "title": f"Hostile {uuid.uuid4().hex[:6]}", "text": "Ciao"},
        timeout=30,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def paths(templates: tuple[str, ...], ticket: int | str, reply: int | str) -> list[str]:
    return [t.format(ticket=ticket, reply=reply) for t in templates]


def test_no_session_no_tool(desk: Desk, italian_ticket: int, italian_reply: int) -> None:
    for path in paths(POSTS, italian_ticket, italian_reply):
        answer = requests.post(desk.url + path, json={}, headers={CSRF_HEADER: "1"}, timeout=30)
        assert answer.status_code == 401 and answer.json() == {"error": "sign in first"}, path
    for path in paths(GETS, italian_ticket, italian_reply):
        assert requests.get(desk.url + path, timeout=30).status_code == 401, path


def test_a_post_without_the_csrf_header_is_refused(
    desk: Desk, supervisor: Desk, italian_ticket: int, italian_reply: int
) -> None:
    boss = signed_in(supervisor)
    del boss.headers[CSRF_HEADER]
    for path in paths(POSTS, italian_ticket, italian_reply):
        answer = boss.post(
            desk.url + path, json={"status": "away", "text": "x", "to": None}, timeout=30
        )
        assert answer.status_code == 403, path
    me = signed_in(supervisor).get(f"{desk.url}/api/me", timeout=30).json()
    assert me["status"] == "available"
    replies = signed_in(supervisor).get(f"{desk.url}/api/canned", timeout=30).json()["replies"]
    assert italian_reply in [r["id"] for r in replies]  # not deleted


def test_plain_agents_cannot_write_canned_replies(desk: Desk, italian_reply: int) -> None:
    agent = signed_in(desk)  # marie: all three teams, not a supervisor
    body = {"language": "it", "title": "Mine now", "text": "Pay at evil.example"}
    for path in paths(POSTS[3:], 0, italian_reply):
        answer = agent.post(desk.url + path, json=body, timeout=30)
        assert answer.status_code == 403 and answer.json() == {"error": "supervisors only"}
    texts = str(agent.get(f"{desk.url}/api/canned", timeout=30).json())
    assert "evil.example" not in texts and str(italian_reply) in texts


def test_another_team_cannot_reach_the_ticket_or_its_notes(
    assistant: Assistant, desk: Desk, italian_ticket: int
) -> None:
    colleague = signed_in(desk)
    secret = f"NOTE-{marker()}"
    assert colleague.post(
        f"{desk.url}/api/tickets/{italian_ticket}/notes", json={"text": secret}, timeout=30
    ).ok
    english = signed_in(new_agent(assistant.env, desk, "eve", "Eve", "en"))
    for method, path in (
        ("GET", f"/api/tickets/{italian_ticket}"),
        ("POST", f"/api/tickets/{italian_ticket}/notes"),
        ("GET", f"/api/tickets/{italian_ticket}/canned"),
        ("GET", f"/api/tickets/{italian_ticket}/transfer"),
        ("POST", f"/api/tickets/{italian_ticket}/transfer"),
    ):
        answer = english.request(
            method, desk.url + path, json={"text": "x", "to": None}, timeout=30
        )
        assert answer.status_code == 404 and answer.json() == {"error": "no such ticket"}, path
        assert secret not in answer.text
    notes = colleague.get(f"{desk.url}/api/tickets/{italian_ticket}", timeout=30).json()["notes"]
    assert [n["text"] for n in notes] == [secret]  # the refused note was not added


def test_a_supervisor_changes_only_their_teams_replies(
    assistant: Assistant, desk: Desk, italian_reply: int
) -> None:
    french_boss = signed_in(new_agent(assistant.env, desk, "lea", "Léa", "fr", supervisor=True))
    for path in (f"/api/canned/{italian_reply}", f"/api/canned/{italian_reply}/delete"):
        answer = french_boss.post(desk.url + path, json={"title": "x", "text": "y"}, timeout=30)
        assert answer.status_code == 404 and answer.json() == {"error": "no such canned reply"}
    wrong_team = french_boss.post(
        f"{desk.url}/api/canned", json={"language": "it", "title": "x", "text": "y"}, timeout=30
    )
    assert wrong_team.status_code == 400 and "language" in wrong_team.json()["error"]
    assert str(italian_reply) not in str(
        french_boss.get(f"{desk.url}/api/canned", timeout=30).json()
    )


def test_only_the_holder_transfers_and_only_to_a_real_colleague(
    desk: Desk, supervisor: Desk, italian_ticket: int
) -> None:
    holder, other = signed_in(desk), signed_in(supervisor)
    url = f"{desk.url}/api/tickets/{italian_ticket}"
    assert holder.post(f"{url}/claim", timeout=30).ok
    stolen = other.post(f"{url}/transfer", json={"to": supervisor.agent}, timeout=30)
    assert stolen.status_code == 409 and "claim the ticket" in stolen.json()["error"]
    for to in ("nobody-here", "x" * 5000):
        answer = holder.post(f"{url}/transfer", json={"to": to}, timeout=30)
        assert answer.status_code == 409 and "not an available agent" in answer.json()["error"]
    for body in ({"to": 7}, {"to": ""}, {"to": ["sofia"]}, {"to": {"$ne": 1}}):
        answer = holder.post(f"{url}/transfer", json=body, timeout=30)
        assert answer.status_code == 400 and "to:" in answer.json()["error"], body
    assert holder.get(url, timeout=30).json()["assigned_to"] == desk.agent


@pytest.mark.parametrize("body", [{"status": "busy"}, {"status": ["away"]}, {}, {"status": None}])
def test_a_status_that_does_not_exist_is_refused(desk: Desk, body: dict) -> None:
    agent = signed_in(desk)
    answer = agent.post(f"{desk.url}/api/me/status", json=body, timeout=30)
    assert answer.status_code == 400 and answer.json() == {"error": "status: use available or away"}
    assert agent.get(f"{desk.url}/api/me", timeout=30).json()["status"] == "available"


def test_bad_bodies_and_ids_get_clear_json_errors(
    desk: Desk, supervisor: Desk, italian_ticket: int
) -> None:
    boss = signed_in(supervisor)
    note = boss.post(
        f"{desk.url}/api/tickets/{italian_ticket}/notes", json={"text": ["x"]}, timeout=30
    )
    assert note.status_code == 400 and "1-2000 characters" in note.json()["error"]
    not_json = boss.post(f"{desk.url}/api/canned", data="{{{", timeout=30)
    assert not_json.status_code == 400 and "language" in not_json.json()["error"]
    junk = boss.post(
        f"{desk.url}/api/canned", json={"language": "it", "title": 5, "text": None}, timeout=30
    )
    assert junk.status_code == 400 and "title" in junk.json()["error"]
    for path in (f"/api/canned/{HUGE}", f"/api/canned/{HUGE}/delete", "/api/canned/-1"):
        answer = boss.post(desk.url + path, json={"title": "x", "text": "y"}, timeout=30)
        assert answer.status_code == 404 and answer.json() == {"error": "no such canned reply"}
    for method, path in (
        ("POST", f"/api/tickets/{HUGE}/notes"),
        ("GET", f"/api/tickets/{HUGE}/canned"),
        ("GET", f"/api/tickets/{HUGE}/transfer"),
        ("POST", f"/api/tickets/{HUGE}/transfer"),
    ):
        answer = boss.request(method, desk.url + path, json={"text": "x"}, timeout=30)
        assert answer.status_code == 404 and answer.json() == {"error": "no such ticket"}, path


def test_tool_answers_are_never_cached(desk: Desk, italian_ticket: int) -> None:
    agent = signed_in(desk)
    for path in paths(GETS, italian_ticket, 0):
        answer = agent.get(desk.url + path, timeout=30)
        assert answer.ok and answer.headers.get("Cache-Control") == "no-store", path
