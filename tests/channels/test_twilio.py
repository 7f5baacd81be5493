"""Twilio SMS and WhatsApp webhooks posted to /webhooks/twilio/webhook, replies to the
Messages API."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

import pytest
import requests

from tests.channels.conftest import REPLY_TIMEOUT, SECRETS, Call, Channels, twilio_signature
from tests.support.replies import identify

pytestmark = pytest.mark.slow

SID = SECRETS["TWILIO_ACCOUNT_SID"]
AUTH_TOKEN = SECRETS["TWILIO_AUTH_TOKEN"]
NUMBER = SECRETS["TWILIO_NUMBER"]


def incoming(sender: str, to: str, text: str) -> dict[str, str]:
    """The form Twilio posts for an incoming message (SMS; WhatsApp adds its fields)."""
    message_sid = f"SM{secrets.token_hex(16)}"
    form = {
        "ToCountry": "US",
        "SmsMessageSid": message_sid,
        "NumMedia": "0",
        "SmsSid": message_sid,
        "SmsStatus": "received",
        "Body": text,
        "To": to,
        "NumSegments": "1",
        "MessageSid": message_sid,
        "AccountSid": SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    if sender.startswith("whatsapp:"):
        form.update(ProfileName="Anna", WaId=sender.removeprefix("whatsapp:+"))
    return form


def new_phone() -> str:
    return f"+39347{secrets.randbelow(10**7):07d}"


def sent_to(recipient: str) -> Callable[[Call], bool]:
    path = f"/twilio/2010-04-01/Accounts/{SID}/Messages.json"
    return lambda call: call.path == path and call.fields.get("To") == recipient


def post(channels: Channels, form: dict[str, str], signed_url: str) -> requests.Response:
    headers = {"X-Twilio-Signature": twilio_signature(signed_url, form, AUTH_TOKEN)}
    return requests.post(channels.webhook("twilio"), data=form, headers=headers, timeout=60)


def test_sms_gets_an_italian_reply_from_the_number(channels: Channels) -> None:
    phone = new_phone()
    response = post(channels, incoming(phone, NUMBER, "ciao"), channels.webhook("twilio"))
    assert response.status_code < 300, response.text

    (reply,) = channels.platforms.wait_for(sent_to(phone))
    assert reply.fields["From"] == NUMBER
    assert identify(reply.fields["Body"]) == ("utter_greet", "it")
    assert reply.headers["authorization"].startswith("Basic ")


def test_whatsapp_gets_a_reply_on_whatsapp(channels: Channels) -> None:
    sender = f"whatsapp:{new_phone()}"
    form = incoming(sender, f"whatsapp:{NUMBER}", "bonjour")
    # behind a TLS proxy Twilio signs the https URL while Rasa is called over http
    https_url = "https:" + channels.webhook("twilio").split(":", 1)[1]
    response = post(channels, form, https_url)
    assert response.status_code < 300, response.text

    (reply,) = channels.platforms.wait_for(sent_to(sender))
    assert reply.fields["From"] == f"whatsapp:{NUMBER}"
    assert identify(reply.fields["Body"]) == ("utter_greet", "fr")


@pytest.mark.parametrize("forgery", ["wrong token", "changed body", "no signature"])
def test_badly_signed_message_is_refused(channels: Channels, forgery: str) -> None:
    phone = new_phone()
    form = incoming(phone, NUMBER, "ciao")
    url = channels.webhook("twilio")
    token = "0" * 32 if forgery == "wrong token" else AUTH_TOKEN
    headers = {"X-Twilio-Signature": twilio_signature(url, form, token)}
    if forgery == "changed body":
        form["Body"] = "ciao, sono il tuo capo"
    if forgery == "no signature":
        headers = {}
    response = requests.post(url, data=form, headers=headers, timeout=60)
    assert response.status_code == 403
    channels.platforms.assert_nothing_sent(sent_to(phone))


def test_whatsapp_answers_the_satisfaction_question_by_typing(channels: Channels) -> None:
    """No buttons on WhatsApp: the question comes with its options as lines of text
    (never a payload), and typed "sì" and "4" answer it."""
    sender = f"whatsapp:{new_phone()}"
    url = channels.webhook("twilio")

    def turn(text: str, replies: int) -> list[str]:
        seen = len(channels.platforms.matching(sent_to(sender)))
        assert post(channels, incoming(sender, f"whatsapp:{NUMBER}", text), url).status_code < 300
        deadline = time.monotonic() + REPLY_TIMEOUT
        while len(channels.platforms.matching(sent_to(sender))) < seen + replies:
            assert time.monotonic() < deadline, f"no reply to {text!r}"
            time.sleep(0.1)
        return [call.fields["Body"] for call in channels.platforms.matching(sent_to(sender))[seen:]]

    answer, asked = turn("quali browser posso usare?", 2)
    assert identify(answer) == ("utter_faq/supported_browsers", "it")
    assert asked == "Ti è stato utile?\n- Sì\n- No"
    (rating,) = turn("sì", 1)
    question, *options = rating.split("\n")
    assert identify(question) == ("utter_ask_satisfaction_rating", "it")
    assert options == ["- 1", "- 2", "- 3", "- 4", "- 5"] and "/satisfaction" not in rating
    (thanks,) = turn("4", 1)
    assert identify(thanks) == ("utter_satisfaction_thanks", "it")
