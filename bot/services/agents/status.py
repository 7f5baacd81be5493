"""An agent's status on the desk: available, or away. An away agent is offered no
queued ticket, cannot be handed one by a colleague, and does not count in the
customer's queue position (bot/services/handoff/tickets.py queue_position)."""

from __future__ import annotations

import enum
from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Agent


class AgentStatus(str, enum.Enum):
    AVAILABLE = "available"
    AWAY = "away"


STATUSES = frozenset(status.value for status in AgentStatus)


def set_status(session: Session, username: str, status: AgentStatus) -> None:
    session.execute(
        update(Agent)
        .where(Agent.username == username)
        .values(status=status.value)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def available_for(
    session: Session, language: str, *, refused: Collection[str] = ()
) -> dict[str, str]:
    """Username -> display name of the active, available agents of that language team
    (`refused`: names that cannot sign in, e.g. the demo agent outside demo mode)."""
    rows = session.execute(
        select(Agent.username, Agent.display_name, Agent.languages).where(
            Agent.active.is_(True), Agent.status == AgentStatus.AVAILABLE.value
        )
    )
    return {
        username: display_name
        for username, display_name, languages in rows
        if language in languages.split(",") and username not in refused
    }


def languages_served_with(session: Session, language: str) -> set[str]:
    """Every language the available agents of `language` serve (they take the oldest
    ticket among all of them); empty when nobody of that team is available."""
    rows = session.scalars(
        select(Agent.languages).where(
            Agent.active.is_(True), Agent.status == AgentStatus.AVAILABLE.value
        )
    )
    served: set[str] = set()
    for languages in rows:
        team = set(languages.split(","))
        if language in team:
            served |= team
    return served


def is_away(session: Session, username: str) -> bool:
    status = session.scalar(select(Agent.status).where(Agent.username == username))
    return status == AgentStatus.AWAY.value
