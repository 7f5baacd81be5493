"""The help centre on the Insights page: each search and each "did this answer your
question?" recorded without personal data, and the figures a supervisor reads
(answered from an article, helpful rate per article, top searches with no good
article, grouped by lemmas); on SQLite and PostgreSQL, with the retention and the
erasure that cover the rows."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config.policy import get_policy
from bot.db.models import HelpCentreTurn
from bot.services.help_centre.articles import Article, Passage
from bot.services.help_centre.search import Answer
from bot.services.insights.figures import Filters, report, report_csv
from bot.services.insights.help_centre import (
    help_centre_figures,
    record_feedback,
    record_turn,
)
from bot.services.insights.outcomes import Windows
from bot.services.privacy.erasure import erase_account, find_account
from bot.services.privacy.redaction import conversation_key
from bot.services.privacy.retention import apply_retention
from tests.support.services import NOW
from tests.unit.bot.services.privacy.test_erasure import seed
from tests.unit.bot.services.privacy.test_erasure import tracker as erasure_tracker

__all__ = ["erasure_tracker"]  # the fixture

WINDOWS = Windows(quiet=timedelta(minutes=60), resolution=timedelta(hours=24))


def answer(id: str, topic: str, language: str = "en", score: float = 0.6) -> Answer:
    passage = Passage(id, ("One sentence.", "Two sentences."))
    article = Article(
        id, id.replace("-", " "), language, topic, f"https://help.example.com/{id}",
        "Demo", "2026-12-01", True, f"{language}/{id}.md", (passage,),
    )  # fmt: skip
    return Answer(article, passage, "One sentence. Two sentences.", score, True, False)


RECORD, SHARE = answer("record-meeting", "record-meeting"), answer("share-screen", "share-screen")


def searched(session: Session, sender: str, question: str, given: Answer | None, **kw) -> None:
    score = given.score if given else 0.2
    at = kw.get("at", NOW)
    intent = kw.get("intent", "ask_how_to")
    record_turn(session, sender, kw.get("language", "en"), intent, question, given, score, at)
    session.commit()


def test_answered_questions_and_the_helpful_rate_per_article(session: Session) -> None:
    searched(session, "rest:a", "how do I record a meeting?", RECORD)
    assert record_feedback(session, "rest:a", True)
    searched(session, "socketio:b", "where does my recording go", RECORD)
    assert record_feedback(session, "socketio:b", False)
    searched(session, "rest:c", "record the call please", RECORD)  # no answer to the question
    searched(session, "rest:d", "share my screen", SHARE)
    assert record_feedback(session, "rest:d", True)
    searched(session, "rest:e", "can I order a pizza", None)
    assert not record_feedback(session, "rest:e", True)  # no article was given: nothing
    session.commit()

    figures = help_centre_figures(session)
    assert (figures.searched, figures.answered, figures.not_answered) == (5, 4, 1)
    assert (figures.feedback, figures.helpful, figures.helpful_rate) == (3, 2, 0.6667)
    by_id = {a.id: a for a in figures.articles}
    assert [a.id for a in figures.articles] == ["record-meeting", "share-screen"]
    assert (by_id["record-meeting"].answered, by_id["record-meeting"].yes) == (3, 1)
    assert (by_id["record-meeting"].no, by_id["record-meeting"].helpful_rate) == (1, 0.5)
    assert by_id["share-screen"].helpful_rate == 1.0
    rest = help_centre_figures(session, channel="socketio")
    assert (rest.searched, rest.articles[0].no) == (1, 1)


def test_a_second_answer_changes_the_latest_article_only(session: Session) -> None:
    searched(session, "rest:a", "how do I record a meeting?", RECORD, at=NOW)
    record_feedback(session, "rest:a", False)
    searched(session, "rest:a", "share my screen", SHARE, at=NOW + timedelta(minutes=1))
    record_feedback(session, "rest:a", True)
    session.commit()
    by_id = {a.id: a for a in help_centre_figures(session).articles}
    assert (by_id["record-meeting"].no, by_id["share-screen"].yes) == (1, 1)


def test_searches_with_no_good_article_are_scrubbed_and_grouped_by_lemmas(
    session: Session,
) -> None:
    for sender, question, language in [
        ("rest:1", "How do I export my contacts?", "en"),
        ("rest:2", "how do i export my contacts", "en"),
        ("rest:3", "How do I export my contact", "en"),  # singular: the same lemmas
        ("rest:4", "export contacts to mario.rossi@libero.it, card 4111 1111 1111 1111", "en"),
        ("rest:5", "come esporto i contatti?", "it"),
        ("rest:6", "can I order a pizza", "en"),
    ]:
        intent = "out_of_scope" if "pizza" in question else "ask_how_to"
        searched(session, sender, question, None, language=language, intent=intent)
    groups = help_centre_figures(session).no_good_article
    assert [(g.language, g.count, g.intents) for g in groups][:1] == [("en", 3, {"ask_how_to": 3})]
    assert {"out_of_scope": 1} in [g.intents for g in groups]
    assert groups[0].examples[0].lower().startswith("how do i export my contact")
    assert sorted(g.count for g in groups) == [1, 1, 1, 3]
    stored = " ".join(session.scalars(select(HelpCentreTurn.question)))
    assert "mario" not in stored and "4111" not in stored and "libero" not in stored
    assert "[email]" in stored and "[number]" in stored


def test_the_rows_hold_no_sender_id_and_only_the_scrubbed_question(session: Session) -> None:
    sender = "twilio:whatsapp:+393471234567"
    searched(session, sender, "my account AC-100001, code 482913, how to record?", RECORD)
    row = session.scalars(select(HelpCentreTurn)).one()
    values = json.dumps({c.name: str(getattr(row, c.name)) for c in HelpCentreTurn.__table__.c})
    assert "393471234567" not in values and "AC-100001" not in values and "482913" not in values
    assert row.conversation_key == conversation_key(sender) and row.channel == "twilio"


def test_the_insights_report_and_csv_carry_the_help_centre(session: Session) -> None:
    searched(session, "rest:a", "how do I record a meeting?", RECORD)
    record_feedback(session, "rest:a", True)
    searched(session, "rest:b", "can I order a pizza", None, language="it")
    session.commit()
    result = report(session, Filters(), NOW + timedelta(hours=1), WINDOWS)
    body = result.as_dict()
    assert body["help_centre"]["answered"] == 1 and body["help_centre"]["not_answered"] == 1
    assert body["help_centre"]["articles"][0]["helpful_rate"] == 1.0
    assert body["help_centre"]["no_good_article"][0]["examples"] == ["can I order a pizza"]
    assert (body["overall"]["help_answered"], body["overall"]["help_helpful_rate"]) == (1, 1.0)
    lines = report_csv(result).splitlines()
    assert lines[0].endswith("help_answered,help_not_answered,help_helpful_rate")
    assert lines[1].endswith(",1,1,1.0")
    italian = report(session, Filters(language="it"), NOW + timedelta(hours=1), WINDOWS)
    assert (italian.help_centre.answered, italian.help_centre.not_answered) == (0, 1)


def test_retention_and_erasure_remove_the_rows(
    factory: sessionmaker, erasure_tracker: Engine
) -> None:
    seed(factory, erasure_tracker)
    policy = get_policy()
    old = NOW - timedelta(days=policy.conversation_retention_days + 1)
    with factory() as session:
        searched(session, "rest:marco", "how do I record a meeting?", RECORD)
        searched(session, "rest:text", "share my screen", SHARE)
        searched(session, "rest:someone", "an old question", None, at=old)
        report_ = apply_retention(session, erasure_tracker, NOW, policy)
        session.commit()
        assert report_.help_centre_turns == 1
        erased = erase_account(session, erasure_tracker, find_account(session, None, "AC-100001"))
        session.commit()
        assert erased.help_centre_turns == 1
        left = set(session.scalars(select(HelpCentreTurn.conversation_key)))
    assert left == {conversation_key("rest:text")}


@pytest.mark.parametrize("helpful", [True, False])
def test_feedback_without_any_search_records_nothing(session: Session, helpful: bool) -> None:
    assert not record_feedback(session, "rest:nobody", helpful)


def test_what_scrubbing_put_in_is_not_a_word_of_the_group(session: Session) -> None:
    searched(session, "rest:1", "how do I export my contacts", None, intent="ask_how_to")
    searched(
        session,
        "rest:2",
        "how do I export my contacts mario@example.com",
        None,
        intent="ask_how_to",
    )
    searched(
        session, "rest:3", "how do I export my contacts to 0612345678", None, intent="ask_how_to"
    )
    groups = help_centre_figures(session).no_good_article
    assert [g.count for g in groups] == [3]
