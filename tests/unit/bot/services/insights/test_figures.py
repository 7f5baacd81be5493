"""Insights: Rasa's stored events read incrementally into our tables, outcomes and
figures per language and channel, on SQLite and PostgreSQL. The events are the dicts
Rasa writes, in Rasa's own `events` table."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import InsightConversation, InsightCursor, InsightReviewMessage
from bot.services.insights.figures import Filters, refresh, report, report_csv
from bot.services.insights.outcomes import Outcome, Windows, outcome
from tests.support.insight_events import Conversation, tracker
from tests.support.services import NOW, dump

__all__ = ["tracker"]  # the fixture

WINDOWS = Windows(quiet=timedelta(minutes=60), resolution=timedelta(hours=24))
LATER = NOW + timedelta(days=2)  # every conversation below has settled by then


def reset_flow(conversation: Conversation) -> Conversation:
    return (
        conversation.user("I forgot my password", "reset_password")
        .action("reset_form")
        .user("mario.rossi@libero.it", "inform")
        .action("action_request_reset")
        .bot("If m***@libero.it has an account, a link is on its way.")
        .action("action_listen")
    )


def handoff(conversation: Conversation, topic: str = "cancellation") -> Conversation:
    return (
        conversation.user("I want to cancel", "cancel_subscription")
        .slot("handoff_topic", topic)
        .user("talk to a human", "talk_to_human")
        .action("action_start_handoff")
        .action("handoff_form")
        .action("action_handoff")
        .slot("handoff_topic", None)
        .write({"event": "pause"})
    )


def claimed_and_handed_back(conversation: Conversation, wait: timedelta) -> Conversation:
    return (
        conversation.wait(wait)
        .write({"event": "pause"})
        .slot("agent_name", "Marie")
        .action("utter_agent_joined")
        .write({"event": "resume"})
        .slot("agent_name", None)
        .action("utter_handback")
    )


def misunderstood(conversation: Conversation) -> Conversation:
    return (
        conversation.user("blorp fizzle", "nlu_fallback", 0.1)
        .action("utter_default")
        .user("wibble wobble", "nlu_fallback", 0.2)
        .action("utter_fallback_offer_human")
    )


def read_all(session: Session, tracker: Engine, now: datetime = NOW) -> int:
    with tracker.connect() as connection:
        return refresh(session, connection, WINDOWS, now)


def outcomes(session: Session, now: datetime) -> dict[str, Outcome]:
    rows = session.query(InsightConversation).order_by(InsightConversation.id).all()
    return {f"{row.channel}/{row.language}": outcome(row, now, WINDOWS) for row in rows}


def test_each_outcome_of_a_conversation(session: Session, tracker: Engine) -> None:
    start = NOW - timedelta(hours=3)
    confirmed = reset_flow(Conversation(tracker, "rest:a", start, "it"))
    confirmed.user("grazie", "thank")
    reset_flow(Conversation(tracker, "socketio:b", start, "fr"))  # never came back
    handoff(Conversation(tracker, "telegram:1", start, "en"))
    misunderstood(Conversation(tracker, "slack:U1", start, "en"))
    Conversation(tracker, "facebook:2", start, "it").user("ciao", "greet")
    read_all(session, tracker)
    assert outcomes(session, NOW) == {
        "rest/it": Outcome.RESOLVED,  # confirmed at once
        "socketio/fr": Outcome.IN_PROGRESS,  # answered 3 hours ago: may still come back
        "telegram/en": Outcome.HANDED_OFF,
        "slack/en": Outcome.MISUNDERSTOOD,
        "facebook/it": Outcome.ABANDONED,
    }
    assert outcomes(session, LATER)["socketio/fr"] == Outcome.RESOLVED  # 24 hours, no return


def test_asking_again_reopens_the_flow_in_the_session_and_in_a_new_one(
    session: Session, tracker: Engine
) -> None:
    start = NOW - timedelta(days=1)
    again = reset_flow(Conversation(tracker, "rest:again", start))
    again.user("my account is still locked", "cannot_login")  # asked again: not settled
    came_back = reset_flow(Conversation(tracker, "rest:back", start, "fr"))
    came_back.wait(timedelta(hours=2)).session().user("je ne peux pas me connecter", "cannot_login")
    read_all(session, tracker)
    rows = session.query(InsightConversation).order_by(InsightConversation.id).all()
    assert [(r.language, outcome(r, LATER, WINDOWS)) for r in rows] == [
        ("en", Outcome.ABANDONED),
        ("fr", Outcome.ABANDONED),  # came back within 24 hours with a new question
        ("fr", Outcome.ABANDONED),  # the new session: language carried over
    ]
    assert rows[1].came_back and rows[2].started_at > rows[1].started_at


def test_reads_only_new_events_and_updates_the_same_conversation(
    session: Session, tracker: Engine
) -> None:
    customer = Conversation(tracker, "rest:later", NOW - timedelta(hours=1))
    customer.user("I forgot my password", "reset_password")
    first = read_all(session, tracker)
    assert first == 5 and read_all(session, tracker) == 0
    customer.action("reset_form").user("m@x.it", "inform").action("action_request_reset")
    customer.user("thanks", "thank")
    assert read_all(session, tracker) == 4
    [row] = session.query(InsightConversation).all()
    assert row.intents == {"reset_password": 1, "inform": 1, "thank": 1}
    assert outcome(row, NOW, WINDOWS) == Outcome.RESOLVED
    cursor = session.get(InsightCursor, "tracker_events", populate_existing=True)
    assert cursor.last_event_id == 9


def test_events_of_the_last_seconds_wait_for_the_next_refresh(
    session: Session, tracker: Engine
) -> None:
    customer = Conversation(tracker, "rest:now", NOW - timedelta(seconds=20))
    customer.user("hello", "greet")  # events at NOW -15, -10, -5, 0 and +5 seconds
    assert read_all(session, tracker) == 3
    assert read_all(session, tracker, NOW + timedelta(seconds=10)) == 2


def test_figures_per_language_and_channel(session: Session, tracker: Engine) -> None:
    start = NOW - timedelta(days=3)
    reset_flow(Conversation(tracker, "rest:r1", start, "it")).user("grazie", "thank")
    reset_flow(Conversation(tracker, "rest:r2", start, "it"))
    claimed_and_handed_back(
        handoff(Conversation(tracker, "socketio:h1", start, "fr")), timedelta(minutes=4)
    )
    claimed_and_handed_back(
        handoff(Conversation(tracker, "socketio:h2", start, "fr"), "lost_account"),
        timedelta(minutes=10),
    )
    handoff(Conversation(tracker, "telegram:h3", start, "en"))  # nobody claimed it yet
    misunderstood(Conversation(tracker, "rest:m1", start, "en"))
    rated = reset_flow(Conversation(tracker, "telegram:s1", start, "en"))
    rated.slot("satisfaction_helped", True).slot("satisfaction_rating", 4)
    unhappy = reset_flow(Conversation(tracker, "telegram:s2", start, "en"))
    unhappy.slot("satisfaction_helped", False)
    Conversation(tracker, "rest:old", start - timedelta(days=10), "it").user("ciao", "greet")
    read_all(session, tracker)

    result = report(session, Filters(start=start - timedelta(hours=1)), NOW, WINDOWS)
    overall = result.overall
    assert (overall.conversations, overall.settled, overall.in_progress) == (8, 8, 0)
    assert (overall.resolved, overall.handed_off, overall.misunderstood) == (3, 3, 1)
    assert overall.abandoned == 1  # said it did not help
    assert overall.resolution_rate == 0.375 and overall.handoff_rate == 0.375
    assert overall.handoff_topics == [("cancellation", 2), ("lost_account", 1)]
    assert (overall.handoffs_claimed, overall.handed_back) == (2, 2)
    assert overall.median_wait_seconds == pytest.approx(7 * 60 + 10, abs=10)
    assert (overall.fallbacks, overall.user_messages) == (2, 17)
    assert overall.fallback_rate == round(2 / 17, 4)
    satisfaction = (overall.satisfaction_answers, overall.satisfied, overall.satisfaction_rate)
    assert satisfaction == (2, 1, 0.5)
    assert (overall.ratings, overall.average_rating) == (1, 4.0)
    assert overall.top_intents[0] == ("reset_password", 4)
    assert set(result.by_language) == {"it", "fr", "en"}
    assert result.by_language["it"].resolution_rate == 1.0  # r2: no new question in 24 hours
    assert result.by_language["fr"].handoff_rate == 1.0
    assert result.by_channel["telegram"].conversations == 3

    french = report(session, Filters(language="fr"), NOW, WINDOWS)
    assert french.overall.conversations == 2 and set(french.by_language) == {"fr"}
    everything = report(session, Filters(), NOW, WINDOWS)
    assert everything.overall.conversations == 9

    lines = report_csv(result).splitlines()
    assert lines[0].startswith("group,value,conversations,in_progress,resolved,handed_off")
    assert lines[1].startswith("overall,all,8,0,3,3,1,1,0.375,0.375")
    assert "cancellation:2 lost_account:1" in lines[1]
    assert [line.split(",")[:2] for line in lines[2:]] == [
        ["language", "en"], ["language", "fr"], ["language", "it"],
        ["channel", "rest"], ["channel", "socketio"], ["channel", "telegram"],
    ]  # fmt: skip


def test_the_insight_tables_hold_no_personal_data(session: Session, tracker: Engine) -> None:
    sender = "twilio:whatsapp:+393471234567"
    customer = Conversation(tracker, sender, NOW - timedelta(hours=2), "it")
    customer.user("sono mario.rossi@libero.it, carta 4111 1111 1111 1111", "inform")
    customer.user("AC-100001 codice 482913", "inform").action("action_account_answer")
    customer.user("sono marco_demo, +39 347 123 4567, mario.rossi@libero.it", "nlu_fallback", 0.1)
    handoff(customer)
    read_all(session, tracker)
    stored = dump(session, InsightConversation, InsightCursor, InsightReviewMessage)
    secrets = ("+393471234567", "whatsapp", "mario", "libero", "4111", "AC-100001", "482913")
    for secret in (*secrets, "marco_demo", "347", "4567"):
        assert secret not in stored
    assert "twilio" in stored and "inform" in stored  # the facts are there
    assert "sono [username], [number], [email]" in stored  # the message, for review


def test_an_article_from_the_help_centre_resolves_unless_it_did_not_answer(
    session: Session, tracker: Engine
) -> None:
    started = NOW - timedelta(hours=3)
    helped = Conversation(tracker, "rest:article-yes", started, "en")
    helped.user("how do I record a meeting?", "ask_how_to", 0.9)
    helped.action("action_answer_from_help_centre").slot("help_article", {"id": "record-meeting"})
    helped.user('/article_feedback{"article_helpful": true}', "article_feedback", 1.0)
    helped.action("action_article_feedback").slot("article_helpful", True)
    unhelpful = Conversation(tracker, "socketio:article-no", started, "en")
    unhelpful.user("how do I record a meeting?", "ask_how_to", 0.9)
    unhelpful.action("action_answer_from_help_centre").slot("help_article", {"id": "x"})
    unhelpful.user("no", "deny", 0.9)
    unhelpful.action("action_article_feedback").slot("article_helpful", False)
    read_all(session, tracker)
    assert outcomes(session, NOW) == {"rest/en": Outcome.RESOLVED, "socketio/en": Outcome.ABANDONED}
