"""Rasa's events as its SQL tracker store writes them, for the Insights service tests:
Rasa's own `events` table and one sender's events at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from bot.services.privacy.tracker_events import EVENTS
from tests.support.environment import rasa_events_table


@pytest.fixture
def tracker(database_url: str) -> Iterator[Engine]:
    """Rasa's events table, beside the account tables of the test's own database."""
    with rasa_events_table(database_url) as engine:
        yield engine


class Conversation:
    """Writes one sender's events as Rasa's tracker store does, a few seconds apart."""

    def __init__(
        self, tracker: Engine, sender: str, at: datetime, language: str | None = "en"
    ) -> None:
        self.tracker, self.sender, self.at = tracker, sender, at
        self.session()
        if language:
            self.slot("language", language)

    def write(self, event: dict[str, Any]) -> Conversation:
        self.at += timedelta(seconds=5)
        event = {**event, "timestamp": self.at.replace(tzinfo=timezone.utc).timestamp()}
        with self.tracker.begin() as connection:
            connection.execute(
                insert(EVENTS).values(
                    sender_id=self.sender, type_name=event["event"], timestamp=event["timestamp"],
                    intent_name=(event.get("parse_data") or {}).get("intent", {}).get("name"),
                    action_name=event.get("name"), data=json.dumps(event),
                )
            )  # fmt: skip
        return self

    def session(self) -> Conversation:
        self.write({"event": "action", "name": "action_session_start"})
        self.write({"event": "session_started"})
        return self.action("action_listen")

    def user(
        self, text: str, intent: str, confidence: float = 0.95, guess: str | None = None
    ) -> Conversation:
        parse: dict[str, Any] = {"intent": {"name": intent, "confidence": confidence}}
        parse["entities"] = []
        if guess:  # what the classifier thought behind a fallback
            parse["intent_ranking"] = [parse["intent"], {"name": guess, "confidence": 0.2}]
        return self.write({"event": "user", "text": text, "parse_data": parse,
                           "input_channel": self.sender.split(":")[0]})  # fmt: skip

    def action(self, name: str) -> Conversation:
        return self.write({"event": "action", "name": name})

    def bot(self, text: str) -> Conversation:
        return self.write({"event": "bot", "text": text})

    def slot(self, name: str, value: Any) -> Conversation:
        return self.write({"event": "slot", "name": name, "value": value})

    def wait(self, delta: timedelta) -> Conversation:
        self.at += delta
        return self
