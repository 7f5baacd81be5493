"""Every channel's check holds on every spelling of its webhook's path and every
method: Sanic routes `/webhook/`, `/webhook?x`, `/%77ebhook` (and more) to the same
handler as `/webhook`, so a forged request tries them all and must get no reply."""

from __future__ import annotations

import http.client
import json
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

from tests.channels import test_facebook, test_slack, test_telegram, test_twilio
from tests.channels.conftest import (
    SECRETS,
    Call,
    Channels,
    facebook_headers,
    slack_headers,
    twilio_signature,
)

pytestmark = pytest.mark.slow

METHODS = ("POST", "GET", "HEAD", "PUT")


def path_variants(name: str) -> list[str]:
    """Spellings of /webhooks/<name>/webhook that may reach its handler."""
    base = f"/webhooks/{name}/webhook"
    encoded_name = f"%{ord(name[0]):02X}" + name[1:]
    return [
        base,
        base + "/",
        base + "?x=1",
        base + "/?x=1",
        base + "//",
        f"/webhooks/{name}//webhook",
        f"//webhooks/{name}/webhook",
        f"/webhooks/{name}/%77ebhook",
        f"/webhooks/{name}/webhook%2F",
        f"/webhooks/{encoded_name}/webhook",
        f"/webhooks/{name}/./webhook",
        f"/webhooks/{name}/x/../webhook",
    ]


def send(channels: Channels, method: str, path: str, body: bytes, headers: dict) -> int:
    """The status of one raw request (no client library normalises the path)."""
    url = urlsplit(channels.rasa_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


# --- one forged request per channel: (body, headers, "was anything sent to it?") ---

Forgery = tuple[bytes, dict[str, str], Callable[[Call], bool]]


def forged_telegram(secret: str | None = "wrong-secret") -> Forgery:
    chat_id = secrets.randbelow(10**9)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return test_telegram.update(chat_id, "ciao"), headers, test_telegram.sent_to(chat_id)


def forged_slack() -> Forgery:
    channel, user = test_slack.new_ids()
    body = test_slack.direct_message(channel, user, "bonjour")
    return body, slack_headers(body, "not-the-secret"), test_slack.posted_to(channel)


def forged_facebook() -> Forgery:
    sender = test_facebook.new_sender()
    body = test_facebook.page_message(sender, "hello")
    return body, facebook_headers(body, "not-the-secret"), test_facebook.messages_to(sender)


def forged_twilio(channels: Channels, path: str) -> Forgery:
    phone = test_twilio.new_phone()
    form = test_twilio.incoming(phone, SECRETS["TWILIO_NUMBER"], "ciao")
    signature = twilio_signature(channels.rasa_url + path, form, "0" * 32)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }
    return urlencode(form).encode(), headers, test_twilio.sent_to(phone)


def forged(channels: Channels, name: str, path: str) -> Forgery:
    if name == "telegram":
        return forged_telegram()
    if name == "slack":
        return forged_slack()
    if name == "facebook":
        return forged_facebook()
    return forged_twilio(channels, path)


@pytest.mark.parametrize("name", ["telegram", "slack", "facebook", "twilio"])
def test_a_forged_request_is_refused_on_every_path_and_method(
    channels: Channels, name: str
) -> None:
    accepted: list[str] = []
    answered: list[Callable[[Call], bool]] = []
    for path in path_variants(name):
        for method in METHODS:
            body, headers, sent = forged(channels, name, path)
            status = send(channels, method, path, body, headers)
            if status < 400:
                accepted.append(f"{method} {path} -> {status}")
            answered.append(sent)
    assert accepted == []
    channels.platforms.assert_nothing_sent(lambda call: any(sent(call) for sent in answered))


def test_the_telegram_secret_is_what_opens_the_handler_on_these_paths(
    channels: Channels,
) -> None:
    """The variants do reach the handler: with the secret they are answered."""
    secret = test_telegram.registered_secret(channels)
    for path in ("/webhooks/telegram/webhook/", "/webhooks/telegram/webhook?x=1"):
        body, headers, sent = forged_telegram(secret)
        assert send(channels, "POST", path, body, headers) == 200
        channels.platforms.wait_for(sent)


# --- REST: the token ---------------------------------------------------------------


def rest_events(channels: Channels, senders: list[str]) -> int:
    engine = sa.create_engine(f"sqlite:///{channels.workdir / 'tracker.db'}", future=True)
    ids = senders + [f"rest:{sender}" for sender in senders]
    try:
        with engine.connect() as connection:
            statement = sa.text("SELECT count(*) FROM events WHERE sender_id IN :ids")
            statement = statement.bindparams(sa.bindparam("ids", expanding=True))
            return int(connection.execute(statement, {"ids": ids}).scalar() or 0)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Bearer {SECRETS['REST_TOKEN']}x", SECRETS["REST_TOKEN"],
     f"Basic {SECRETS['REST_TOKEN']}", "Bearer "],
    ids=["none", "wrong", "longer", "no-scheme", "basic", "empty"],
)  # fmt: skip
def test_rest_without_the_token_gets_401_on_every_path_and_method(
    channels: Channels, authorization: str | None
) -> None:
    refused: list[str] = []
    senders: list[str] = []
    for path in path_variants("rest"):
        for method in METHODS:
            sender = f"probe-{secrets.token_hex(6)}"
            senders.append(sender)
            body = json.dumps({"sender": sender, "message": "hello"}).encode()
            headers = {"Content-Type": "application/json"}
            if authorization is not None:
                headers["Authorization"] = authorization
            status = send(channels, method, path, body, headers)
            if status < 400:
                refused.append(f"{method} {path} -> {status}")
    assert refused == []
    time.sleep(0.5)
    assert rest_events(channels, senders) == 0  # nothing was processed


def test_rest_with_the_token_is_answered_on_these_paths(channels: Channels) -> None:
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {SECRETS['REST_TOKEN']}",
    }
    for path in ("/webhooks/rest/webhook", "/webhooks/rest/webhook/"):
        body = json.dumps({"sender": f"ok-{secrets.token_hex(6)}", "message": "hello"})
        assert send(channels, "POST", path, body.encode(), headers) == 200
