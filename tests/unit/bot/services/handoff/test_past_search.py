"""Past conversations on real databases: closed tickets stay listed, newest first, and
are found by ticket number, verified account ID, day and topic."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Account
from bot.services.handoff import tickets as handoff
from bot.services.handoff.tickets import HandoffRequest, TicketSearch, Verification, open_ticket
from bot.services.topics import Topic
from tests.support.services import KNOWLEDGE_BASE_POLICY

MONDAY = datetime(2026, 11, 23, 10, 0)
CLOSED = ("closed",)


def closed_ticket(
    session: Session, conversation: str, when: datetime, topic: Topic, account: int | None = None
) -> int:
    request = HandoffRequest(
        conversation_id=conversation, channel="rest", language="en", topic=topic, details={},
        verification=Verification.VERIFIED if account else Verification.SKIPPED,
        verified_account_id=account,
    )  # fmt: skip
    ticket_id = open_ticket(session, request, when, policy=KNOWLEDGE_BASE_POLICY).ticket_id
    handoff.claim(session, ticket_id, "marie", when)
    handoff.close(session, ticket_id, "marie", "done", when + timedelta(minutes=5))
    return ticket_id


def found(session: Session, search: TicketSearch, **filters: object) -> list[int]:
    tickets = handoff.list_tickets(
        session,
        languages=["en"],
        statuses=CLOSED,
        search=search,
        **filters,  # type: ignore[arg-type]
    )
    return [t.id for t in tickets]


def test_closed_conversations_are_found_by_number_account_day_and_topic(session: Session) -> None:
    account = session.scalars(select(Account.id).where(Account.public_id == "AC-100012")).one()
    old = closed_ticket(session, "a", MONDAY - timedelta(days=3), Topic.BILLING)
    verified = closed_ticket(session, "b", MONDAY, Topic.CANCELLATION, account)
    today = closed_ticket(session, "c", MONDAY + timedelta(hours=5), Topic.BILLING)

    assert found(session, TicketSearch()) == [today, verified, old]  # newest first
    assert found(session, TicketSearch(ticket_id=old)) == [old]
    assert found(session, TicketSearch(account_public_id="AC-100012")) == [verified]
    assert found(session, TicketSearch(account_public_id="AC-999999")) == []
    assert found(session, TicketSearch(day=date(2026, 11, 23))) == [today, verified]
    assert found(session, TicketSearch(day=date(2026, 11, 23)), topic="billing") == [today]
    # another language team's search finds none of them
    assert (
        handoff.list_tickets(session, languages=["it"], statuses=CLOSED, search=TicketSearch())
        == []
    )
