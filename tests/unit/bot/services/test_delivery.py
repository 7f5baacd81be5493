"""The widget's messages kept server-side (bot/services/delivery.py), on SQLite and
PostgreSQL: numbered 1, 2, 3... per conversation in the order sent, also under
concurrent writers; read back after a number, in order; scrubbed like the tracker;
under the conversation's keyed hash only; removed by retention and erasure."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import ConversationMessage
from bot.services import delivery
from bot.services.privacy.erasure import erase_account, find_account
from bot.services.privacy.redaction import CARD_PLACEHOLDER, CODE_PLACEHOLDER, conversation_key
from bot.services.privacy.retention import apply_retention
from tests.support.services import KNOWLEDGE_BASE_POLICY, NOW
from tests.unit.bot.services.privacy.test_erasure import tracker as erasure_tracker
from tests.unit.bot.services.privacy.test_retention_and_erasure import add_events, unix

__all__ = ["erasure_tracker"]  # the fixture

CUSTOMER, OTHER = "socketio:3f1c", "socketio:9a7e"


def sent(session: Session, conversation: str, *texts: str) -> list[int]:
    return [delivery.record(session, conversation, {"text": text}, NOW) for text in texts]


def test_each_conversation_numbers_its_messages_from_one_in_order(session: Session) -> None:
    assert sent(session, CUSTOMER, "hello", "how can I help?") == [1, 2]
    assert sent(session, OTHER, "bonjour") == [1]
    assert sent(session, CUSTOMER, "Marie here") == [3]
    texts = [m["text"] for m in delivery.missed(session, CUSTOMER, 0)]
    assert texts == ["hello", "how can I help?", "Marie here"]
    assert [m["text"] for m in delivery.missed(session, OTHER, 0)] == ["bonjour"]


def test_missed_gives_what_came_after_the_last_number_shown(session: Session) -> None:
    sent(session, CUSTOMER, "one", "two", "three", "four")
    assert delivery.missed(session, CUSTOMER, 2) == [
        {"text": "three", "id": 3},
        {"text": "four", "id": 4},
    ]
    assert delivery.missed(session, CUSTOMER, 4) == []
    assert delivery.missed(session, CUSTOMER, 99) == []
    assert delivery.missed(session, "socketio:never-seen", 0) == []


def test_a_long_absence_gets_the_newest_messages_oldest_first(session: Session) -> None:
    sent(session, CUSTOMER, *(f"m{n}" for n in range(1, 8)))
    assert [m["id"] for m in delivery.missed(session, CUSTOMER, 0, limit=3)] == [5, 6, 7]


def test_what_the_widget_renders_is_kept_whole(session: Session) -> None:
    payload = {
        "text": "Did this answer your question?",
        "quick_replies": [{"title": "Yes", "payload": "/affirm"}],
        "custom": {
            "handoff": "agent",
            "agent": "Marie",
            "article": {"id": "reset-password", "title": "Reset", "url": "https://h.example/r"},
        },
    }
    delivery.record(session, CUSTOMER, payload, NOW)
    assert delivery.missed(session, CUSTOMER, 0) == [{**payload, "id": 1}]


def test_stored_scrubbed_and_under_the_conversations_keyed_hash(session: Session) -> None:
    text = "Write to mario.rossi@libero.it, code 482913, card 4111 1111 1111 1111"
    delivery.record(session, CUSTOMER, {"text": text, "quick_replies": [
        {"title": "mario.rossi@libero.it", "payload": "/inform"}]}, NOW)  # fmt: skip
    row = session.scalars(select(ConversationMessage)).one()
    stored = json.dumps(row.payload)
    assert "mario.rossi" not in stored and "482913" not in stored and "4111" not in stored
    assert CODE_PLACEHOLDER in stored and CARD_PLACEHOLDER in stored and "m***@libero.it" in stored
    assert row.conversation_key == conversation_key(CUSTOMER) and "3f1c" not in row.conversation_key


def test_concurrent_writers_get_distinct_numbers_committed_in_order(
    factory: sessionmaker,
) -> None:
    """Two Rasa servers writing to one conversation at once: no number twice, none
    skipped (the unique constraint makes the loser take the next)."""
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer(name: str) -> None:
        try:
            with factory() as own:
                for n in range(5):
                    number = delivery.record(own, CUSTOMER, {"text": f"{name}{n}"}, NOW)
                    with lock:
                        numbers.append(number)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(name,)) for name in "abc"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 16))
    with factory() as session:
        texts = [m["text"] for m in delivery.missed(session, CUSTOMER, 0)]
    for name in "abc":  # each writer's own messages in the order it sent them
        assert [t for t in texts if t[0] == name] == [f"{name}{n}" for n in range(5)]


def test_retention_removes_messages_as_old_as_the_conversations(
    factory: sessionmaker, erasure_tracker: Engine
) -> None:
    old = NOW - timedelta(days=KNOWLEDGE_BASE_POLICY.conversation_retention_days + 1)
    with factory() as session:
        delivery.record(session, CUSTOMER, {"text": "long ago"}, old)
        delivery.record(session, CUSTOMER, {"text": "today"}, NOW)
        report = apply_retention(session, erasure_tracker, NOW, KNOWLEDGE_BASE_POLICY)
        session.commit()
        assert report.widget_messages == 1 and "1 widget message(s)" in str(report)
        assert [m["text"] for m in delivery.missed(session, CUSTOMER, 0)] == ["today"]


def test_erasure_removes_the_accounts_widget_messages_and_no_one_elses(
    factory: sessionmaker, erasure_tracker: Engine
) -> None:
    """The customer named their account in the chat (the tracker links the
    conversation); erasing the account removes what their widget was sent."""
    now = unix(NOW)
    add_events(erasure_tracker, CUSTOMER,
               ("slot", now, {"name": "identifier", "value": "AC-100001"}))  # fmt: skip
    add_events(erasure_tracker, OTHER, ("user", now, {"text": "hello"}))
    with factory() as session:
        sent(session, CUSTOMER, "Marie here, how can I help?", "Your plan is renewed.")
        sent(session, OTHER, "bonjour")
        account = find_account(session, None, "AC-100001")
        assert account is not None
        report = erase_account(session, erasure_tracker, account)
        session.commit()
        assert report.widget_messages == 2
        assert delivery.missed(session, CUSTOMER, 0) == []
        assert [m["text"] for m in delivery.missed(session, OTHER, 0)] == ["bonjour"]
