"""Issue #22, second round at the edges, against the real servers: one Rasa server
with every channel on (tests/channels/conftest.py), its action server, the agent desk
and the support site.

- Message metadata is kept to what the assistant reads (the page language), bounded;
  a message over the length limit gets a clear reply in the page's language and
  nothing huge is stored (REST and socket.io, read back from the tracker store).
- No process tells its software or version: `/version/`, 401 bodies, `Server` headers.
- A malformed JWT (`alg: none` among them) is a 401, never a 500.
- Slack and Twilio requests replayed within their signature window are processed once.
- Messenger needs `X-Hub-Signature-256`; Telegram's `set_webhook` needs the secret.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rasa
import requests
import socketio

from tests.channels import conftest as channel_servers
from tests.channels import test_facebook, test_slack, test_telegram, test_twilio
from tests.channels.conftest import (
    REPLY_TIMEOUT,
    SECRETS,
    Channels,
    facebook_headers,
    post_json,
    slack_headers,
    twilio_signature,
)
from tests.support.environment import ROOT
from tests.support.servers import free_port, stop, wait_for
from tests.support.widget_client import WidgetClient as Widget

pytestmark = pytest.mark.slow
channels = channel_servers.channels  # the fixture: one Rasa server with every channel on

REST_AUTH = {"Authorization": f"Bearer {SECRETS['REST_TOKEN']}"}
LIMIT = 5000  # characters of a message (the widget's box holds as many)
# what a conversation's stored events may weigh after one hostile turn (a normal
# turn's events are a few kilobytes)
STORED_BYTES = 60_000
TOO_LONG_WORDS = {"it": "troppo lungo", "fr": "trop long", "en": "too long"}


def stored_bytes(channels: Channels, sender_id: str) -> int:
    """The size of every event stored for the conversation (tracker store, SQLite)."""
    with sqlite3.connect(channels.workdir / "tracker.db") as db:
        (size,) = db.execute(
            "SELECT COALESCE(SUM(LENGTH(data)), 0) FROM events WHERE sender_id = ?", (sender_id,)
        ).fetchone()
    return int(size)


def user_events(channels: Channels, marker: str) -> int:
    """How many user messages holding `marker` the tracker store has."""
    with sqlite3.connect(channels.workdir / "tracker.db") as db:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM events WHERE type_name = 'user' AND data LIKE ?",
            (f"%{marker}%",),
        ).fetchone()
    return int(count)


def rest(channels: Channels, body: dict) -> requests.Response:
    return requests.post(channels.webhook("rest"), json=body, headers=REST_AUTH, timeout=120)


# --- message size: metadata and text -------------------------------------------------


def test_huge_metadata_over_rest_is_not_stored_and_the_page_language_still_counts(
    channels: Channels,
) -> None:
    sender = f"meta-{secrets.token_hex(4)}"
    junk = {"language": "fr", "blob": "x" * 150_000, "nested": {"deep": ["y" * 1000] * 50}}
    response = rest(channels, {"sender": sender, "message": "hi", "metadata": junk})
    assert response.status_code == 200, response.text
    assert any("Bonjour" in m.get("text", "") for m in response.json()), response.text
    assert stored_bytes(channels, f"rest:{sender}") < STORED_BYTES


def test_a_two_megabyte_rest_body_is_refused_and_nothing_is_stored(channels: Channels) -> None:
    sender = f"meta2mb-{secrets.token_hex(4)}"
    body = {"sender": sender, "message": "hi", "metadata": {"blob": "x" * 2_000_000}}
    response = rest(channels, body)
    assert response.status_code == 413
    assert stored_bytes(channels, f"rest:{sender}") == 0


def test_too_long_rest_text_gets_a_clear_reply_in_the_page_language(channels: Channels) -> None:
    for language, page in (("it", "it-IT"), ("fr", "fr"), ("en", "en")):
        sender = f"long-{language}-{secrets.token_hex(4)}"
        text = ("ciao " * 2000) + secrets.token_hex(4)
        body = {"sender": sender, "message": text, "metadata": {"language": page}}
        response = rest(channels, body)
        assert response.status_code == 200, response.text
        (reply,) = [m["text"] for m in response.json()]
        assert TOO_LONG_WORDS[language] in reply.lower() and str(LIMIT) in reply, reply
        assert stored_bytes(channels, f"rest:{sender}") < STORED_BYTES


def test_a_message_of_exactly_the_limit_is_answered_as_usual(channels: Channels) -> None:
    sender = f"limit-{secrets.token_hex(4)}"
    text = ("hello " + "a" * LIMIT)[:LIMIT]
    response = rest(channels, {"sender": sender, "message": text})
    assert response.status_code == 200, response.text
    replies = " ".join(m.get("text", "") for m in response.json())
    assert replies and "too long" not in replies


@pytest.fixture
def widget(channels: Channels) -> Iterator[Widget]:
    opened = Widget(channels.rasa_url)
    yield opened
    opened.close()


def test_too_long_widget_text_gets_a_clear_reply_in_the_page_language(
    channels: Channels, widget: Widget
) -> None:
    text = "bonjour " * 1000
    widget.client.emit("user_uttered", {"message": text, "metadata": {"language": "fr"}})
    reply = widget.received.get(timeout=REPLY_TIMEOUT)["text"]
    assert TOO_LONG_WORDS["fr"] in reply.lower() and str(LIMIT) in reply, reply
    assert stored_bytes(channels, widget.session_id) < STORED_BYTES


def test_huge_widget_metadata_is_not_stored(channels: Channels, widget: Widget) -> None:
    metadata = {"language": "it", "blob": "x" * 150_000}
    widget.client.emit("user_uttered", {"message": "ciao", "metadata": metadata})
    reply = widget.received.get(timeout=REPLY_TIMEOUT)["text"]
    assert reply
    assert stored_bytes(channels, widget.session_id) < STORED_BYTES


def test_a_widget_packet_of_most_of_a_megabyte_stores_nothing_huge(
    channels: Channels, widget: Widget
) -> None:
    metadata = {"language": "en", "blob": "x" * 900_000}
    # the server may close the connection: that is a refusal too
    with contextlib.suppress(socketio.exceptions.SocketIOError):
        widget.client.emit("user_uttered", {"message": "hello", "metadata": metadata})
    time.sleep(3)
    assert stored_bytes(channels, widget.session_id) < STORED_BYTES


# --- no process tells its software or version --------------------------------------


def test_version_is_not_found_however_spelled(channels: Channels) -> None:
    for path in ("/version", "/version/", "/version?x=1", "//version"):
        response = requests.get(channels.rasa_url + path, timeout=30)
        assert rasa.__version__ not in response.text, path
        assert response.status_code == 404, path


def test_401_bodies_do_not_carry_the_version(channels: Channels) -> None:
    for path in ("/status", "/conversations/x/tracker", "/domain"):
        response = requests.get(channels.rasa_url + path, timeout=30)
        assert response.status_code == 401, path
        assert rasa.__version__ not in response.text, response.text
        assert "version" not in response.text, response.text


def malformed_tokens() -> list[str]:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    admin = {"user": {"username": "x", "role": "admin"}}
    return [
        f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(admin)}.",
        f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(admin)}.c2ln",
        f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(admin)}.c2ln",
        f"{part({'typ': 'JWT'})}.{part(admin)}.c2ln",
        "not-a-token",
        "a.b.c",
        "....",
    ]


@pytest.mark.parametrize("token", malformed_tokens())
def test_a_malformed_jwt_is_a_401(channels: Channels, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    response = requests.get(f"{channels.rasa_url}/status", headers=headers, timeout=30)
    assert response.status_code == 401, response.text
    assert rasa.__version__ not in response.text


def start(module: list[str], env: dict[str, str], port: int, log: Path, path: str) -> object:
    process = subprocess.Popen(
        [sys.executable, "-m", *module],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for(f"http://127.0.0.1:{port}{path}", process, log)
    return process


@pytest.fixture(scope="module")
def every_process(channels: Channels, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """name -> base URL: Rasa, the action server, and a desk and site started here."""
    workdir = tmp_path_factory.mktemp("round2-edges")
    desk_port, site_port = free_port(), free_port()
    env = {**channels.env, "DESK_PORT": str(desk_port), "SITE_PORT": str(site_port)}
    processes = []
    try:
        desk = start(["bot", "serve", "desk"], env, desk_port, workdir / "desk.log", "/health")
        processes.append(desk)
        processes.append(start(["bot.site"], env, site_port, workdir / "site.log", "/"))
        yield {
            "rasa": channels.rasa_url,
            "actions": f"http://127.0.0.1:{channels.env['ACTION_PORT']}",
            "desk": f"http://127.0.0.1:{desk_port}",
            "site": f"http://127.0.0.1:{site_port}",
        }
    finally:
        stop(processes)  # type: ignore[arg-type]


SOFTWARE = ("aiohttp", "Python/", "Sanic", rasa.__version__)


def test_no_process_names_its_software_in_a_server_header(every_process: dict) -> None:
    for name, url in every_process.items():
        for path in ("/", "/health", "/no-such-page", "/version"):
            response = requests.get(url + path, timeout=30)
            assert "Server" not in response.headers, (name, path, response.headers["Server"])
            for leak in SOFTWARE:
                assert leak not in response.text, (name, path, leak)


def test_a_request_no_server_can_parse_names_no_software_either(every_process: dict) -> None:
    for name, url in every_process.items():
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as connection:
            connection.sendall(b"GARBAGE / HTTP/1.1\r\n\r\n")
            raw = connection.recv(65536).decode("latin-1")
        assert raw.startswith("HTTP/1."), (name, raw)
        for leak in SOFTWARE:
            assert leak not in raw, (name, leak, raw)


# --- replays ----------------------------------------------------------------------


def wait_until_stored(channels: Channels, marker: str) -> None:
    deadline = time.monotonic() + REPLY_TIMEOUT
    while user_events(channels, marker) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)


def test_a_replayed_slack_request_is_processed_once(channels: Channels) -> None:
    marker = f"hello zq{secrets.token_hex(4)}"
    channel, user = test_slack.new_ids()
    body = test_slack.direct_message(channel, user, marker)
    headers = slack_headers(body, SECRETS["SLACK_SIGNING_SECRET"])
    for _ in range(3):
        response = post_json(channels.webhook("slack"), body, headers)
        assert response.status_code == 200, response.text
    wait_until_stored(channels, marker)
    time.sleep(2)  # a second processing would be stored by now
    assert user_events(channels, marker) == 1
    assert len(channels.platforms.matching(test_slack.posted_to(channel))) == 1


def test_a_replayed_twilio_request_is_processed_once(channels: Channels) -> None:
    marker = f"hello zq{secrets.token_hex(4)}"
    phone = test_twilio.new_phone()
    form = test_twilio.incoming(phone, SECRETS["TWILIO_NUMBER"], marker)
    url = channels.webhook("twilio")
    headers = {"X-Twilio-Signature": twilio_signature(url, form, SECRETS["TWILIO_AUTH_TOKEN"])}
    for _ in range(3):
        response = requests.post(url, data=form, headers=headers, timeout=60)
        assert response.status_code < 300, response.text
    wait_until_stored(channels, marker)
    time.sleep(2)
    assert user_events(channels, marker) == 1
    assert len(channels.platforms.matching(test_twilio.sent_to(phone))) == 1


# --- Messenger and Telegram ---------------------------------------------------------


def test_messenger_refuses_a_sha1_signature_alone(channels: Channels) -> None:
    sender = test_facebook.new_sender()
    body = test_facebook.page_message(sender, "hello")
    headers = facebook_headers(body, SECRETS["FACEBOOK_APP_SECRET"], "X-Hub-Signature")
    response = post_json(channels.webhook("facebook"), body, headers)
    assert response.status_code == 403
    channels.platforms.assert_nothing_sent(test_facebook.messages_to(sender))


def test_telegram_set_webhook_needs_the_secret(channels: Channels) -> None:
    setwebhook = f"/telegram/bot{SECRETS['TELEGRAM_ACCESS_TOKEN']}/setWebhook"
    before = len(channels.platforms.matching(lambda c: c.path == setwebhook))
    base = f"{channels.rasa_url}/webhooks/telegram"
    attempts = (("GET", "/set_webhook"), ("POST", "/set_webhook"), ("GET", "/set_webhook/"))
    for method, path in attempts:
        response = requests.request(method, base + path, timeout=30)
        assert response.status_code == 403, (method, path, response.text)
    time.sleep(0.5)
    assert len(channels.platforms.matching(lambda c: c.path == setwebhook)) == before
    # the secret still opens it (an operator retrying a failed registration)
    secret = test_telegram.registered_secret(channels)
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    response = requests.get(base + "/set_webhook", headers=headers, timeout=30)
    assert response.status_code in (200, 502), response.text  # the fake Telegram refuses it
