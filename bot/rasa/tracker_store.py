"""Rasa's SQL tracker store, writing events only after the secrets are taken out, at a
cost per turn that does not grow with the conversation.

endpoints.yml: `tracker_store: {type: bot.rasa.tracker_store.ScrubbingSQLTrackerStore,
url: ...}`. Rasa 3.6 builds a custom store as `cls(host=url, domain=...,
event_broker=..., **kwargs)` (rasa/core/tracker_store.py
`_load_from_module_name_in_endpoint_config`); SQLTrackerStore takes a full URL as host.

Scrubbing: only what is written changes. The events not stored yet are written (and
published to the event broker) as scrubbed copies (bot/services/privacy/tracker_scrubbing.py);
the tracker in memory, which this turn's actions already used, is left as it is.

Cost: Rasa's `SQLTrackerStore` reads, decodes and replays every event of the session
on each `retrieve`, and COUNTs them again on each `save` (plus one more full retrieve
for the event broker). Here each store keeps, per conversation, the scrubbed events
of its current session as the database has them (`StoredSession`), with a
fingerprint of the conversation's rows (their number and newest id). A `retrieve`
checks the fingerprint with one indexed query and, if no one wrote or deleted since,
rebuilds the tracker from the kept events instead of reading them; a `save` of a
tracker this store handed out knows how many of its events are stored. Anything
else (another server wrote, retention deleted, a tracker built elsewhere) falls back
to Rasa's own reading and counting, so several servers can share the database.
On SQLite (the embedded default) commits use a write-ahead log (`sqlite_turn_engine`).
The database calls run in a worker thread: the event loop is not stalled while the
database answers (on PostgreSQL a turn's five round trips were ~20% of the server's
samples under load, most of it waiting).
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import bindparam, create_engine, event, func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool, SingletonThreadPool

from bot.services.privacy import conversation_links
from bot.services.privacy.tracker_scrubbing import scrub_new_events

# Conversations whose session a store keeps in memory (least recently used dropped).
KEPT_CONVERSATIONS = 2000
DATABASE_THREADS = 4  # PostgreSQL: a store's calls in flight at once (its pool holds 5)
PLAIN_SQLITE = "TRACKER_SQLITE_PLAIN"  # "1": SQLite as Rasa opens it (to measure against)

T = TypeVar("T")
Fingerprint = tuple[int, int | None]  # (rows of the conversation, newest row id)


@dataclass
class StoredSession:
    """The current session's events as stored (scrubbed), and who holds a copy."""

    fingerprint: Fingerprint
    events: list[Event]
    holder: weakref.ref[DialogueStateTracker] | None = None
    held_stored: int = 0  # how many of the holder's events are in the database


def current_session(events: list[Event]) -> list[Event]:
    """What Rasa's `_event_query` returns of these events: from the latest session
    start on (by timestamp, as its SQL filter does), or all of them if none."""
    starts = [e.timestamp for e in events if isinstance(e, SessionStarted)]
    if not starts:
        return events
    latest = max(starts)
    return [e for e in events if e.timestamp >= latest]


def question_events(events: Iterable[Event]) -> Iterator[Mapping[str, Any]]:
    """What `OpenQuestion` reads of already-stored events, without serialising them."""
    for stored in events:
        if isinstance(stored, SlotSet):
            yield {"event": SlotSet.type_name, "name": stored.key, "value": stored.value}
        elif isinstance(stored, ActiveLoop):
            yield {"event": ActiveLoop.type_name, "name": stored.name}
        else:
            yield {"event": stored.type_name}


def sqlite_turn_engine(url: Any) -> Any:
    """A SQLite engine for one write per turn: connections kept open (SQLAlchemy 1.4
    opens a file database anew for every session), write-ahead log and no fsync on
    each commit. The event loop waits for every commit, so a full fsync per turn
    stalled all conversations; with WAL and `synchronous=NORMAL` a crash of the
    process loses nothing and a power cut at most the last turns (never the file)."""
    engine = create_engine(
        url, poolclass=QueuePool, pool_size=2, connect_args={"check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _write_ahead(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    return engine


class ScrubbingSQLTrackerStore(SQLTrackerStore):
    engine: Any  # Rasa's, replaced below for SQLite files

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions: OrderedDict[str, StoredSession] = OrderedDict()
        self._executor: ThreadPoolExecutor | None = None  # made on first use
        events = self.SQLEvent.__table__
        self._fingerprints = select(func.count(events.c.id), func.max(events.c.id)).where(
            events.c.sender_id == bindparam("sender")
        )
        self._insert = insert(events)
        if self.engine.dialect.name == "sqlite" and os.environ.get(PLAIN_SQLITE) != "1":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sqlite_turn_engine(url)
            self.sessionmaker = sessionmaker(bind=self.engine)
        self._create_links_table()

    def _create_links_table(self) -> None:
        """Erasure's exact links, beside the events (bot/services/privacy/conversation_links.py)."""
        try:
            with self.engine.begin() as connection:
                conversation_links.create_table(connection)
        except DBAPIError:  # another server created it at the same moment
            with self.engine.connect() as connection:
                if not conversation_links.has_table(connection):
                    raise

    def _fingerprint(self, session: Any, sender_id: str) -> Fingerprint:
        # Core on the session's connection: the ORM query cost twice the CPU
        rows, newest = session.connection().execute(self._fingerprints, {"sender": sender_id}).one()
        return int(rows), newest

    def _keep(self, sender_id: str, stored: StoredSession) -> None:
        self._sessions[sender_id] = stored
        self._sessions.move_to_end(sender_id)
        while len(self._sessions) > KEPT_CONVERSATIONS:
            self._sessions.popitem(last=False)

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work` (database calls) in this store's worker threads, so that the event
        loop serves other conversations while the database answers; the conversation
        itself waits (Rasa's lock store keeps its turns in order). In-memory SQLite
        keeps one database per thread, so it stays on the loop's thread."""
        if isinstance(self.engine.pool, SingletonThreadPool):
            return work(*args)
        if self._executor is None:
            # SQLite writes one at a time: more threads would only wait for its lock
            # (and open connections beyond the pool's); PostgreSQL takes them in parallel
            workers = 1 if self.engine.dialect.name == "sqlite" else DATABASE_THREADS
            self._executor = ThreadPoolExecutor(workers, thread_name_prefix="tracker-store")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(work, *args))

    def _read_session(
        self, sender_id: str, kept: Fingerprint | None
    ) -> tuple[Fingerprint, list[Event] | None]:
        """The conversation's fingerprint, and its session's events read again unless
        the fingerprint is still `kept` (then None)."""
        with self.session_scope() as session:
            fingerprint = self._fingerprint(session, sender_id)
            if fingerprint == kept or fingerprint[0] == 0:
                return fingerprint, None
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            # The fingerprint is read before the rows: a row written in between
            # only makes the next check fail and read again.
            return fingerprint, deserialise_events([json.loads(row.data) for row in rows])

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        if not self.domain:
            return await super().retrieve(sender_id)
        kept = self._sessions.get(sender_id)
        # taken before the wait: a save of the same conversation from another request
        # (Rasa's HTTP API reads trackers without the lock) may change the kept one
        kept_fingerprint, kept_events = (kept.fingerprint, kept.events) if kept else (None, [])
        fingerprint, events = await self._in_thread(self._read_session, sender_id, kept_fingerprint)
        if fingerprint[0] == 0:
            self._sessions.pop(sender_id, None)
            return None
        if events is None:  # unchanged since it was kept
            events = kept_events
        if not events:
            return None
        stored = StoredSession(fingerprint, events)
        tracker = DialogueStateTracker.from_events(sender_id, stored.events, self.domain.slots)
        stored.holder, stored.held_stored = weakref.ref(tracker), len(stored.events)
        self._keep(sender_id, stored)
        return tracker

    def _stored_count(self, sender_id: str) -> tuple[int, StoredSession | None]:
        """For a tracker this store did not hand out: how many of the session's events
        are stored (Rasa's count), and a new kept session if the conversation is new."""
        with self.session_scope() as session:
            fingerprint = self._fingerprint(session, sender_id)
            if fingerprint[0] == 0:  # a new conversation: kept from its first save
                return 0, StoredSession(fingerprint, [])
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            return query.count(), None

    def _write(
        self, sender_id: str, rows: list[dict[str, Any]], newest: bool, links: list[dict[str, str]]
    ) -> int | None:
        """Insert `rows` and the `links` not recorded yet in one transaction; the newest
        row id after it, if `newest`."""
        with self.session_scope() as session:
            # one Core executemany: the ORM flushed row by row for the ids (2.5x the CPU)
            session.connection().execute(self._insert, rows)
            if links:
                self._record_links(session.connection(), links)
            # read back: no RETURNING on SQLite in SQLAlchemy 1.4
            written_newest = self._fingerprint(session, sender_id)[1] if newest else None
            session.commit()
        return written_newest

    @staticmethod
    def _record_links(connection: Any, links: list[dict[str, str]]) -> None:
        table = conversation_links.LINKS
        known = set(
            connection.scalars(
                select(table.c.subject_key).where(
                    table.c.conversation_key == links[0]["conversation_key"]
                )
            )
        )
        new = [link for link in links if link["subject_key"] not in known]
        if new:
            connection.execute(insert(table), new)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `save` (publish, then write the events not stored yet), scrubbed."""
        sender_id = tracker.sender_id
        kept = self._sessions.pop(sender_id, None)
        # No check here: the lock store keeps other servers' turns out until this
        # save; anything else written meanwhile (retention, erasure) changes the
        # fingerprint the next retrieve checks, which then reads from the database.
        if kept is not None and kept.holder is not None and kept.holder() is tracker:
            stored = kept.held_stored
        else:  # a tracker we did not hand out: Rasa's count (none needed if no rows)
            stored, kept = await self._in_thread(self._stored_count, sender_id)
        events = list(tracker.events)
        unstored = [e.as_dict() for e in events[stored:]]
        # read before scrubbing: the stored copies hold masked emails only
        links = conversation_links.link_rows(sender_id, unstored)
        new = scrub_new_events([*question_events(events[:stored]), *unstored], stored)
        if self.event_broker is not None:
            for data in new:
                self.event_broker.publish({"sender_id": sender_id, **data})
        rows = [self._row(sender_id, data) for data in new]
        written_newest = None
        if rows:
            written_newest = await self._in_thread(
                self._write, sender_id, rows, kept is not None, links
            )
        if kept is None:
            return  # read again on the next retrieve
        # Ours added to the count last seen: a row someone else added or deleted
        # meanwhile still makes the next retrieve's check fail.
        rows_now, newest = kept.fingerprint
        if rows:
            rows_now, newest = rows_now + len(rows), written_newest
        kept.events = current_session(
            [*kept.events, *deserialise_events([json.loads(row["data"]) for row in rows])]
        )
        kept.fingerprint = (rows_now, newest)
        kept.holder, kept.held_stored = weakref.ref(tracker), len(events)
        self._keep(sender_id, kept)

    def _row(self, sender_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """One events row, filled as Rasa's `save` fills it."""
        return {
            "sender_id": sender_id,
            "type_name": str(data.get("event")),
            "timestamp": data.get("timestamp"),
            "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
