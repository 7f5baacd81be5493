"""The servers' edges, attacked from outside: the action server without its token,
Rasa's root and version pages, CORS and socket.io origins, the desk's query
parameters and its live view (a customer's metadata, one-time codes).
Real Rasa server, action server and desk (the `assistant` and `desk` fixtures)."""

from __future__ import annotations

import socket
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from bot.services.conversation_ids import namespaced
from tests.support.desk_client import queued_rest_ticket, signed_in
from tests.support.servers import Assistant, Desk

pytestmark = pytest.mark.slow

EVIL_ORIGIN = "http://attacker.example"


def _tickets(assistant: Assistant, conversation_id: str | None = None) -> int:
    engine = sa.create_engine(assistant.env["DATABASE_URL"], future=True)
    query = "SELECT count(*) FROM handoff_tickets"
    params = {}
    if conversation_id is not None:
        query += " WHERE conversation_id = :conversation"
        params["conversation"] = conversation_id
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(query), params).scalar_one())
    finally:
        engine.dispose()


def forged_handoff(sender: str) -> dict:
    """What the attacker POSTed: a tracker that makes action_handoff write a ticket."""
    now = time.time()
    return {
        "next_action": "action_handoff",
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {"language": "en", "handoff_topic": "general"},
            "latest_message": {"text": "refund me", "intent": {}, "entities": []},
            "latest_event_time": now,
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
            "events": [
                {"event": "user", "text": "I am the CEO: refund me now", "timestamp": now},
                {"event": "bot", "text": "Of course, refund approved", "timestamp": now},
            ],
        },
    }


def test_the_action_server_refuses_calls_without_the_token(assistant: Assistant) -> None:
    webhook = assistant.env["ACTION_ENDPOINT_URL"]
    base = webhook.rsplit("/", 1)[0]
    sender = f"forged-{uuid.uuid4().hex[:10]}"
    before = _tickets(assistant)
    for headers in ({}, {"Authorization": "Bearer " + "0" * 64}, {"Authorization": "guess"}):
        forged = requests.post(webhook, json=forged_handoff(sender), headers=headers, timeout=10)
        assert forged.status_code == 401, forged.text
        assert "refund" not in forged.text and "action_handoff" not in forged.text
        listing = requests.get(f"{base}/actions", headers=headers, timeout=10)
        assert listing.status_code == 401
    assert _tickets(assistant) == before
    assert _tickets(assistant, sender) == 0

    # /health stays open and says nothing more than that the server is up
    health = requests.get(f"{base}/health", timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    # the token Rasa sends does open it (Rasa's real calls are the other e2e tests)
    token = {"Authorization": f"Bearer {assistant.env['ACTION_SERVER_TOKEN']}"}
    listing = requests.get(f"{base}/actions", headers=token, timeout=10)
    assert listing.status_code == 200 and {"name": "action_handoff"} in listing.json()


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def test_every_server_listens_on_listen_host_only(assistant: Assistant, desk: Desk) -> None:
    """LISTEN_HOST=127.0.0.1: another address of this machine (127.0.0.2 reaches a
    server bound to 0.0.0.0) finds nothing; rasa_sdk alone bound 0.0.0.0."""
    ports = {
        "rasa": int(assistant.env["RASA_PORT"]),
        "actions": int(assistant.env["ACTION_PORT"]),
        "desk": int(desk.url.rsplit(":", 1)[1]),
    }
    for name, port in ports.items():
        assert _accepts("127.0.0.1", port), name
        assert not _accepts("127.0.0.2", port), f"{name} listens beyond LISTEN_HOST"


def test_the_action_token_is_in_no_command_line_and_no_log(
    assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> None:
    token = assistant.env["ACTION_SERVER_TOKEN"]
    assert requests.get(f"{assistant.rasa_url}/", timeout=10).status_code == 200
    assistant.send(f"rest-{uuid.uuid4().hex[:10]}", "hello")  # Rasa calls the action server
    command_lines = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            data = cmdline.read_bytes()
        except OSError:
            continue  # the process ended meanwhile
        command_lines += 1
        assert token.encode() not in data, cmdline
    assert command_lines > 0
    logs = list(tmp_path_factory.getbasetemp().rglob("*.log"))
    assert any(log.name == "actions.log" for log in logs)
    for log in logs:
        assert token not in log.read_text(errors="replace"), log


def test_rasa_does_not_tell_its_version(assistant: Assistant) -> None:
    root = requests.get(f"{assistant.rasa_url}/", timeout=10)
    assert root.status_code == 200 and root.text == "ok"
    version = requests.get(f"{assistant.rasa_url}/version", timeout=10)
    assert version.status_code == 404
    for response in (root, version):
        assert "3.6" not in response.text and "rasa" not in response.text.lower()


@pytest.mark.parametrize("platform", ["facebook", "telegram", "slack", "twilio"])
def test_a_platform_without_its_credentials_has_no_webhook(
    assistant: Assistant, platform: str
) -> None:
    """The default servers carry no platform credentials: a forged Messenger quick
    reply (or any platform's webhook) reaches nothing and stores no conversation."""
    quick_reply = {"text": "Talk to a person", "quick_reply": {"payload": "/talk_to_human"}}
    messaging = {"sender": {"id": "4242"}, "recipient": {"id": "1"}, "message": quick_reply}
    body = {"object": "page", "entry": [{"id": "1", "messaging": [messaging]}]}
    url = f"{assistant.rasa_url}/webhooks/{platform}/webhook"
    assert requests.post(url, json=body, timeout=10).status_code == 404
    assert requests.get(url, params={"hub.challenge": "1"}, timeout=10).status_code == 404
    engine = sa.create_engine(assistant.env["TRACKER_STORE_URL"], future=True)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                sa.text("SELECT count(*) FROM events WHERE sender_id = :s"),
                {"s": namespaced(platform, "4242")},
            ).scalar_one()
    finally:
        engine.dispose()
    assert stored == 0


def test_rasa_lets_only_the_configured_site_call_it_from_a_browser(
    assistant: Assistant,
) -> None:
    site = f"http://127.0.0.1:{assistant.env['SITE_PORT']}"
    url = f"{assistant.rasa_url}/webhooks/rest/webhook"
    preflight = {"Access-Control-Request-Method": "POST"}
    evil = requests.options(url, headers={"Origin": EVIL_ORIGIN, **preflight}, timeout=10)
    assert "Access-Control-Allow-Origin" not in evil.headers
    ours = requests.options(url, headers={"Origin": site, **preflight}, timeout=10)
    assert ours.headers.get("Access-Control-Allow-Origin") == site

    handshake = f"{assistant.rasa_url}/socket.io/?EIO=4&transport=polling"
    assert requests.get(handshake, headers={"Origin": EVIL_ORIGIN}, timeout=10).status_code == 400
    allowed = requests.get(handshake, headers={"Origin": site}, timeout=10)
    assert allowed.status_code == 200 and allowed.headers["Access-Control-Allow-Origin"] == site


def test_a_customer_cannot_write_as_an_agent_and_codes_are_masked(
    assistant: Assistant, desk: Desk
) -> None:
    who, queued, agent = queued_rest_ticket(assistant, desk)
    ticket = queued["id"]
    # the attack: REST metadata {"agent": "Alex"} showed as an agent's line
    assistant.send(who, "This is Alex from support: send me your password", agent="Alex")
    assistant.send(who, "my code is 482913")
    lines = agent.get(f"{desk.url}/api/tickets/{ticket}/messages", timeout=10).json()["messages"]
    forged = [line for line in lines if "Alex from support" in line["text"]]
    assert forged and all(line["role"] == "user" and not line["agent"] for line in forged)
    assert all(line["role"] != "agent" for line in lines)
    coded = [line for line in lines if line["text"].startswith("my code is")]
    assert coded and "482913" not in str(lines)
    assert coded[-1]["text"] == "my code is [one-time code]"


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("messages", {"since": "abc"}, "since"),
        ("messages", {"since": "nan"}, "since"),
        ("messages", {"since": "inf"}, "since"),
        ("messages", {"since": "-1"}, "since"),
        ("list", {"language": "de"}, "language"),
        ("list", {"language": "it' OR 1=1"}, "language"),
        ("list", {"topic": "x" * 300}, "topic"),
        ("list", {"status": "everything"}, "status"),
    ],
)
def test_the_desk_answers_bad_query_parameters_with_400(
    desk: Desk, path: str, query: dict[str, str], parameter: str
) -> None:
    agent = signed_in(desk)
    url = f"{desk.url}/api/tickets" + ("/1/messages" if path == "messages" else "")
    response = agent.get(url, params=query, timeout=10)
    assert response.status_code == 400
    assert parameter in response.json()["error"]


def test_the_desk_accepts_good_query_parameters(desk: Desk) -> None:
    agent = signed_in(desk)
    for query in ({}, {"language": "fr"}, {"topic": "cancellation"}, {"status": "closed"}):
        response = agent.get(f"{desk.url}/api/tickets", params=query, timeout=10)
        assert response.status_code == 200 and "tickets" in response.json()
