"""A customer whose account was closed after a terms review takes the person the
answer offers: the real actions, on a real database, file the ticket under its own
topic (it used to be filed as "general")."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import bot.db.session as db_session
from actions.account_answers import ActionAccountAnswer
from actions.handoff import ActionHandoff, ActionStartHandoff
from bot.config.settings import get_settings
from bot.db.models import Account, DeactivationReason, HandoffTicket, VerificationChallenge
from bot.services.privacy.redaction import conversation_key
from bot.services.runtime import utcnow

SENDER = "rest:terms-violation-customer"
ACCOUNT = "AC-100007"  # deactivated 30 days ago; here for a terms violation


@pytest.fixture
def accounts(
    factory: sessionmaker, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Session]:
    """The actions' own session factory pointed at the test database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr(db_session, "_session_factory", factory)
    get_settings.cache_clear()
    with factory() as session:
        yield session
    get_settings.cache_clear()


def _verified_for(session: Session, public_id: str) -> None:
    """What a correct one-time code leaves behind: a verified challenge of this conversation."""
    now = utcnow()
    account = session.scalars(select(Account).where(Account.public_id == public_id)).one()
    account.deactivation_reason = DeactivationReason.TERMS_VIOLATION
    session.add(
        VerificationChallenge(
            conversation_key=conversation_key(SENDER),
            account_id=account.id,
            code_hash="-",
            created_at=now - timedelta(minutes=1),
            expires_at=now + timedelta(minutes=9),
            verified_at=now - timedelta(seconds=30),
            attempts=0,
        )
    )
    session.commit()


def _run(action: Action, slots: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    tracker = Tracker(
        SENDER,
        slots,
        {"text": "/talk_to_human", "intent": {"name": "talk_to_human"}, "entities": []},
        [{"event": "user", "text": "il mio account è attivo?", "input_channel": "rest"}],
        False,
        None,
        {},
        None,
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return events, [message.get("response") for message in dispatcher.messages]


def _apply(slots: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **slots,
        **{e["name"]: e["value"] for e in events if e.get("event") == "slot"},
    }


def test_the_terms_violation_ticket_has_its_own_topic(accounts: Session) -> None:
    _verified_for(accounts, ACCOUNT)
    slots: dict[str, Any] = {
        "verified": True,
        "verified_account": ACCOUNT,
        "pending_task": "status",
        "language": "it",
    }
    events, said = _run(ActionAccountAnswer(), slots)
    assert said == ["utter_status_deactivated_terms_violation"]
    slots = _apply(slots, events)
    # the customer clicks "talk to a person"
    slots = _apply(slots, _run(ActionStartHandoff(), slots)[0])
    assert slots["handoff_topic"] == "terms_violation"
    _run(ActionHandoff(), slots)
    ticket = accounts.scalars(select(HandoffTicket)).one()
    assert ticket.topic == "terms_violation"
    assert ticket.verification["status"] == "verified"
