"""Agent status on real databases: an away agent is offered no queued ticket, cannot
claim one or be handed one, and the customer's queue position counts only the queues
the available agents work through."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from bot.services.agents.roster import create_agent
from bot.services.agents.status import (
    AgentStatus,
    available_for,
    languages_served_with,
    set_status,
)
from bot.services.handoff import tickets as handoff
from bot.services.handoff.tickets import HandoffRequest, TicketError, Verification, open_ticket
from bot.services.topics import Topic
from tests.support.services import KNOWLEDGE_BASE_POLICY

NOW = datetime(2026, 11, 23, 10, 0)  # a Monday morning: in hours everywhere
PASSWORD = "correct-horse-battery-9"


def ticket(session: Session, conversation: str, language: str) -> handoff.HandoffOutcome:
    request = HandoffRequest(
        conversation_id=conversation, channel="rest", language=language,
        topic=Topic.GENERAL, details={}, verification=Verification.SKIPPED,
    )  # fmt: skip
    return open_ticket(session, request, NOW, policy=KNOWLEDGE_BASE_POLICY)


def position(session: Session, ticket_id: int) -> int:
    return handoff.queue_position(session, session.get(handoff.HandoffTicket, ticket_id))


@pytest.fixture
def team(session: Session) -> Session:
    """marie serves it, fr and en; luca serves it only."""
    create_agent(session, "marie", "Marie", PASSWORD, ("it", "fr", "en"), NOW)
    create_agent(session, "luca", "Luca", PASSWORD, ("it",), NOW)
    return session


def test_the_queue_position_counts_what_the_available_agents_serve(team: Session) -> None:
    french = ticket(team, "fr-1", "fr")
    english = ticket(team, "en-1", "en")
    italian = ticket(team, "it-1", "it")
    # marie, available, takes the oldest of fr, en and it: the Italian ticket is third
    assert (french.queue_position, english.queue_position, italian.queue_position) == (1, 2, 3)

    set_status(team, "marie", AgentStatus.AWAY)
    # only luca works now, on Italian tickets: the Italian customer is next
    assert position(team, italian.ticket_id) == 1
    # nobody of the English team is available: its own queue, for their return
    assert position(team, english.ticket_id) == 1
    assert languages_served_with(team, "en") == set()
    assert languages_served_with(team, "it") == {"it"}

    set_status(team, "marie", AgentStatus.AVAILABLE)
    assert position(team, italian.ticket_id) == 3


def test_an_away_agent_is_offered_no_queued_ticket_and_cannot_claim_one(team: Session) -> None:
    queued = ticket(team, "it-2", "it")
    taken = ticket(team, "it-3", "it")
    handoff.claim(team, taken.ticket_id, "marie", NOW)
    set_status(team, "marie", AgentStatus.AWAY)

    offered = handoff.list_tickets(team, languages=["it"], away=True)
    assert [t.id for t in offered] == [taken.ticket_id]  # hers stays on her screen
    assert len(handoff.list_tickets(team, languages=["it"])) == 2  # luca sees both
    with pytest.raises(TicketError, match="you are away"):
        handoff.claim(team, queued.ticket_id, "marie", NOW)
    handoff.claim(team, queued.ticket_id, "luca", NOW)


def test_transfer_goes_only_to_an_available_agent_of_the_ticket_language(team: Session) -> None:
    create_agent(team, "ann", "Ann", PASSWORD, ("en",), NOW)
    italian = ticket(team, "it-4", "it")
    handoff.claim(team, italian.ticket_id, "marie", NOW)
    assert available_for(team, "it") == {"marie": "Marie", "luca": "Luca"}

    with pytest.raises(TicketError, match="not an available agent of the it team"):
        handoff.transfer(team, italian.ticket_id, "marie", "ann", NOW)  # English only
    with pytest.raises(TicketError, match="not an available agent"):
        handoff.transfer(team, italian.ticket_id, "marie", "nobody", NOW)
    with pytest.raises(TicketError, match="not an available agent"):
        handoff.transfer(team, italian.ticket_id, "marie", "luca", NOW, refused=["luca"])
    set_status(team, "luca", AgentStatus.AWAY)
    with pytest.raises(TicketError, match="not an available agent"):
        handoff.transfer(team, italian.ticket_id, "marie", "luca", NOW)
    with pytest.raises(TicketError, match="already yours"):
        handoff.transfer(team, italian.ticket_id, "marie", "marie", NOW)

    set_status(team, "luca", AgentStatus.AVAILABLE)
    moved = handoff.transfer(team, italian.ticket_id, "marie", "luca", NOW)
    assert (moved.status, moved.assigned_to) == ("assigned", "luca")
    # marie no longer holds it: she can neither move it again nor hand it back
    with pytest.raises(TicketError, match="claim the ticket"):
        handoff.transfer(team, italian.ticket_id, "marie", None, NOW)
    with pytest.raises(TicketError, match="claim the ticket"):
        handoff.close(team, italian.ticket_id, "marie", "", NOW)


def test_back_to_the_queue_keeps_the_ticket_place(team: Session) -> None:
    first = ticket(team, "it-5", "it")
    second = ticket(team, "it-6", "it")
    handoff.claim(team, first.ticket_id, "luca", NOW)
    assert position(team, second.ticket_id) == 1
    back = handoff.transfer(team, first.ticket_id, "luca", None, NOW)
    assert (back.status, back.assigned_to) == ("queued", None)
    assert (position(team, first.ticket_id), position(team, second.ticket_id)) == (1, 2)
    closed = ticket(team, "it-7", "it")
    handoff.claim(team, closed.ticket_id, "luca", NOW)
    handoff.close(team, closed.ticket_id, "luca", "done", NOW)
    with pytest.raises(TicketError, match="closed"):
        handoff.transfer(team, closed.ticket_id, "luca", None, NOW)
