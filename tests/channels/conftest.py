"""One real Rasa server with the four messaging channels on, and a fake of the four
platforms' APIs: a real local HTTP server that records what the bot sends."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from tests.support.servers import start_assistant
from tests.support.widget_client import WidgetClient

# The channel settings of the test server (bot/config/settings.py CHANNEL_VARIABLES).
SECRETS = {
    "TELEGRAM_ACCESS_TOKEN": f"{secrets.randbelow(10**9)}:{secrets.token_urlsafe(24)}",
    "TELEGRAM_BOT_NAME": "support_test_bot",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.test/webhooks/telegram/webhook",
    "SLACK_BOT_TOKEN": f"xoxb-{secrets.token_hex(12)}",
    "SLACK_SIGNING_SECRET": secrets.token_hex(16),
    "FACEBOOK_VERIFY_TOKEN": secrets.token_hex(8),
    "FACEBOOK_APP_SECRET": secrets.token_hex(16),
    "FACEBOOK_PAGE_ACCESS_TOKEN": f"EAAG{secrets.token_hex(20)}",
    "TWILIO_ACCOUNT_SID": f"AC{secrets.token_hex(16)}",
    "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
    "TWILIO_NUMBER": "+15550001111",
    "REST_TOKEN": secrets.token_urlsafe(32),
}
REPLY_TIMEOUT = 20.0  # seconds to wait for the bot's reply to reach the fake platform


@dataclass
class Call:
    """One request the bot made to a platform's API."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    fields: dict[str, Any]  # the JSON body, or the form fields


@dataclass
class FakePlatforms:
    """Telegram, Slack, Facebook and Twilio APIs under /telegram, /slack, /facebook and
    /twilio of one local server. Telegram refuses setWebhook, as it would offline."""

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def matching(self, predicate: Callable[[Call], bool]) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if predicate(call)]

    def wait_for(self, predicate: Callable[[Call], bool]) -> list[Call]:
        """The calls matching `predicate`, once there is one (fails after REPLY_TIMEOUT)."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        while time.monotonic() < deadline:
            found = self.matching(predicate)
            if found:
                time.sleep(0.3)  # a reply may come in several messages: let them arrive
                return self.matching(predicate)
            time.sleep(0.1)
        raise AssertionError(f"nothing sent to the platform in {REPLY_TIMEOUT:.0f} s")

    def assert_nothing_sent(self, predicate: Callable[[Call], bool]) -> None:
        time.sleep(0.5)  # what a refused request could have triggered would be here by now
        assert self.matching(predicate) == []


def platform_answer(path: str, fields: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """What the real API answers, in the fields the client libraries read."""
    if path.startswith("/telegram/"):
        method = path.rsplit("/", 1)[-1]
        if method == "getMe":
            bot = {"id": 1, "is_bot": True, "first_name": "Support"}
            return 200, {"ok": True, "result": {**bot, "username": SECRETS["TELEGRAM_BOT_NAME"]}}
        if method == "setWebhook":
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        chat = {"id": int(fields.get("chat_id", 0)), "type": "private"}
        message = {"message_id": 1, "date": int(time.time()), "chat": chat}
        return 200, {"ok": True, "result": {**message, "text": fields.get("text", "")}}
    if path.startswith("/slack/"):
        return 200, {"ok": True, "channel": fields.get("channel"), "ts": f"{time.time():.6f}"}
    if path.startswith("/facebook/"):
        recipient = fields.get("recipient", {}).get("id")
        return 200, {"recipient_id": recipient, "message_id": f"m_{secrets.token_hex(8)}"}
    if path.startswith("/twilio/"):
        sid = f"SM{secrets.token_hex(16)}"
        return 201, {"sid": sid, "status": "queued", "to": fields.get("To"), "body": ""}
    return 404, {}


def start_fake_platforms() -> tuple[FakePlatforms, ThreadingHTTPServer]:
    platforms = FakePlatforms()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Content-Type", "").startswith("application/json"):
                fields = json.loads(body or b"{}")
            else:
                fields = dict(parse_qsl(body.decode("utf-8")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            platforms.record(Call(url.path, dict(parse_qsl(url.query)), headers, fields))
            status, answer = platform_answer(url.path, fields)
            content = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    platforms.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return platforms, server


@dataclass
class Channels:
    """The running server (channels at rasa_url/webhooks/<name>/webhook) and platforms."""

    rasa_url: str
    platforms: FakePlatforms
    log: Path
    workdir: Path  # accounts.db (mail outbox) and tracker.db
    env: dict[str, str] = field(default_factory=dict)  # its settings, as Rasa got them

    def webhook(self, name: str) -> str:
        return f"{self.rasa_url}/webhooks/{name}/webhook"


@pytest.fixture(scope="session")
def channels(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Channels]:
    platforms, server = start_fake_platforms()
    workdir = tmp_path_factory.mktemp("channels")
    settings = {
        "DATABASE_URL": f"sqlite:///{workdir / 'accounts.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "LOCK_STORE_URL": "memory://",
        **SECRETS,
        **{f"{name}_API_URL": f"{platforms.url}/{name.lower()}"
           for name in ("TELEGRAM", "SLACK", "FACEBOOK", "TWILIO")},
    }  # fmt: skip
    settings["SLACK_API_URL"] += "/api/"
    try:
        for assistant in start_assistant(model_path, workdir, settings):
            log = workdir / "rasa.log"
            yield Channels(assistant.rasa_url, platforms, log, workdir, assistant.env)
    finally:
        server.shutdown()


# --- the platforms' request signatures -------------------------------------------


def slack_headers(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature: HMAC-SHA256 of `v0:<timestamp>:<body>`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }


def facebook_headers(body: bytes, secret: str, header: str = "X-Hub-Signature-256") -> dict:
    """Meta's signature: HMAC of the body with the app secret, as `<algorithm>=<hex>`."""
    algorithm = "sha256" if header.endswith("256") else "sha1"
    digest = hmac.new(secret.encode(), body, algorithm).hexdigest()
    return {"Content-Type": "application/json", header: f"{algorithm}={digest}"}


def twilio_signature(url: str, form: dict[str, str], auth_token: str) -> str:
    """Twilio's signature: base64 HMAC-SHA1 of the URL and the sorted `name+value`s."""
    signed = url + "".join(name + form[name] for name in sorted(form))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def post_json(url: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(url, data=body, headers=headers, timeout=60)


@pytest.fixture
def widgets(channels: Channels) -> Iterator[list[WidgetClient]]:
    """Socket.io widget clients a test opens (append them), closed after it."""
    opened: list[WidgetClient] = []
    yield opened
    for widget in opened:
        widget.close()
