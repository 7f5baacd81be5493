"""Internal notes on real databases: kept with the ticket, masked like its text,
nowhere in what leaves for a helpdesk, and gone with the ticket."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import TicketNote
from bot.services.handoff import tickets as handoff
from bot.services.handoff.notes import NoteError, add_note, notes_of
from bot.services.handoff.tickets import HandoffRequest, Verification, open_ticket
from bot.services.privacy.retention import prune_records
from bot.services.topics import Topic
from tests.support.services import KNOWLEDGE_BASE_POLICY

NOW = datetime(2026, 11, 23, 10, 0)


def new_ticket(session: Session) -> int:
    request = HandoffRequest(
        conversation_id="conv-notes", channel="socketio", language="fr",
        topic=Topic.BILLING, details={}, verification=Verification.SKIPPED,
    )  # fmt: skip
    return open_ticket(session, request, NOW, policy=KNOWLEDGE_BASE_POLICY).ticket_id


def test_notes_are_kept_in_order_and_masked_like_the_ticket(session: Session) -> None:
    ticket_id = new_ticket(session)
    add_note(session, ticket_id, "marie", "  refund promised by Luc  ", NOW)
    add_note(
        session, ticket_id, "luc", "wrote from jean.dupont@example.com, card 4111 1111 1111 1111",
        NOW + timedelta(minutes=1),
    )  # fmt: skip
    notes = notes_of(session, ticket_id)
    assert [n.author for n in notes] == ["marie", "luc"]
    assert notes[0].text == "refund promised by Luc"
    assert "jean.dupont@example.com" not in notes[1].text
    assert "4111" not in notes[1].text
    for empty in ("", "   ", "x" * 2001):
        with pytest.raises(NoteError, match="1-2000 characters"):
            add_note(session, ticket_id, "marie", empty, NOW)


def test_a_note_never_reaches_the_helpdesk_copy(session: Session) -> None:
    ticket_id = new_ticket(session)
    add_note(session, ticket_id, "marie", "SECRET-NOTE-7781 customer is rude", NOW)
    ticket = session.get(handoff.HandoffTicket, ticket_id)
    assert "SECRET-NOTE" not in str(handoff.webhook_payload(ticket))
    assert "SECRET-NOTE" not in str(ticket.transcript) + ticket.summary


def test_notes_go_with_their_ticket_at_retention(session: Session) -> None:
    ticket_id = new_ticket(session)
    add_note(session, ticket_id, "marie", "closing soon", NOW)
    handoff.claim(session, ticket_id, "marie", NOW)
    handoff.close(session, ticket_id, "marie", "done", NOW)
    later = NOW + timedelta(days=KNOWLEDGE_BASE_POLICY.ticket_retention_days + 1)
    assert prune_records(session, later, KNOWLEDGE_BASE_POLICY)[0] == 1
    session.commit()
    assert session.scalars(select(TicketNote)).all() == []
