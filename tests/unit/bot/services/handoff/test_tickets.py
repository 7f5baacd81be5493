"""Handoff tickets on real databases: what the agent gets (topic, verification,
which details matched) and what nobody gets (codes, card numbers, stored values)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config.policy import SupportHours
from bot.db.models import Account, HandoffTicket, WebhookStatus
from bot.services.handoff import tickets as handoff
from bot.services.handoff.details import (
    SKIPPED,
    card_last4,
    check_details,
    details_to_ask,
    needs_code,
    products_in,
)
from bot.services.handoff.tickets import (
    HandoffRequest,
    Verification,
    open_ticket,
    transcript_from_events,
)
from bot.services.topics import Topic
from tests.support.services import KNOWLEDGE_BASE_POLICY, dump

# Monday 23 November 2026, 10:00 UTC: in hours in Rome, Paris and London; the 22nd is a Sunday
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0)
SUNDAY = datetime(2026, 11, 22, 10, 0)

# Stored values of AC-100011 that a ticket must never reveal unless the customer typed them
CONTRACT = {
    "email": "contract15@example.com",
    "card": "1881",
    "address": "12 rue de la Paix, 75002 Paris, FR",
    "public_id": "AC-100011",
}


def account_id(session: Session, public_id: str) -> int:
    return session.scalars(select(Account.id).where(Account.public_id == public_id)).one()


def request(**overrides: object) -> HandoffRequest:
    values: dict[str, object] = {
        "conversation_id": "conv-handoff",
        "channel": "socketio",
        "language": "fr",
        "topic": Topic.CANCELLATION,
        "details": {},
        "verification": Verification.SKIPPED,
        "transcript": [],
    }
    values.update(overrides)
    return HandoffRequest(**values)  # type: ignore[arg-type]


# --- what the form asks ------------------------------------------------------------


def test_the_form_asks_the_details_of_policy_section_3() -> None:
    cancellation = [d.value for d in details_to_ask(Topic.CANCELLATION, verified=False)]
    assert cancellation == [
        "account_id",
        "billing_email",
        "card_last4",
        "billing_address",
        "products",
    ]
    lost = [d.value for d in details_to_ask(Topic.LOST_ACCOUNT, verified=False)]
    assert lost == ["identifier", "card_last4", "billing_address"]
    # a verified customer is not asked who they are again, and always gets one question
    assert "account_id" not in [d.value for d in details_to_ask(Topic.CANCELLATION, verified=True)]
    assert [d.value for d in details_to_ask(Topic.REACTIVATION, verified=True)] == ["reason"]
    assert needs_code(Topic.GENERAL, verified=False)
    assert not needs_code(Topic.GENERAL, verified=True)
    assert not needs_code(Topic.VERIFICATION_FAILED, verified=False)  # no new code after 3 wrong


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4242", "4242"), ("ending in 1881", "1881"), ("**** 5100", "5100"),
     ("4111 1111 1111 1111", None), ("12 34", None), ("1234 5678", None)],
)  # fmt: skip
def test_card_last4_reads_only_a_last_four(text: str, expected: str | None) -> None:
    assert card_last4(text) == expected


def test_products_are_read_in_three_languages() -> None:
    assert products_in("je veux résilier le webinaire") == ["webinar"]
    assert products_in("la formazione e le riunioni") == ["meetings", "training"]
    assert products_in("Meetings") == ["meetings"]
    assert products_in("nothing here") == []


# --- matching ------------------------------------------------------------------------


def test_details_are_checked_against_the_account(session: Session) -> None:
    check = check_details(
        session,
        {
            "account_id": "ac 100011",
            "billing_email": "teammate.admin@example.com",  # a product admin, not billing admin
            "card_last4": "1881",
            "billing_address": "12, Rue de la Paix 75002 PARIS FR",
            "products": "webinar",
        },
        verified_account_id=None,
    )
    assert check.account_id == account_id(session, "AC-100011")
    assert check.matched == {
        "account_id": True,
        "billing_email": False,
        "card_last4": True,
        "billing_address": True,
        "products": True,
    }


@pytest.mark.parametrize(
    ("typed", "matched"),
    [
        # what the customer gave, with the country, the city or both left out (#25)
        ("12 rue de la Paix, 75002 Paris", True),
        ("12 Rue de la Paix 75002", True),
        ("12 ruè de la paix, 75002, Paris, FR.", True),
        # a wrong or missing number or postcode is never the same address
        ("14 rue de la Paix, 75002 Paris", False),
        ("12 rue de la Paix, 75003 Paris", False),
        ("rue de la Paix, 75002 Paris, FR", False),
        ("12 rue de la Paix, Paris, FR", False),
        ("12 75002", False),
        ("12 rue de Rivoli, 75002 Paris", False),
    ],
)
def test_a_billing_address_matches_on_what_the_customer_gave(
    session: Session, typed: str, matched: bool
) -> None:
    check = check_details(session, {"account_id": "AC-100011", "billing_address": typed}, None)
    assert check.matched["billing_address"] is matched, typed


def test_skipped_details_and_unknown_accounts_are_not_checked(session: Session) -> None:
    check = check_details(
        session, {"identifier": "nobody@example.com", "card_last4": SKIPPED}, None
    )
    assert check.account_id is None
    assert check.matched == {"identifier": None, "card_last4": None}


# --- tickets ------------------------------------------------------------------------


def test_ticket_records_matches_but_no_code_card_or_stored_value(session: Session) -> None:
    events = [
        {"event": "user", "text": "je veux résilier mon contrat", "timestamp": 1.0},
        {"event": "slot", "name": "requested_slot", "value": "handoff_card_last4"},
        {"event": "user", "text": "4111 1111 1111 1111", "timestamp": 2.0},
        {"event": "user", "text": "1881", "timestamp": 3.0},
        {"event": "slot", "name": "requested_slot", "value": "handoff_code"},
        {"event": "bot", "text": "Saisissez ici le code reçu par e-mail.", "timestamp": 4.0},
        {"event": "user", "text": "482 913", "timestamp": 5.0},
        {"event": "active_loop", "name": None},
        {"event": "user", "text": "merci", "timestamp": 6.0},
    ]
    outcome = open_ticket(
        session,
        request(
            details={"account_id": "AC-100011", "card_last4": "1881", "products": "webinar"},
            verification=Verification.FAILED,
            transcript=transcript_from_events(events),
        ),
        MONDAY_MORNING,
        policy=KNOWLEDGE_BASE_POLICY,
    )
    ticket = session.get(HandoffTicket, outcome.ticket_id)
    assert ticket is not None
    assert ticket.status == "queued" and ticket.topic == "cancellation"
    assert ticket.verification["status"] == "failed"
    assert ticket.verification["method"] == "one_time_code"
    assert {d["name"]: d["matched"] for d in ticket.verification["details"]} == {
        "account_id": True, "card_last4": True, "products": True,
    }  # fmt: skip
    assert "matched: account_id, card_last4, products" in ticket.summary
    texts = [line["text"] for line in ticket.transcript]
    assert texts == [
        "je veux résilier mon contrat",
        "[card number removed]",
        "••••",
        "Saisissez ici le code reçu par e-mail.",
        "[one-time code]",
        "merci",
    ]
    stored = dump(session, HandoffTicket)
    payload = json.dumps(handoff.webhook_payload(ticket), ensure_ascii=False)
    for secret in ("482", "913", "4111", "1881", CONTRACT["email"], "rue de la Paix"):
        assert secret not in stored
        assert secret not in payload
    assert ticket.account_id is None  # not verified: no account link


def test_a_verified_ticket_links_the_account_for_the_desk(session: Session) -> None:
    verified = account_id(session, "AC-100012")
    outcome = open_ticket(
        session,
        request(
            topic=Topic.GENERAL, details={"reason": "change my plan"},
            verification=Verification.VERIFIED, verified_account_id=verified,
        ),
        MONDAY_MORNING, policy=KNOWLEDGE_BASE_POLICY,
    )  # fmt: skip
    ticket = session.get(HandoffTicket, outcome.ticket_id)
    assert ticket is not None and ticket.account_id == verified
    assert ticket.verification["account_found"] is True
    assert "monthly@example.com" not in dump(session, HandoffTicket)
    assert handoff.webhook_payload(ticket)["ticket"].get("account_id") is None


def test_queue_positions_are_per_language_and_one_open_ticket_per_conversation(
    session: Session,
) -> None:
    first = open_ticket(
        session, request(conversation_id="a"), MONDAY_MORNING, policy=KNOWLEDGE_BASE_POLICY
    )
    second = open_ticket(
        session, request(conversation_id="b"), MONDAY_MORNING, policy=KNOWLEDGE_BASE_POLICY
    )
    italian = open_ticket(
        session, request(conversation_id="c", language="it"), MONDAY_MORNING,
        policy=KNOWLEDGE_BASE_POLICY,
    )  # fmt: skip
    again = open_ticket(
        session, request(conversation_id="b"), MONDAY_MORNING, policy=KNOWLEDGE_BASE_POLICY
    )
    assert (first.queue_position, second.queue_position, italian.queue_position) == (1, 2, 1)
    assert again.ticket_id == second.ticket_id and not again.created
    handoff.claim(session, first.ticket_id, "marie", MONDAY_MORNING)
    assert (
        open_ticket(
            session, request(conversation_id="b"), MONDAY_MORNING, policy=KNOWLEDGE_BASE_POLICY
        ).queue_position
        == 1
    )


def test_outside_support_hours_the_ticket_waits_for_email(session: Session) -> None:
    outcome = open_ticket(session, request(), SUNDAY, policy=KNOWLEDGE_BASE_POLICY)
    assert not outcome.in_hours
    evening = MONDAY_MORNING.replace(hour=18, minute=30)  # 19:30 in Paris
    assert not KNOWLEDGE_BASE_POLICY.support_hours["fr"].is_open(evening)
    assert KNOWLEDGE_BASE_POLICY.support_hours["en"].is_open(evening - timedelta(hours=1))


def test_support_hours_follow_the_team_time_zone() -> None:
    rome = SupportHours("Europe/Rome", frozenset(range(5)), time(9), time(18))
    # 08:30 UTC is 09:30 in Rome in winter, 07:30 UTC in summer is 09:30 too
    assert rome.is_open(datetime(2026, 11, 23, 8, 30))
    assert not rome.is_open(datetime(2026, 11, 23, 7, 30))
    assert rome.is_open(datetime(2026, 7, 6, 7, 30))
    always = SupportHours("UTC", frozenset(range(7)), time(0), None)
    assert always.is_open(datetime(2026, 11, 22, 23, 59))


def test_claim_and_close(session: Session) -> None:
    outcome = open_ticket(session, request(), MONDAY_MORNING, policy=KNOWLEDGE_BASE_POLICY)
    with pytest.raises(handoff.TicketError, match="claim"):
        handoff.close(session, outcome.ticket_id, "marie", "done", MONDAY_MORNING)
    handoff.claim(session, outcome.ticket_id, "marie", MONDAY_MORNING)
    with pytest.raises(handoff.TicketError, match="already taken by marie"):
        handoff.claim(session, outcome.ticket_id, "paul", MONDAY_MORNING)
    ticket = handoff.close(
        session, outcome.ticket_id, "marie", "cancelled by phone", MONDAY_MORNING
    )
    assert ticket.status == "closed" and ticket.resolution_note == "cancelled by phone"
    # handed back once: a second hand-back (a stale desk tab) changes nothing
    with pytest.raises(handoff.TicketError, match="closed"):
        handoff.close(session, outcome.ticket_id, "marie", "again", MONDAY_MORNING)
    assert session.get(HandoffTicket, outcome.ticket_id).resolution_note == "cancelled by phone"
    assert handoff.list_tickets(session, languages=["fr"]) == []
    assert [t.id for t in handoff.list_tickets(session, languages=["fr"], statuses=["closed"])] == [
        outcome.ticket_id
    ]


def test_the_transcript_masks_personal_numbers_but_not_dates() -> None:
    events = [
        {
            "event": "bot",
            "text": "Il tuo account è limitato dal 26 novembre 2025.",
            "timestamp": 1.0,
        },
        {"event": "user", "text": "ho pagato 2025 euro nel 2024, la carta finisce con 4242"},
        {"event": "user", "text": "il codice è 482913"},
        {"event": "slot", "name": "requested_slot", "value": "handoff_card_last4"},
        {"event": "user", "text": "1881 grazie"},
        {"event": "active_loop", "name": None},
        {"event": "user", "text": "il mio account è AC-100011"},
    ]
    texts = [line["text"] for line in transcript_from_events(events)]
    assert texts == [
        "Il tuo account è limitato dal 26 novembre 2025.",
        "ho pagato •••• euro nel ••••, la carta finisce con ••••",
        "il codice è ••••••",
        "•••• grazie",
        "il mio account è AC-100011",
    ]


def test_a_webhook_delivery_is_recorded_on_its_ticket(session: Session) -> None:
    outcome = open_ticket(
        session, request(), MONDAY_MORNING, webhook_enabled=True, policy=KNOWLEDGE_BASE_POLICY
    )
    ticket = session.get(HandoffTicket, outcome.ticket_id)
    assert ticket is not None and ticket.webhook_status == WebhookStatus.PENDING.value
    handoff.record_delivery(session, outcome.ticket_id, delivered=False, attempts=4)
    session.refresh(ticket)
    assert (ticket.webhook_status, ticket.webhook_attempts) == (WebhookStatus.FAILED.value, 4)
    handoff.record_delivery(session, 999_999, delivered=True, attempts=1)  # erased: no error


def test_after_an_article_that_did_not_help_the_ticket_carries_question_and_article(
    session: Session,
) -> None:
    """The question is the reason (not asked again); what the customer typed in it is
    masked like every ticket text."""
    assert [d.value for d in details_to_ask(Topic.GENERAL, False, known_reason=True)] == [
        "identifier"
    ]
    assert [d.value for d in details_to_ask(Topic.GENERAL, True, known_reason=True)] == ["reason"]
    unhelpful = handoff.UnhelpfulArticle(
        question="how do I record a meeting? I'm mario.rossi@libero.it, card 4111 1111 1111 1111",
        article_id="record-meeting",
        title="Record a meeting",
        url="https://help.example.com/en/record-a-meeting",
    )
    outcome = open_ticket(
        session,
        request(topic=Topic.GENERAL, language="en", unhelpful_article=unhelpful),
        datetime(2026, 11, 23, 10, 0),
    )
    summary = session.get(HandoffTicket, outcome.ticket_id).summary
    assert 'question: "how do I record a meeting?' in summary
    assert (
        'article that did not help: record-meeting "Record a meeting" '
        "https://help.example.com/en/record-a-meeting"
    ) in summary
    assert "mario.rossi" not in summary and "4111" not in summary
