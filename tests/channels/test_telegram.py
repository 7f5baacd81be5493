"""Telegram updates posted to /webhooks/telegram/webhook, replies sent to the Bot API."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable

import pytest
import requests

from tests.channels.conftest import SECRETS, Call, Channels
from tests.support.replies import identify

pytestmark = pytest.mark.slow

TOKEN = SECRETS["TELEGRAM_ACCESS_TOKEN"]


def registered_secret(channels: Channels) -> str:
    """The secret token the server gave Telegram with its webhook at start-up."""
    calls = channels.platforms.wait_for(lambda c: c.path == f"/telegram/bot{TOKEN}/setWebhook")
    return str(calls[-1].fields["secret_token"])


def update(chat_id: int, text: str) -> bytes:
    """An update as Telegram posts it for a private text message."""
    person = {"id": chat_id, "is_bot": False, "first_name": "Anna", "language_code": "it"}
    message = {
        "message_id": secrets.randbelow(10**6),
        "from": person,
        "chat": {"id": chat_id, "first_name": "Anna", "type": "private"},
        "date": int(time.time()),
        "text": text,
    }
    return json.dumps({"update_id": secrets.randbelow(10**9), "message": message}).encode()


def sent_to(chat_id: int) -> Callable[[Call], bool]:
    """Messages sent to the chat, with the bot's token (it is part of the API's path)."""

    def match(call: Call) -> bool:
        path = f"/telegram/bot{TOKEN}/sendMessage"
        return call.path == path and call.fields.get("chat_id") == str(chat_id)

    return match


def post(channels: Channels, body: bytes, secret: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return requests.post(channels.webhook("telegram"), data=body, headers=headers, timeout=60)


def test_webhook_is_registered_with_a_secret_and_a_refusal_does_not_stop_the_server(
    channels: Channels,
) -> None:
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", registered_secret(channels))
    calls = channels.platforms.matching(lambda c: c.path.endswith("/setWebhook"))
    assert [c.fields["url"] for c in calls] == [SECRETS["TELEGRAM_WEBHOOK_URL"]]
    # the fake Telegram refused setWebhook (as when offline): the server runs, and says so
    deadline = time.monotonic() + 10
    while "Telegram webhook not registered" not in channels.log.read_text():
        assert time.monotonic() < deadline, "the failed registration was not logged"
        time.sleep(0.2)
    log = channels.log.read_text()
    assert "Telegram webhook not registered (Unauthorized)" in log
    assert TOKEN not in log
    assert requests.get(f"{channels.rasa_url}/webhooks/telegram/", timeout=10).ok


def test_italian_message_gets_an_italian_reply_in_the_same_chat(channels: Channels) -> None:
    chat_id = secrets.randbelow(10**9)
    response = post(channels, update(chat_id, "ciao"), registered_secret(channels))
    assert response.status_code == 200, response.text

    (reply,) = channels.platforms.wait_for(sent_to(chat_id))
    assert identify(reply.fields["text"]) == ("utter_greet", "it")


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_update_without_the_secret_token_is_refused(channels: Channels, secret: str | None) -> None:
    chat_id = secrets.randbelow(10**9)
    response = post(channels, update(chat_id, "ciao"), secret)
    assert response.status_code == 403
    channels.platforms.assert_nothing_sent(sent_to(chat_id))


def test_a_how_to_question_gets_the_article_as_text_with_its_link(channels: Channels) -> None:
    """Text channels get the help-centre article as text (title, quote, link on its own
    line) and no `custom` payload, then "Did this answer your question?"."""
    chat_id = secrets.randbelow(10**9)
    question = "come faccio a registrare una riunione e dove finisce il file?"
    response = post(channels, update(chat_id, question), registered_secret(channels))
    assert response.status_code == 200, response.text

    deadline = time.monotonic() + 20
    sent = channels.platforms.wait_for(sent_to(chat_id))
    while len(sent) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        sent = channels.platforms.matching(sent_to(chat_id))
    article, asked = sent[0].fields, sent[1].fields
    assert identify(article["text"]) == ("utter_help_article", "it")
    assert article["text"].split("\n")[-1] == "https://help.example.com/it/registrare-una-riunione"
    assert "custom" not in json.dumps(article) and "reply_markup" not in article
    assert identify(asked["text"]) == ("utter_ask_article_helpful", "it")
