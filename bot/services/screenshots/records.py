"""Screenshot rows: which ticket a file belongs to, who may see it, when it goes.

- Accepted only while the conversation's ticket is with an agent (assigned): no
  upload reaches the queue, the bot or a closed ticket. At most MAX_PER_TICKET.
- Seen only by the agent the ticket is assigned to (in one of their languages).
- Deleted with their ticket, files first (retention: closed tickets past
  ticket_retention_days; erasure: the account's tickets). A file whose row is gone
  (a crash between the two writes, a cascade) is removed by retention a day later.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.db.models import HandoffTicket, TicketScreenshot, TicketStatus
from bot.services.screenshots import files
from bot.services.screenshots.images import CleanImage

MAX_PER_TICKET = 20  # 100 MB at most per ticket; a conversation needs a few
ORPHAN_AGE = timedelta(days=1)  # an upload in progress has its row long before this


class NoLiveChat(Exception):
    """The conversation has no ticket with an agent right now."""


class TooMany(Exception):
    """The ticket has MAX_PER_TICKET screenshots already."""


def live_ticket(session: Session, conversation_id: str) -> HandoffTicket:
    """The conversation's ticket being handled by an agent, with room for one more
    screenshot; NoLiveChat or TooMany otherwise."""
    ticket = session.scalars(
        select(HandoffTicket)
        .where(
            HandoffTicket.conversation_id == conversation_id,
            HandoffTicket.status == TicketStatus.ASSIGNED.value,
        )
        .order_by(HandoffTicket.id.desc())
    ).first()
    if ticket is None:
        raise NoLiveChat
    count = session.scalar(
        select(func.count())
        .select_from(TicketScreenshot)
        .where(TicketScreenshot.ticket_id == ticket.id)
    )
    if (count or 0) >= MAX_PER_TICKET:
        raise TooMany
    return ticket


def attach(
    session: Session, conversation_id: str, image: CleanImage, directory: Path, now: datetime
) -> TicketScreenshot:
    """Store the (re-encoded) image for the conversation's live ticket and commit."""
    ticket = live_ticket(session, conversation_id)  # again: the agent may have closed it
    name = files.write(directory, image.data, image.kind.extension)
    row = TicketScreenshot(
        ticket_id=ticket.id, file_name=name, media_type=image.kind.media_type,
        width=image.width, height=image.height, size_bytes=len(image.data), created_at=now,
    )  # fmt: skip
    session.add(row)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        files.remove(directory, [name])
        raise
    return row


def visible_ticket(
    session: Session, ticket_id: int, agent: str, languages: Sequence[str]
) -> HandoffTicket | None:
    """The ticket when `agent` may see its screenshots: assigned to them, in one of
    their languages (the desk shows other agents' tickets, never these images)."""
    ticket = session.get(HandoffTicket, ticket_id)
    if ticket is None or ticket.language not in languages or ticket.assigned_to != agent:
        return None
    return ticket


def of_ticket(session: Session, ticket_id: int) -> list[TicketScreenshot]:
    return list(
        session.scalars(
            select(TicketScreenshot)
            .where(TicketScreenshot.ticket_id == ticket_id)
            .order_by(TicketScreenshot.id)
        )
    )


def remove_with_tickets(session: Session, tickets: ColumnElement[bool], directory: Path) -> int:
    """Delete the screenshots (rows and files) of the tickets `tickets` selects, before
    those tickets are deleted; how many. The caller commits."""
    ticket_ids = select(HandoffTicket.id).where(tickets)
    names = list(
        session.scalars(
            select(TicketScreenshot.file_name).where(TicketScreenshot.ticket_id.in_(ticket_ids))
        )
    )
    if not names:
        return 0
    session.execute(
        delete(TicketScreenshot)
        .where(TicketScreenshot.file_name.in_(names))
        .execution_options(synchronize_session=False)
    )
    files.remove(directory, names)
    return len(names)


def remove_orphans(session: Session, directory: Path, now: datetime) -> int:
    """Delete files no row names, a day after they were written; how many."""
    candidates = files.names_older_than(directory, now - ORPHAN_AGE)
    if not candidates:
        return 0
    known = set(
        session.scalars(
            select(TicketScreenshot.file_name).where(
                TicketScreenshot.file_name.in_(sorted(candidates))
            )
        )
    )
    return files.remove(directory, candidates - known)
