"""Slack Events API requests posted to /webhooks/slack/webhook, replies to chat.postMessage."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable

import pytest

from tests.channels.conftest import SECRETS, Call, Channels, post_json, slack_headers
from tests.support.replies import identify

pytestmark = pytest.mark.slow

SIGNING_SECRET = SECRETS["SLACK_SIGNING_SECRET"]


def direct_message(channel: str, user: str, text: str) -> bytes:
    """An `event_callback` as Slack posts it for a message in the app's DM channel."""
    ts = f"{time.time():.6f}"
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "im",
    }
    return json.dumps(
        {
            "token": "deprecated-verification-token",
            "team_id": "T0TEST",
            "api_app_id": "A0TEST",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0TEST", "user_id": "U0BOT", "is_bot": True}],
        }
    ).encode()


def new_ids() -> tuple[str, str]:
    return f"D{secrets.token_hex(5).upper()}", f"U{secrets.token_hex(5).upper()}"


def posted_to(channel: str) -> Callable[[Call], bool]:
    return lambda call: (
        call.path == "/slack/api/chat.postMessage" and (call.fields.get("channel") == channel)
    )


def test_url_verification_challenge_is_echoed(channels: Channels) -> None:
    challenge = secrets.token_urlsafe(30)
    body = json.dumps({"token": "x", "challenge": challenge, "type": "url_verification"}).encode()
    response = post_json(channels.webhook("slack"), body, slack_headers(body, SIGNING_SECRET))
    assert response.status_code == 200
    assert response.text == challenge  # plain text, as Slack's documentation asks


def test_unsigned_url_verification_is_refused(channels: Channels) -> None:
    body = json.dumps({"token": "x", "challenge": "abc", "type": "url_verification"}).encode()
    response = post_json(channels.webhook("slack"), body, slack_headers(body, "not-the-secret"))
    assert response.status_code == 400
    assert "abc" not in response.text


def test_french_direct_message_gets_a_french_reply_in_the_channel(channels: Channels) -> None:
    channel, user = new_ids()
    body = direct_message(channel, user, "bonjour")
    response = post_json(channels.webhook("slack"), body, slack_headers(body, SIGNING_SECRET))
    assert response.status_code == 200, response.text

    (reply,) = channels.platforms.wait_for(posted_to(channel))
    assert identify(reply.fields["text"]) == ("utter_greet", "fr")
    assert reply.headers["authorization"] == f"Bearer {SECRETS['SLACK_BOT_TOKEN']}"


@pytest.mark.parametrize(
    ("secret", "age"), [("not-the-secret", 0), (SIGNING_SECRET, 10 * 60)], ids=["bad", "old"]
)
def test_badly_signed_or_replayed_message_is_refused(
    channels: Channels, secret: str, age: int
) -> None:
    channel, user = new_ids()
    body = direct_message(channel, user, "bonjour")
    headers = slack_headers(body, secret, timestamp=int(time.time()) - age)
    response = post_json(channels.webhook("slack"), body, headers)
    assert response.status_code == 400
    channels.platforms.assert_nothing_sent(posted_to(channel))
