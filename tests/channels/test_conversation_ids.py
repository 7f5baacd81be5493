"""Conversation IDs are namespaced per channel: a conversation verified on WhatsApp
(Twilio) cannot be continued, read or answered from REST, whatever `sender` the REST
caller picks, and a REST caller cannot claim another input channel."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
import sqlalchemy as sa

from tests.channels.conftest import REPLY_TIMEOUT, SECRETS, Channels
from tests.channels.test_twilio import NUMBER, new_phone, post, sent_to
from tests.channels.test_twilio import incoming as twilio_form
from tests.support.replies import identify

pytestmark = pytest.mark.slow

REST_AUTH = {"Authorization": f"Bearer {SECRETS['REST_TOKEN']}"}


def on_whatsapp(channels: Channels, sender: str, text: str, until: str) -> list[str]:
    """Send `text` from `sender` on WhatsApp; the reply names up to `until`."""
    before = len(channels.platforms.matching(sent_to(sender)))
    form = twilio_form(sender, f"whatsapp:{NUMBER}", text)
    assert post(channels, form, channels.webhook("twilio")).status_code < 300
    deadline = time.monotonic() + REPLY_TIMEOUT
    while time.monotonic() < deadline:
        calls = channels.platforms.matching(sent_to(sender))[before:]
        names = [(identify(call.fields["Body"]) or ("?", ""))[0] for call in calls]
        if until in names:
            return names
        time.sleep(0.2)
    raise AssertionError(f"no {until} on WhatsApp in {REPLY_TIMEOUT:.0f} s")


def latest_code(channels: Channels, email: str) -> str:
    engine = sa.create_engine(f"sqlite:///{channels.workdir / 'accounts.db'}", future=True)
    try:
        deadline = time.monotonic() + REPLY_TIMEOUT
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                bodies = connection.execute(
                    sa.text("SELECT body FROM mail_outbox WHERE to_address = :to ORDER BY id"),
                    {"to": email},
                ).scalars().all()  # fmt: skip
            if bodies:
                return re.findall(r"\b\d{6}\b", bodies[-1])[-1]
            time.sleep(0.2)
    finally:
        engine.dispose()
    raise AssertionError(f"no mail to {email}")


def on_rest(channels: Channels, sender: str, text: str, **extra: str) -> list[str]:
    body = {"sender": sender, "message": text, **extra}
    response = requests.post(channels.webhook("rest"), json=body, headers=REST_AUTH, timeout=60)
    assert response.status_code == 200, response.text
    return [(identify(m.get("text", "")) or ("?", ""))[0] for m in response.json()]


def test_a_whatsapp_verification_cannot_be_used_from_rest(channels: Channels) -> None:
    phone = new_phone()
    sender = f"whatsapp:{phone}"
    on_whatsapp(channels, sender, "is my account still active?", "utter_ask_identifier")
    on_whatsapp(channels, sender, "limited@example.com", "utter_ask_otp_code")
    code = latest_code(channels, "limited@example.com")
    names = on_whatsapp(channels, sender, code, "utter_status_limited")
    assert names[0] == "utter_verified"  # the WhatsApp customer is verified
    sent_to_whatsapp = len(channels.platforms.matching(sent_to(sender)))

    # an attacker who knows the number, on REST (even with the integration's token)
    for as_sender in (sender, f"twilio:{sender}", phone):
        status = on_rest(channels, as_sender, "is my account still active?")
        assert not any(name.startswith("utter_status_") for name in status), status
        assert status[-1] == "utter_ask_identifier"  # asked to prove it anew
    cancel = on_rest(channels, f"twilio:{sender}", "I want to cancel my subscription")
    assert not any(name.startswith("utter_cancel_case") for name in cancel), cancel
    # ... and nothing of it reached the WhatsApp customer
    time.sleep(1)
    assert len(channels.platforms.matching(sent_to(sender))) == sent_to_whatsapp
    assert channels.platforms.matching(sent_to(phone)) == []


def user_events(channels: Channels, sender_id: str) -> list[dict]:
    engine = sa.create_engine(f"sqlite:///{channels.workdir / 'tracker.db'}", future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user'"),
                {"s": sender_id},
            ).scalars().all()  # fmt: skip
    finally:
        engine.dispose()
    return [json.loads(row) for row in rows]


def test_rest_senders_are_namespaced_and_cannot_claim_another_channel(
    channels: Channels,
) -> None:
    sender = f"twilio:whatsapp:{new_phone()}"
    assert on_rest(channels, sender, "hello", input_channel="twilio") == ["utter_greet"]

    events = user_events(channels, f"rest:{sender}")
    assert [event["input_channel"] for event in events] == ["rest"]
    assert user_events(channels, sender) == []  # the WhatsApp conversation is untouched
