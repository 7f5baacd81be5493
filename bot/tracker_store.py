"""Rasa's SQL tracker store, writing events only after the secrets are taken out.

endpoints.yml: `tracker_store: {type: bot.tracker_store.ScrubbingSQLTrackerStore,
url: ...}`. Rasa 3.6 builds a custom store as `cls(host=url, domain=...,
event_broker=..., **kwargs)` (rasa/core/tracker_store.py
`_load_from_module_name_in_endpoint_config`); SQLTrackerStore takes a full URL as host.

Only what is written changes: `SQLTrackerStore.save` asks `_additional_events` for
the events not stored yet and writes each `event.as_dict()`; here those are scrubbed
copies (bot/services/tracker_scrubbing.py). The tracker in memory, which this turn's
actions already used, is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.services.tracker_scrubbing import scrub_new_events


@dataclass(frozen=True)
class ScrubbedEvent:
    """What `SQLTrackerStore.save` reads of an event: its type and its dict."""

    type_name: str
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return self.data


class ScrubbingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(
        self, session: Any, tracker: DialogueStateTracker
    ) -> Iterator[ScrubbedEvent]:
        stored = self._event_query(
            session, tracker.sender_id, fetch_events_from_all_sessions=False
        ).count()
        events = [event.as_dict() for event in tracker.events]
        for data in scrub_new_events(events, stored):
            yield ScrubbedEvent(str(data.get("event")), data)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """The event broker gets the same scrubbed copies the database gets.

        Rasa's `TrackerStore.stream_events` publishes `event.as_dict()` of the new
        events as they are in memory, so without this every card number, email and
        one-time code would reach RabbitMQ (and whatever reads its queue) in full."""
        if self.event_broker is None:
            return
        old_tracker = await self.retrieve(tracker.sender_id)
        stored = len(old_tracker.events) if old_tracker else 0  # Rasa's own diff offset
        events = [event.as_dict() for event in tracker.events]
        for data in scrub_new_events(events, stored):
            self.event_broker.publish({"sender_id": tracker.sender_id, **data})
