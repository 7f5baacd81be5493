"""Service incidents: is an unplanned outage in progress?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import ServiceIncident


@dataclass(frozen=True)
class Incident:
    title: str
    started_at: datetime


def open_incident(session: Session) -> Incident | None:
    """The most recent incident that has not been resolved, if any."""
    row = session.scalars(
        select(ServiceIncident)
        .where(ServiceIncident.resolved_at.is_(None))
        .order_by(ServiceIncident.started_at.desc())
        .limit(1)
    ).first()
    return None if row is None else Incident(row.title, row.started_at)
