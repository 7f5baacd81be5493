"""What the assistant did, written to `AuditEntry` without personal data.

Conversation ids and subjects (emails, identifiers) are stored as SHA-256 keys;
`detail` holds coded values only ("sent", "no_account", ...), never an email,
code or token. The same rows drive the per-hour rate limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import AuditEntry
from bot.services.privacy.redaction import conversation_key, subject_key

DetailValue = str | int | bool | None


def _clean_detail(detail: Mapping[str, DetailValue] | None) -> dict[str, DetailValue]:
    """Refuse anything but coded scalars, and anything that looks like an email."""
    clean = dict(detail or {})
    for name, value in clean.items():
        if not isinstance(value, str | int | bool | None):
            raise TypeError(f"audit detail '{name}' must be a str, int, bool or None")
        if isinstance(value, str) and "@" in value:
            raise ValueError(f"audit detail '{name}' looks like an email address")
    return clean


def record(
    session: Session,
    event: str,
    conversation_id: str | None,
    subject: str | None = None,
    detail: Mapping[str, DetailValue] | None = None,
    *,
    now: datetime,
    hashed_subject: str | None = None,
) -> AuditEntry:
    """Add one audit row (the caller's transaction commits it).

    `hashed_subject`: a `subject_key` already computed (stored rows keep only that).
    """
    entry = AuditEntry(
        at=now,
        event=event,
        conversation_key=conversation_key(conversation_id) if conversation_id else None,
        subject_key=subject_key(subject) if subject else hashed_subject,
        detail=_clean_detail(detail),
    )
    session.add(entry)
    return entry


def times_since(
    session: Session, event: str, since: datetime, now: datetime, *, subject: str
) -> list[datetime]:
    """When `event` rows for this subject happened in (since, now], oldest first."""
    return list(
        session.scalars(
            select(AuditEntry.at)
            .where(
                AuditEntry.event == event,
                AuditEntry.at > since,
                AuditEntry.at <= now,
                AuditEntry.subject_key == subject_key(subject),
            )
            .order_by(AuditEntry.at)
        )
    )


def count_since(
    session: Session,
    event: str,
    since: datetime,
    now: datetime,
    *,
    conversation_id: str | None = None,
    subject: str | None = None,
    hashed_subject: str | None = None,
) -> int:
    """How many `event` rows in (since, now] for this conversation and/or subject."""
    query = (
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.event == event, AuditEntry.at > since, AuditEntry.at <= now)
    )
    if conversation_id is not None:
        query = query.where(AuditEntry.conversation_key == conversation_key(conversation_id))
    if subject is not None:
        hashed_subject = subject_key(subject)
    if hashed_subject is not None:
        query = query.where(AuditEntry.subject_key == hashed_subject)
    return session.scalar(query) or 0
