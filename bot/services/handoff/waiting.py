"""Where a customer waiting for a person stands: place in the queue and the wait.

The estimate is the place times the language team's median handling time over its
last `RECENT_TICKETS` closed tickets (ticket opened to ticket closed, so the wait
before the claim counts too: an upper bound, which is the side to err on). With
fewer than `MIN_CLOSED` tickets closed in the past `RECENT_DAYS` days, the policy's
`queue_minutes_per_customer` stands in for the median.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config.policy import Policy, get_policy
from bot.db.models import HandoffTicket, TicketStatus
from bot.services.handoff.tickets import OPEN_STATUSES, queue_position

RECENT_TICKETS = 20
MIN_CLOSED = 5
RECENT_DAYS = 7
MAX_MINUTES = 240  # past four hours a number means nothing to a customer


@dataclass(frozen=True)
class WaitingState:
    """`position` 0: not (or no longer) in the queue. Out of the team's hours the bot
    goes on answering and no wait is quoted (`minutes` 0)."""

    position: int
    minutes: int
    in_hours: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "minutes": self.minutes, "in_hours": self.in_hours}


NOT_WAITING = WaitingState(0, 0)


def minutes_per_customer(
    session: Session, language: str, now: datetime, policy: Policy | None = None
) -> float:
    """The language team's median handling time in minutes (see the module's doc)."""
    policy = policy or get_policy()
    rows = session.execute(
        select(HandoffTicket.created_at, HandoffTicket.closed_at)
        .where(
            HandoffTicket.language == language,
            HandoffTicket.status == TicketStatus.CLOSED.value,
            HandoffTicket.closed_at >= now - timedelta(days=RECENT_DAYS),
        )
        .order_by(HandoffTicket.closed_at.desc())
        .limit(RECENT_TICKETS)
    ).all()
    handled = [(closed - opened).total_seconds() / 60 for opened, closed in rows if closed]
    if len(handled) < MIN_CLOSED:
        return float(policy.queue_minutes_per_customer)
    return max(statistics.median(handled), 1.0)


def waiting_states(
    session: Session, conversation_ids: Iterable[str], now: datetime, policy: Policy | None = None
) -> dict[str, WaitingState]:
    """The state of each conversation with an open ticket (others are left out)."""
    wanted = list(conversation_ids)
    if not wanted:
        return {}
    tickets = session.scalars(
        select(HandoffTicket).where(
            HandoffTicket.conversation_id.in_(wanted),
            HandoffTicket.status.in_(OPEN_STATUSES),
        )
    ).all()
    policy = policy or get_policy()
    per_language: dict[str, float] = {}
    states: dict[str, WaitingState] = {}
    for ticket in tickets:
        position = queue_position(session, ticket)
        if position == 0:
            states[ticket.conversation_id] = NOT_WAITING
            continue
        if not policy.support_hours[ticket.language].is_open(now):
            states[ticket.conversation_id] = WaitingState(position, 0, in_hours=False)
            continue
        if ticket.language not in per_language:
            per_language[ticket.language] = minutes_per_customer(
                session, ticket.language, now, policy
            )
        minutes = math.ceil(position * per_language[ticket.language])
        states[ticket.conversation_id] = WaitingState(position, min(minutes, MAX_MINUTES))
    return states
