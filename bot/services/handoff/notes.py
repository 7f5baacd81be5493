"""Internal notes on a ticket: what one agent tells the next (or a supervisor) about
the conversation. Kept in the account database only, next to the ticket: nothing here
is ever sent to Rasa, a channel, the webhook or the customer's transcript."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import TicketNote
from bot.services.handoff.tickets import safe_text

MAX_NOTE_CHARS = 2000


class NoteError(ValueError):
    """The note cannot be kept that way (message for the agent)."""


def add_note(session: Session, ticket_id: int, author: str, text: str, now: datetime) -> TicketNote:
    """The note, with card numbers removed and emails and codes masked like the
    ticket's own text (an agent may paste what the customer wrote)."""
    text = text.strip()
    if not 1 <= len(text) <= MAX_NOTE_CHARS:
        raise NoteError(f"the note must have 1-{MAX_NOTE_CHARS} characters")
    note = TicketNote(ticket_id=ticket_id, author=author, text=safe_text(text), created_at=now)
    session.add(note)
    session.commit()
    return note


def notes_of(session: Session, ticket_id: int) -> list[TicketNote]:
    query = (
        select(TicketNote)
        .where(TicketNote.ticket_id == ticket_id)
        .order_by(TicketNote.created_at, TicketNote.id)
    )
    return list(session.scalars(query))
