"""Rasa's SQL tracker store, writing events only after the secrets are taken out, at a
cost per turn that does not grow with the conversation.

endpoints.yml: `tracker_store: {type: bot.tracker_store.ScrubbingSQLTrackerStore,
url: ...}`. Rasa 3.6 builds a custom store as `cls(host=url, domain=...,
event_broker=..., **kwargs)` (rasa/core/tracker_store.py
`_load_from_module_name_in_endpoint_config`); SQLTrackerStore takes a full URL as host.

Scrubbing: only what is written changes. The events not stored yet are written (and
published to the event broker) as scrubbed copies (bot/services/tracker_scrubbing.py);
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
"""

from __future__ import annotations

import json
import os
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

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
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.services.tracker_scrubbing import scrub_new_events

# Conversations whose session a store keeps in memory (least recently used dropped).
KEPT_CONVERSATIONS = 2000
PLAIN_SQLITE = "TRACKER_SQLITE_PLAIN"  # "1": SQLite as Rasa opens it (to measure against)

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
    def _write_ahead(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    return engine


class ScrubbingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions: OrderedDict[str, StoredSession] = OrderedDict()
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

    def _fingerprint(self, session: Any, sender_id: str) -> Fingerprint:
        # Core on the session's connection: the ORM query cost twice the CPU
        rows, newest = session.connection().execute(self._fingerprints, {"sender": sender_id}).one()
        return int(rows), newest

    def _keep(self, sender_id: str, stored: StoredSession) -> None:
        self._sessions[sender_id] = stored
        self._sessions.move_to_end(sender_id)
        while len(self._sessions) > KEPT_CONVERSATIONS:
            self._sessions.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        if not self.domain:
            return await super().retrieve(sender_id)
        with self.session_scope() as session:
            fingerprint = self._fingerprint(session, sender_id)
            kept = self._sessions.get(sender_id)
            if kept is None or kept.fingerprint != fingerprint:
                if fingerprint[0] == 0:
                    self._sessions.pop(sender_id, None)
                    return None
                rows = self._event_query(
                    session, sender_id, fetch_events_from_all_sessions=False
                ).all()
                # The fingerprint is read before the rows: a row written in between
                # only makes the next check fail and read again.
                events = deserialise_events([json.loads(row.data) for row in rows])
                if not events:
                    return None
                kept = StoredSession(fingerprint, events)
        tracker = DialogueStateTracker.from_events(sender_id, kept.events, self.domain.slots)
        kept.holder, kept.held_stored = weakref.ref(tracker), len(kept.events)
        self._keep(sender_id, kept)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `save` (publish, then write the events not stored yet), scrubbed."""
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            kept = self._sessions.pop(sender_id, None)
            # No check here: the lock store keeps other servers' turns out until this
            # save; anything else written meanwhile (retention, erasure) changes the
            # fingerprint the next retrieve checks, which then reads from the database.
            if kept is not None and kept.holder is not None and kept.holder() is tracker:
                stored = kept.held_stored
            else:  # a tracker we did not hand out: Rasa's count (none needed if no rows)
                fingerprint = self._fingerprint(session, sender_id)
                if fingerprint[0] == 0:  # a new conversation: kept from its first save
                    stored, kept = 0, StoredSession(fingerprint, [])
                else:
                    query = self._event_query(
                        session, sender_id, fetch_events_from_all_sessions=False
                    )
                    stored, kept = query.count(), None
            events = list(tracker.events)
            new = scrub_new_events(
                [*question_events(events[:stored]), *(e.as_dict() for e in events[stored:])],
                stored,
            )
            if self.event_broker is not None:
                for data in new:
                    self.event_broker.publish({"sender_id": sender_id, **data})
            rows = [self._row(sender_id, data) for data in new]
            if rows:  # one Core executemany: the ORM flushed row by row for the ids (2.5x the CPU)
                session.connection().execute(self._insert, rows)
            # The newest id is read back (no RETURNING on SQLite in SQLAlchemy 1.4)
            written_newest = (
                self._fingerprint(session, sender_id)[1] if kept is not None and rows else None
            )
            session.commit()
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
