"""Messenger webhooks posted to /webhooks/facebook/webhook, replies to the Send API."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable

import pytest
import requests

from tests.channels.conftest import SECRETS, Call, Channels, facebook_headers, post_json
from tests.support.replies import identify

pytestmark = pytest.mark.slow

APP_SECRET = SECRETS["FACEBOOK_APP_SECRET"]
PAGE_ID = "106000000000001"


def page_message(sender: str, text: str) -> bytes:
    """A `page` webhook as Meta posts it for a text message to the page."""
    messaging = {
        "sender": {"id": sender},
        "recipient": {"id": PAGE_ID},
        "timestamp": int(time.time() * 1000),
        "message": {"mid": f"m_{secrets.token_urlsafe(16)}", "text": text},
    }
    entry = {"id": PAGE_ID, "time": int(time.time() * 1000), "messaging": [messaging]}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def new_sender() -> str:
    return str(secrets.randbelow(10**16))


def messages_to(sender: str) -> Callable[[Call], bool]:
    """Messages (not typing indicators) sent to `sender` with the page's token."""

    def match(call: Call) -> bool:
        return (
            call.path.startswith("/facebook/")
            and call.path.endswith("/me/messages")
            and call.fields.get("recipient", {}).get("id") == sender
            and "message" in call.fields
        )

    return match


def verify(channels: Channels, token: str) -> requests.Response:
    query = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"}
    return requests.get(channels.webhook("facebook"), params=query, timeout=30)


def test_subscription_check_echoes_the_challenge(channels: Channels) -> None:
    response = verify(channels, SECRETS["FACEBOOK_VERIFY_TOKEN"])
    assert response.status_code == 200
    assert response.text == "1158201444"


def test_subscription_check_with_a_wrong_token_is_refused(channels: Channels) -> None:
    response = verify(channels, "not-the-token")
    assert response.status_code == 403
    assert "1158201444" not in response.text


def test_message_gets_an_english_reply_to_the_sender(channels: Channels) -> None:
    sender = new_sender()
    body = page_message(sender, "hello")
    headers = facebook_headers(body, APP_SECRET)
    response = post_json(channels.webhook("facebook"), body, headers)
    assert response.status_code == 200, response.text

    (reply,) = channels.platforms.wait_for(messages_to(sender))
    assert identify(reply.fields["message"]["text"]) == ("utter_greet", "en")
    assert reply.query["access_token"] == SECRETS["FACEBOOK_PAGE_ACCESS_TOKEN"]


@pytest.mark.parametrize("header", ["X-Hub-Signature-256", "X-Hub-Signature", None])
def test_badly_signed_message_is_refused(channels: Channels, header: str | None) -> None:
    sender = new_sender()
    body = page_message(sender, "hello")
    headers = {"Content-Type": "application/json"}
    if header:
        headers = facebook_headers(body, "not-the-secret", header)
    response = post_json(channels.webhook("facebook"), body, headers)
    assert response.status_code == 403
    channels.platforms.assert_nothing_sent(
        lambda c: (
            c.path.startswith("/facebook/") and (c.fields.get("recipient", {}).get("id") == sender)
        )
    )


def test_a_reply_with_five_options_shows_them_all_and_one_tap_answers(channels: Channels) -> None:
    """Messenger's button template holds 3 buttons of 20 characters; the not-understood
    menu has 5 (Rasa sent it as bare text). Every option is on a line of the text and a
    quick reply whose payload starts its flow."""
    sender = new_sender()

    def turn(message: dict) -> list[Call]:
        seen = len(channels.platforms.matching(messages_to(sender)))
        body = page_message(sender, "")
        envelope = json.loads(body)
        envelope["entry"][0]["messaging"][0]["message"] = message
        body = json.dumps(envelope).encode()
        response = post_json(channels.webhook("facebook"), body, facebook_headers(body, APP_SECRET))
        assert response.status_code == 200, response.text
        deadline = time.monotonic() + 30
        while len(channels.platforms.matching(messages_to(sender))) <= seen:
            assert time.monotonic() < deadline, f"no reply to {message}"
            time.sleep(0.1)
        time.sleep(0.5)  # a reply may come in several messages
        return channels.platforms.matching(messages_to(sender))[seen:]

    turn({"mid": f"m_{secrets.token_urlsafe(16)}", "text": "hello"})
    (menu,) = turn({"mid": f"m_{secrets.token_urlsafe(16)}", "text": "xxxxx yyyy"})
    text, *options = menu.fields["message"]["text"].split("\n")
    assert identify(text) == ("utter_default", "en")
    assert options == [
        "- I can't log in", "- Reset my password", "- My account's status",
        "- Cancel a subscription", "- Talk to a person",
    ]  # fmt: skip
    taps = menu.fields["message"]["quick_replies"]
    assert [tap["payload"] for tap in taps] == [
        "/cannot_login", "/reset_password", "/check_account_status",
        "/cancel_subscription", "/talk_to_human",
    ]  # fmt: skip
    assert all(0 < len(tap["title"]) <= 20 for tap in taps)

    tap = {
        "mid": f"m_{secrets.token_urlsafe(16)}",
        "text": "Talk to a person",
        "quick_reply": {"payload": "/talk_to_human"},
    }
    first = turn(tap)[0].fields["message"]["text"]
    assert identify(first) == ("utter_handoff_intro", "en")  # the tap started the handoff
