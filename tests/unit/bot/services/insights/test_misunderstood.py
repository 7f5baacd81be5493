"""Misunderstood messages: kept from Rasa's stored events when not understood (or
barely), scrubbed, grouped by similarity, and labelled into the review file; on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import InsightReviewMessage
from bot.services.insights.figures import refresh
from bot.services.insights.misunderstood import (
    LabelError,
    ignore,
    label,
    open_groups,
    page_of,
    scrub,
)
from bot.services.insights.outcomes import Windows
from tests.support.insight_events import Conversation, tracker
from tests.support.services import NOW

__all__ = ["tracker"]  # the fixture

WINDOWS = Windows(quiet=timedelta(minutes=60), resolution=timedelta(hours=24))


def read_all(session: Session, tracker: Engine) -> None:
    with tracker.connect() as connection:
        refresh(session, connection, WINDOWS, NOW)
    session.commit()


def test_keeps_what_was_not_understood_and_nothing_a_form_asked_for(
    session: Session, tracker: Engine
) -> None:
    customer = Conversation(tracker, "rest:r1", NOW - timedelta(hours=1), language=None)
    customer.user("voglio un rimborso", "nlu_fallback", 0.3, guess="cancel_subscription")
    customer.slot("language", "it")  # set just after the first message, as Rasa does
    customer.user("forse disdire", "cancel_subscription", 0.42)  # understood, barely
    customer.user("voglio disdire l'abbonamento", "cancel_subscription", 0.97)
    customer.user("/talk_to_human", "nlu_fallback", 0.1)  # a button payload
    customer.write({"event": "active_loop", "name": "handoff_form"})
    customer.user("Via Roma 12, Milano", "nlu_fallback", 0.1)  # an answer to the form
    customer.write({"event": "active_loop", "name": None})
    customer.user("asdf qwerty", "nlu_fallback", 0.05)
    read_all(session, tracker)
    rows = session.query(InsightReviewMessage).order_by(InsightReviewMessage.id).all()
    assert [(r.text, r.predicted_intent, r.best_guess) for r in rows] == [
        ("voglio un rimborso", "nlu_fallback", "cancel_subscription"),
        ("forse disdire", "cancel_subscription", "cancel_subscription"),
        ("asdf qwerty", "nlu_fallback", None),
    ]
    assert {(r.language, r.channel) for r in rows} == {("it", "rest")}


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("write to mario.rossi@libero.it please", "write to [email] please"),
        ("my id is AC-100001", "my id is [account]"),
        ("call +39 347 123 4567 or 06-1234", "call [number] or [number]"),
        ("I am marco_demo, or marco85", "I am [username], or [username]"),
        ("see https://example.com/a?b=1", "see [link]"),
    ],
)
def test_scrub_leaves_no_identifier(typed: str, kept: str) -> None:
    assert scrub(typed) == kept


def test_similar_messages_are_one_group_per_language(session: Session, tracker: Engine) -> None:
    customer = Conversation(tracker, "rest:g1", NOW - timedelta(hours=1), "en")
    for text in ("I want a refund", "i want a refund!", "I want my refund", "what is a webinar"):
        customer.user(text, "nlu_fallback", 0.1, guess="cancel_subscription")
    Conversation(tracker, "rest:g2", NOW - timedelta(hours=1), "fr").user(
        "I want a refund", "nlu_fallback", 0.1
    )
    read_all(session, tracker)
    groups = [g.as_dict() for g in open_groups(session)]
    assert [(g["language"], g["count"]) for g in groups] == [("en", 3), ("en", 1), ("fr", 1)]
    assert groups[0]["best_guess"] == "cancel_subscription"
    assert "i want a refund!" in groups[0]["examples"]
    assert [g["count"] for g in (x.as_dict() for x in open_groups(session, language="fr"))] == [1]


def test_a_label_appends_the_group_to_the_review_file_once(
    session: Session, tracker: Engine, tmp_path: Path
) -> None:
    customer = Conversation(tracker, "rest:l1", NOW - timedelta(hours=1), "it")
    customer.user("voglio un rimborso", "nlu_fallback", 0.2).user("un rimborso", "nlu_fallback")
    read_all(session, tracker)
    [group] = open_groups(session)
    review = tmp_path / "review" / "nlu_review.yml"
    with pytest.raises(LabelError):
        label(session, group.ids, "refund_please", by="sofia", now=NOW, review_file=review)
    assert not review.exists()
    count = label(
        session, group.ids, "cancel_subscription", by="sofia", now=NOW, review_file=review
    )
    session.commit()
    assert count == 2 and open_groups(session) == []
    entries = yaml.safe_load(review.read_text(encoding="utf-8"))
    assert [(e["intent"], e["language"], e["text"], e["labelled_by"]) for e in entries] == [
        ("cancel_subscription", "it", "voglio un rimborso", "sofia"),
        ("cancel_subscription", "it", "un rimborso", "sofia"),
    ]
    assert review.read_text(encoding="utf-8").startswith("# Misunderstood messages")
    with pytest.raises(LabelError):  # already labelled: nothing appended twice
        label(session, group.ids, "cancel_subscription", by="sofia", now=NOW, review_file=review)


def test_an_ignored_group_leaves_the_list_and_writes_nothing(
    session: Session, tracker: Engine, tmp_path: Path
) -> None:
    customer = Conversation(tracker, "rest:i1", NOW - timedelta(hours=1), "it")
    customer.user("ahahah", "nlu_fallback", 0.2).user("ahahahah", "nlu_fallback", 0.1)
    customer.user("voglio un rimborso", "nlu_fallback", 0.2)
    read_all(session, tracker)
    laughs, refund = open_groups(session)
    assert laughs.examples == ["ahahahah", "ahahah"]
    assert ignore(session, laughs.ids, by="sofia", now=NOW) == 2
    session.commit()
    assert [g.examples for g in open_groups(session)] == [["voglio un rimborso"]]
    rows = session.query(InsightReviewMessage).filter(InsightReviewMessage.id.in_(laughs.ids))
    assert {(r.ignored_by, r.ignored_at, r.labelled_intent) for r in rows} == {("sofia", NOW, None)}
    review = tmp_path / "nlu_review.yml"
    with pytest.raises(LabelError):  # gone from the list: neither ignored again nor labelled
        ignore(session, laughs.ids, by="sofia", now=NOW)
    with pytest.raises(LabelError):
        label(session, laughs.ids, "greet", by="sofia", now=NOW, review_file=review)
    assert not review.exists()
    label(session, refund.ids, "cancel_subscription", by="sofia", now=NOW, review_file=review)
    session.commit()
    with pytest.raises(LabelError):  # a labelled message cannot be ignored afterwards
        ignore(session, refund.ids, by="sofia", now=NOW)


def test_the_review_list_comes_in_pages(session: Session, tracker: Engine) -> None:
    customer = Conversation(tracker, "rest:p1", NOW - timedelta(hours=1), "it")
    words = ["zebra", "quokka", "axolotl", "narwhal", "pangolin"]
    for word in words:
        customer.user(f"{word} {word} {word}", "nlu_fallback", 0.1)
    read_all(session, tracker)
    groups = open_groups(session)
    assert len(groups) == 5
    first, second, last = (page_of(groups, n, size=2) for n in (1, 2, 3))
    assert (first.page, first.pages, first.total, len(first.groups)) == (1, 3, 5, 2)
    assert [len(p.groups) for p in (second, last)] == [2, 1]
    shown = [g.ids[0] for p in (first, second, last) for g in p.groups]
    assert sorted(shown) == sorted(g.ids[0] for g in groups)  # each group on one page
    assert page_of(groups, 9, size=2).page == 3  # past the last: the last
    assert page_of([], 1).pages == 1 and page_of([], 1).groups == []


def test_retention_removes_review_messages_as_old_as_their_conversations(
    session: Session, tracker: Engine
) -> None:
    from bot.services.privacy.retention import apply_retention
    from tests.support.services import KNOWLEDGE_BASE_POLICY

    old = Conversation(tracker, "rest:old", NOW - timedelta(days=40), "it")
    old.user("blah blah", "nlu_fallback", 0.1)
    Conversation(tracker, "rest:new", NOW - timedelta(days=2), "it").user("bleh", "nlu_fallback")
    read_all(session, tracker)
    report = apply_retention(session, tracker, NOW, KNOWLEDGE_BASE_POLICY)
    session.commit()
    assert report.review_messages == 1
    assert [r.text for r in session.query(InsightReviewMessage)] == ["bleh"]
    assert "1 misunderstood message(s)" in str(report)
