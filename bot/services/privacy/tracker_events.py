"""Rasa's SQL tracker store table, read and pruned outside Rasa (retention, erasure).

Rasa 3.6's SQLTrackerStore keeps every conversation in one table `events`
(id, sender_id, type_name, timestamp, intent_name, action_name, data); Rasa itself
creates it on start-up. Rasa Open Source cannot delete a conversation, so we do it
here with plain SQL on the same URL (SQLite or PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import Connection

SESSION_STARTED = "session_started"

EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def has_events_table(connection: Connection) -> bool:
    """False until Rasa has run once on this database."""
    return inspect(connection).has_table(EVENTS.name)


def sender_ids(connection: Connection) -> list[str]:
    return list(connection.scalars(select(EVENTS.c.sender_id).distinct()))


def rows_containing(connection: Connection, terms: Iterable[str]) -> list[tuple[str, str]]:
    """(sender_id, data) of events whose data contains one of `terms` (any case): a
    cheap first pass only; the caller decides on the parsed values."""
    found: dict[int, tuple[str, str]] = {}
    for term in terms:
        if term:
            query = select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.data).where(
                func.lower(EVENTS.c.data).contains(term.lower(), autoescape=True)
            )
            for row in connection.execute(query):
                found[row.id] = (row.sender_id, row.data)
    return list(found.values())


def newest_event_id(connection: Connection) -> int:
    """The highest event id left (0 for none)."""
    return int(connection.scalar(select(func.max(EVENTS.c.id))) or 0)


def count_events(connection: Connection, senders: Iterable[str]) -> int:
    """How many events these conversations hold."""
    wanted = sorted(set(senders))
    total = 0
    for start in range(0, len(wanted), 500):
        query = select(func.count()).where(EVENTS.c.sender_id.in_(wanted[start : start + 500]))
        total += int(connection.scalar(query) or 0)
    return total


def delete_conversations(connection: Connection, senders: Iterable[str]) -> int:
    """Delete every event of these conversations; how many events went."""
    removed = 0
    for sender in sorted(set(senders)):
        removed += connection.execute(delete(EVENTS).where(EVENTS.c.sender_id == sender)).rowcount
    return removed


def idle_conversations(connection: Connection, before: float) -> list[str]:
    """Conversations whose newest event is older than `before` (a Unix time)."""
    newest = func.max(EVENTS.c.timestamp)
    query = select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(newest < before)
    return list(connection.scalars(query))


def delete_past_sessions(connection: Connection, before: float) -> int:
    """Events older than `before` from sessions that ended: those before a
    conversation's latest `session_started` (Rasa never loads them again)."""
    latest_start = (
        select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp).label("started"))
        .where(EVENTS.c.type_name == SESSION_STARTED)
        .group_by(EVENTS.c.sender_id)
        .subquery()
    )
    old = (
        select(EVENTS.c.id)
        .join(latest_start, latest_start.c.sender_id == EVENTS.c.sender_id)
        .where(EVENTS.c.timestamp < latest_start.c.started, EVENTS.c.timestamp < before)
    )
    ids = list(connection.scalars(old))
    removed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        removed += connection.execute(delete(EVENTS).where(EVENTS.c.id.in_(chunk))).rowcount
    return removed
