"""A verification belongs to the namespaced conversation and the channel that proved
it: the same platform ID from another channel, or a message injected under another
channel's name, finds nothing verified (real databases)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Account, OutboxMail
from bot.services.identity.verification import (
    VerificationStatus,
    bound_conversation,
    check_code,
    is_verified,
    start_verification,
)
from bot.services.mail.queue import MailQueue
from tests.support.services import NOW, POLICY

WHATSAPP = "twilio:whatsapp:+393471234567"


@pytest.fixture
def mailer() -> MailQueue:
    return MailQueue(kept_in_outbox=True)


def verify(session: Session, mailer: MailQueue, conversation: str) -> int:
    """Prove control of active@example.com in `conversation`; the account's id."""
    identifier = "active@example.com"
    start_verification(session, mailer, conversation, identifier, "en", NOW, policy=POLICY)
    mail = session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()
    assert mail is not None
    (code,) = re.findall(rf"\b\d{{{POLICY.otp_length}}}\b", mail.body)
    result = check_code(session, conversation, code, NOW, policy=POLICY)
    assert result.status is VerificationStatus.VERIFIED
    return session.scalars(select(Account.id).where(Account.public_id == "AC-100001")).one()


def test_a_proof_is_honoured_only_for_its_conversation_and_channel(
    session: Session, mailer: MailQueue
) -> None:
    account = verify(session, mailer, bound_conversation(WHATSAPP, "twilio"))

    assert is_verified(session, bound_conversation(WHATSAPP, "twilio"), account, NOW)
    # the same WhatsApp number as a REST caller's sender, with or without the prefix
    for sender in ("rest:whatsapp:+393471234567", f"rest:{WHATSAPP}"):
        assert not is_verified(session, bound_conversation(sender, "rest"), account, NOW)
    # the WhatsApp conversation's ID with a message that came in on another channel
    for channel in ("rest", "socketio", None):
        assert not is_verified(session, bound_conversation(WHATSAPP, channel), account, NOW)


@pytest.mark.parametrize(
    ("sender", "channel", "bound"),
    [
        ("rest:alice", "rest", "rest:alice"),
        ("socketio:4f2a", "socketio", "socketio:4f2a"),
        ("twilio:whatsapp:+39", "rest", "!rest!twilio:whatsapp:+39"),
        ("alice", "rest", "!rest!alice"),  # from before IDs were namespaced
        ("rest:alice", None, "!!rest:alice"),
        ("restless:alice", "rest", "!rest!restless:alice"),
    ],
)
def test_bound_conversation(sender: str, channel: str | None, bound: str) -> None:
    assert bound_conversation(sender, channel) == bound
