"""The wait a queued customer is shown, and when the team is back after hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy.orm import Session

from bot.config.policy import SupportHours
from bot.db.models import HandoffTicket
from bot.services.handoff import tickets as handoff
from bot.services.handoff.back_at import team_back_sentence
from bot.services.handoff.tickets import HandoffRequest, Verification, open_ticket
from bot.services.handoff.waiting import NOT_WAITING, WaitingState, waiting_states
from bot.services.topics import Topic
from tests.support.services import KNOWLEDGE_BASE_POLICY as POLICY

# Monday 23 November 2026, 10:00 UTC: in hours in Rome, Paris and London
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0)
FRIDAY_EVENING = datetime(2026, 11, 27, 19, 0)  # 20:00 in Rome: closed till Monday
ROME = POLICY.support_hours["it"]


def queue(session: Session, conversation_id: str, language: str = "it", now=MONDAY_MORNING) -> int:
    request = HandoffRequest(
        conversation_id=conversation_id, channel="socketio", language=language,
        topic=Topic.GENERAL, details={}, verification=Verification.SKIPPED,
    )  # fmt: skip
    return open_ticket(session, request, now, policy=POLICY).ticket_id


def test_each_waiting_customer_gets_their_place_and_the_default_wait(session: Session) -> None:
    first, second = queue(session, "first"), queue(session, "second")
    queue(session, "french", language="fr")
    states = waiting_states(
        session, ["first", "second", "french", "nobody"], MONDAY_MORNING, POLICY
    )
    # no closed tickets yet: the policy's minutes per person in the queue
    assert states == {
        "first": WaitingState(1, 5),
        "second": WaitingState(2, 10),
        "french": WaitingState(1, 5),
    }
    handoff.claim(session, first, "marie", MONDAY_MORNING)
    states = waiting_states(session, ["first", "second"], MONDAY_MORNING, POLICY)
    assert states == {"first": NOT_WAITING, "second": WaitingState(1, 5)}
    handoff.close(session, first, "marie", "", MONDAY_MORNING)
    assert waiting_states(session, ["first"], MONDAY_MORNING, POLICY) == {}
    assert second


def test_the_estimate_follows_the_teams_recent_handling_times(session: Session) -> None:
    handled = [12, 20, 30, 8, 40]  # minutes from ticket to close: median 20
    for number, minutes in enumerate(handled):
        opened = MONDAY_MORNING - timedelta(hours=2)
        ticket = queue(session, f"done-{number}", now=opened)
        handoff.claim(session, ticket, "marie", opened)
        handoff.close(session, ticket, "marie", "", opened + timedelta(minutes=minutes))
    queue(session, "waiting-1")
    queue(session, "waiting-2")
    states = waiting_states(session, ["waiting-1", "waiting-2"], MONDAY_MORNING, POLICY)
    assert states == {"waiting-1": WaitingState(1, 20), "waiting-2": WaitingState(2, 40)}
    # another team's handling times are not this one's
    assert waiting_states(session, ["waiting-1"], MONDAY_MORNING, POLICY)
    queue(session, "english", language="en")
    assert waiting_states(session, ["english"], MONDAY_MORNING, POLICY)["english"].minutes == 5


def test_out_of_hours_the_place_is_kept_but_no_wait_is_quoted(session: Session) -> None:
    queue(session, "late", now=FRIDAY_EVENING)
    states = waiting_states(session, ["late"], FRIDAY_EVENING, POLICY)
    assert states == {"late": WaitingState(1, 0, in_hours=False)}
    assert states["late"].as_dict() == {"position": 1, "minutes": 0, "in_hours": False}


def test_the_next_opening_is_in_the_teams_time_zone() -> None:
    # Friday 20:00 in Rome: Monday 09:00 Rome time, 08:00 UTC
    assert ROME.next_opening(FRIDAY_EVENING) == datetime(2026, 11, 30, 8, 0)
    # open: now; before opening on a weekday: that morning
    assert ROME.next_opening(MONDAY_MORNING) == MONDAY_MORNING
    assert ROME.next_opening(datetime(2026, 11, 24, 6, 0)) == datetime(2026, 11, 24, 8, 0)
    # summer time: 09:00 in Rome is 07:00 UTC
    assert ROME.next_opening(datetime(2026, 7, 4, 12, 0)) == datetime(2026, 7, 6, 7, 0)
    weekend = SupportHours("Europe/London", frozenset({5, 6}), time(10), None)
    assert weekend.openings(MONDAY_MORNING) == [
        (datetime(2026, 11, 28, 10, 0), datetime(2026, 11, 29, 0, 0)),
        (datetime(2026, 11, 29, 10, 0), datetime(2026, 11, 30, 0, 0)),
    ]


def test_the_opening_periods_leave_out_those_already_over() -> None:
    periods = ROME.openings(datetime(2026, 11, 23, 18, 0))  # Monday 19:00 in Rome
    assert periods[0] == (datetime(2026, 11, 24, 8, 0), datetime(2026, 11, 24, 17, 0))
    assert len(periods) == 4  # Tuesday to Friday; next Monday is the 8th day


@pytest.mark.parametrize(
    ("language", "zone", "sentence"),
    [
        ("en", None, "Our team is back on Monday 30 November at 09:00 (Rome time)."),
        (
            "it",
            None,
            "Il nostro team torna disponibile lunedì 30 novembre alle 09:00 (ora di Roma).",
        ),
        (
            "fr",
            "America/Montreal",
            "Notre équipe sera de retour lundi 30 novembre à 03:00 (heure locale).",
        ),
        ("en", "Asia/Tokyo", "Our team is back on Monday 30 November at 17:00 (your time)."),
    ],
)
def test_the_out_of_hours_reply_says_when_the_team_is_back(
    language: str, zone: str | None, sentence: str
) -> None:
    assert team_back_sentence(ROME, FRIDAY_EVENING, language, zone) == sentence


@pytest.mark.parametrize("zone", ["../../etc/passwd", "Mars/Olympus", "", 42, "x" * 500, None])
def test_a_time_zone_that_is_not_one_falls_back_to_the_teams(zone: object) -> None:
    assert team_back_sentence(ROME, FRIDAY_EVENING, "en", zone).endswith("(Rome time).")


def test_tickets_of_other_conversations_are_not_read(session: Session) -> None:
    queue(session, "mine")
    queue(session, "theirs")
    assert set(waiting_states(session, ["mine"], MONDAY_MORNING, POLICY)) == {"mine"}
    assert session.query(HandoffTicket).count() == 2
