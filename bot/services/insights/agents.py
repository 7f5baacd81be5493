"""Per-agent figures of the Insights page: what each agent handled and how fast, and
what the customers said after.

The tickets (`handoff_tickets`) say who took which conversation and when it was handed
back; the conversation's insight row (bot/services/insights/figures.py, read from the
tracker events) says when the agent claimed it, wrote first, and what the customer
answered to "did the person help?" and the 1-5 rating. A ticket is matched to the
row of its conversation whose handoff is nearest the ticket's creation (a customer
may be handed off again in a later session).

- handled: tickets the agent handed back in the period (by the ticket's creation);
  still open: claimed by the agent, not handed back yet;
- first response: from the claim to the agent's first message (the wait before the
  claim is the page's "median wait for an agent");
- handle time: from the claim to the hand-back;
- CSAT: the share of "yes, the person helped" among the answers after the hand-back,
  and the average of the ratings.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import HandoffTicket, InsightConversation, TicketStatus
from bot.services.agents.roster import display_names
from bot.services.privacy.redaction import conversation_key


@dataclass
class AgentFigures:
    agent: str  # the username (the ticket's `assigned_to`)
    name: str  # the display name the desk shows
    handled: int = 0
    still_open: int = 0
    first_responses: int = 0  # handled or open tickets with a first message measured
    median_first_response_seconds: float | None = None
    median_handle_seconds: float | None = None
    csat_answers: int = 0
    csat_satisfied: int = 0
    csat_rate: float | None = None  # satisfied of the answers (0-1)
    ratings: int = 0
    average_rating: float | None = None


@dataclass
class _Tally:
    handled: int = 0
    still_open: int = 0
    first: list[float] = field(default_factory=list)
    handle: list[float] = field(default_factory=list)
    answers: list[bool] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


def _nearest(rows: Iterable[Any], created_at: datetime) -> Any | None:
    """The conversation row whose handoff is nearest the ticket's creation."""
    handed = [row for row in rows if row.handed_off_at is not None]
    return min(
        handed, key=lambda row: abs((row.handed_off_at - created_at).total_seconds()), default=None
    )


def _rows_by_key(session: Session, keys: set[str]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = defaultdict(list)
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        query = select(
            InsightConversation.conversation_key,
            InsightConversation.handed_off_at,
            InsightConversation.agent_claimed_at,
            InsightConversation.first_agent_reply_at,
            InsightConversation.helped,
            InsightConversation.rating,
        ).where(
            InsightConversation.conversation_key.in_(ordered[start : start + 500]),
            InsightConversation.handed_off_at.is_not(None),
        )
        for row in session.execute(query):
            found[row.conversation_key].append(row)
    return found


def agent_figures(
    session: Session,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    language: str | None = None,
    channel: str | None = None,
) -> list[AgentFigures]:
    """One entry per agent who took a ticket created in the period, most handled first."""
    query = select(HandoffTicket).where(HandoffTicket.assigned_to.is_not(None))
    if start is not None:
        query = query.where(HandoffTicket.created_at >= start)
    if end is not None:
        query = query.where(HandoffTicket.created_at < end)
    if language:
        query = query.where(HandoffTicket.language == language)
    if channel:
        query = query.where(HandoffTicket.channel == channel)
    tickets = list(session.scalars(query))
    keys = {ticket.id: conversation_key(ticket.conversation_id) for ticket in tickets}
    rows = _rows_by_key(session, set(keys.values()))
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for ticket in tickets:
        tally = tallies[ticket.assigned_to]
        closed = ticket.status == TicketStatus.CLOSED.value
        tally.handled += closed
        tally.still_open += not closed
        row = _nearest(rows.get(keys[ticket.id], []), ticket.created_at)
        if row is None:
            continue
        first = _seconds(row.agent_claimed_at, row.first_agent_reply_at)
        if first is not None:
            tally.first.append(first)
        if not closed:
            continue
        handle = _seconds(row.agent_claimed_at, ticket.closed_at)
        if handle is not None:
            tally.handle.append(handle)
        if row.helped is not None:
            tally.answers.append(bool(row.helped))
        if row.rating is not None:
            tally.ratings.append(row.rating)
    names = display_names(session, tallies)
    figures = [
        AgentFigures(
            agent=username,
            name=names.get(username, username),
            handled=tally.handled,
            still_open=tally.still_open,
            first_responses=len(tally.first),
            median_first_response_seconds=_median(tally.first),
            median_handle_seconds=_median(tally.handle),
            csat_answers=len(tally.answers),
            csat_satisfied=sum(tally.answers),
            csat_rate=round(sum(tally.answers) / len(tally.answers), 4) if tally.answers else None,
            ratings=len(tally.ratings),
            average_rating=round(statistics.fmean(tally.ratings), 2) if tally.ratings else None,
        )
        for username, tally in tallies.items()
    ]
    return sorted(figures, key=lambda f: (-f.handled, -f.still_open, f.name.casefold()))
