"""The tracker store keeps each conversation's session in memory between turns: what
it hands back must be what Rasa's own store reads from the database, whoever else
writes or deletes rows in between (another Rasa server, retention).

Real `ScrubbingSQLTrackerStore`s on SQLite and PostgreSQL; the reference is Rasa's
`SQLTrackerStore` reading the same database."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from sqlalchemy import text

from bot.db.session import make_engine
from bot.rasa.tracker_store import ScrubbingSQLTrackerStore
from tests.support.environment import ROOT

EMAIL = "active@example.com"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def user(text_: str) -> UserUttered:
    intent = {"name": "greet", "confidence": 1.0}
    return UserUttered(text_, intent, [], {"text": text_, "intent": intent, "entities": []})


def turn(number: int) -> list[Event]:
    return [
        user(f"message {number} from {EMAIL}"),
        SlotSet("language", "it" if number % 2 else "fr"),
        ActionExecuted("utter_greet"),
        BotUttered(f"answer {number}"),
        ActionExecuted("action_listen"),
    ]


def play(store: SQLTrackerStore, sender: str, events: list[Event], domain: Domain) -> None:
    """One turn as Rasa runs it: read (or create) the tracker, add events, save."""

    async def run() -> None:
        tracker = await store.get_or_create_tracker(sender)
        for event in events:
            tracker.update(event, domain)
        await store.save(tracker)

    asyncio.run(run())


def state(store: SQLTrackerStore, sender: str) -> dict[str, Any] | None:
    tracker: DialogueStateTracker | None = asyncio.run(store.retrieve(sender))
    if tracker is None:
        return None
    return json.loads(json.dumps(tracker.current_state(EventVerbosity.ALL)))


@pytest.fixture
def stores(database_url: str, domain: Domain) -> Any:
    server_a = ScrubbingSQLTrackerStore(domain=domain, host=database_url)
    server_b = ScrubbingSQLTrackerStore(domain=domain, host=database_url)
    rasa_store = SQLTrackerStore(domain=domain, host=database_url)
    yield server_a, server_b, rasa_store
    for store in (server_a, server_b, rasa_store):
        store.engine.dispose()


def stored_rows(database_url: str, sender: str) -> list[dict[str, Any]]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).scalars()
        data = [json.loads(row) for row in rows]
    engine.dispose()
    return data


def test_two_servers_taking_turns_read_what_rasa_reads_and_store_each_event_once(
    stores: Any, database_url: str, domain: Domain
) -> None:
    server_a, server_b, rasa_store = stores
    sender = "rest:shared-1"
    for number in range(8):
        server = server_a if number % 3 else server_b  # b writes between a's turns
        play(server, sender, turn(number), domain)
        assert state(server_a, sender) == state(rasa_store, sender)
        assert state(server_b, sender) == state(rasa_store, sender)
    rows = stored_rows(database_url, sender)
    assert [r["event"] for r in rows].count("user") == 8
    assert [r.get("text") for r in rows if r["event"] == "user"] == [
        f"message {n} from a***@example.com" for n in range(8)
    ]


def test_a_new_session_and_deleted_rows_read_as_rasa_reads_them(
    stores: Any, database_url: str, domain: Domain
) -> None:
    server_a, _, rasa_store = stores
    sender = "rest:session-1"
    for number in range(3):
        play(server_a, sender, turn(number), domain)
    play(server_a, sender, [ActionExecuted("action_session_start"), SessionStarted()], domain)
    play(server_a, sender, turn(3), domain)
    assert state(server_a, sender) == state(rasa_store, sender)
    assert state(server_a, sender)["events"][0]["event"] == "session_started"

    engine = make_engine(database_url)  # retention removes the session's first rows
    with engine.begin() as connection:
        first = connection.execute(
            text("SELECT min(id) FROM events WHERE sender_id = :s AND type_name = 'user'"),
            {"s": sender},
        ).scalar()
        connection.execute(text("DELETE FROM events WHERE id <= :i"), {"i": first})
    engine.dispose()
    assert state(server_a, sender) == state(rasa_store, sender)
    play(server_a, sender, turn(4), domain)
    assert state(server_a, sender) == state(rasa_store, sender)

    engine = make_engine(database_url)  # erasure removes them all
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender})
    engine.dispose()
    assert state(server_a, sender) is None


def test_a_tracker_saved_twice_writes_only_what_is_new(
    stores: Any, database_url: str, domain: Domain
) -> None:
    server_a, _, rasa_store = stores
    sender = "rest:twice-1"
    play(server_a, sender, turn(0), domain)
    tracker = asyncio.run(server_a.retrieve(sender))
    assert tracker is not None
    for event in turn(1):
        tracker.update(event, domain)
    asyncio.run(server_a.save(tracker))
    for event in turn(2):
        tracker.update(event, domain)
    asyncio.run(server_a.save(tracker))
    assert len(stored_rows(database_url, sender)) == len(tracker.events)
    assert state(server_a, sender) == state(rasa_store, sender)


def test_a_slow_database_does_not_stall_other_conversations(
    stores: Any, database_url: str, domain: Domain
) -> None:
    """While one turn's save waits for the database (another writer holds it for a
    second), the server's event loop goes on serving: other conversations are not
    frozen behind a database round trip. The waiting turn is then stored whole."""
    import threading

    server_a, _, rasa_store = stores
    sender = "rest:slow-db-1"
    play(server_a, sender, turn(0), domain)
    held = threading.Event()

    def hold_the_database() -> None:  # another writer, in a thread of its own
        engine = make_engine(database_url)
        with engine.connect() as blocker:
            if blocker.dialect.name == "sqlite":
                blocker.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock: writers wait
            else:
                blocker.exec_driver_sql("BEGIN")
                blocker.exec_driver_sql("LOCK TABLE events IN EXCLUSIVE MODE")
            held.set()
            threading.Event().wait(1.0)
            blocker.rollback()
        engine.dispose()

    writer = threading.Thread(target=hold_the_database)

    async def run() -> int:
        tracker = await server_a.retrieve(sender)
        assert tracker is not None
        for event in turn(1):
            tracker.update(event, domain)
        ticks = 0

        async def other_conversations() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        ticker = asyncio.create_task(other_conversations())
        writer.start()
        assert held.wait(5)
        await server_a.save(tracker)
        ticker.cancel()
        return ticks

    ticks = asyncio.run(run())
    writer.join()
    assert ticks >= 20  # ~50 while the save waited a second; none if the loop is blocked
    assert state(server_a, sender) == state(rasa_store, sender)
    assert [r["event"] for r in stored_rows(database_url, sender)].count("user") == 2
