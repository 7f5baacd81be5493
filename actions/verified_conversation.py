"""The security path as the actions see it: which conversation a verification
belongs to, which account it is verified as now, and checking a typed code."""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from bot.db.session import session_scope
from bot.services.identity.verification import (
    VerificationResult,
    bound_conversation,
    check_code,
    verified_account_id,
)
from bot.services.runtime import utcnow


def verification_conversation(tracker: Tracker) -> str:
    """The sender bound to the channel it wrote on (bot/services/identity/verification.py)."""
    return bound_conversation(tracker.sender_id, tracker.get_latest_input_channel())


def verified_account(session: Session, tracker: Tracker, now: datetime) -> int | None:
    """The account this conversation is verified as now (slots and database agree), or None."""
    public_id = tracker.get_slot("verified_account") if tracker.get_slot("verified") else None
    return verified_account_id(session, verification_conversation(tracker), public_id, now)


def check_typed_code(tracker: Tracker, code: str) -> VerificationResult:
    """Check the code typed in this conversation (counted and committed);
    `public_id` is set when it verified an account."""
    with session_scope() as session:
        return check_code(session, verification_conversation(tracker), code, utcnow())
