"""What Rasa may keep of a conversation: its events with the secrets taken out.

Plain functions over Rasa's event dicts (`Event.as_dict()`), used by the tracker
store (`bot.rasa.tracker_store`) before it writes, and by the handoff transcript. Every
string in an event (user and bot text, parse data, entity values, slot values,
metadata) goes through `redaction.scrub_text`: full card numbers removed, emails
masked, six-digit codes replaced. A user message that answers a one-time-code
question is replaced as a whole (codes are also typed "123-456"), and so is any
value of a code slot that is not one of the forms' markers. A sealed slot keeps
only sealed values and markers: the plain text a from_text mapping sets, just before
the form seals it in the same turn, is stored as no value.

The one-time code is checked by the form's validation action in the same turn,
before Rasa saves the tracker (rasa/core/processor.py `handle_message`: the
prediction loop runs, then `save_tracker`), so nothing later needs the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.services.form_slots import CARD_SLOT, CODE_SLOT_MARKERS, CODE_SLOTS, SEALED_SLOTS
from bot.services.identity.sealing import is_sealed
from bot.services.privacy.redaction import CODE_PLACEHOLDER, scrub_text

# Identifiers, never personal data; message ids are hex and may hold six digits.
KEPT_KEYS = frozenset({"event", "name", "message_id", "policy", "input_channel", "timestamp"})


class OpenQuestion:
    """Which form question is open as events go by (`requested_slot`, cleared when a
    form ends), so a message can be read as the answer to it."""

    def __init__(self, slot: str | None = None) -> None:
        self.slot = slot

    def see(self, event: Mapping[str, Any]) -> None:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            self.slot = event.get("value")
        elif kind == "active_loop" and event.get("name") is None:
            self.slot = None

    @property
    def asks_code(self) -> bool:
        return self.slot in CODE_SLOTS

    @property
    def asks_card_ending(self) -> bool:
        return self.slot == CARD_SLOT


def scrub_value(value: Any) -> Any:
    """Every string inside `value` (dicts and lists walked) through `scrub_text`."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: item if key in KEPT_KEYS else scrub_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_value(item) for item in value]
    return value


def _code_answer(event: dict[str, Any]) -> dict[str, Any]:
    """A user message typed while a code was asked: text and entity values replaced."""
    event["text"] = CODE_PLACEHOLDER
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data["text"] = CODE_PLACEHOLDER
        for entity in parse_data.get("entities") or []:
            if isinstance(entity, dict):
                entity["value"] = CODE_PLACEHOLDER
    return event


def scrub_event(event: Mapping[str, Any], question: OpenQuestion) -> dict[str, Any]:
    """A scrubbed copy of one event; `question` is the form question open before it
    (updated by this event)."""
    scrubbed: dict[str, Any] = scrub_value(dict(event))
    kind = scrubbed.get("event")
    if kind == "user" and question.asks_code:
        scrubbed = _code_answer(scrubbed)
    elif kind == "slot" and scrubbed.get("name") in CODE_SLOTS:
        value = scrubbed.get("value")
        if value is not None and value not in CODE_SLOT_MARKERS:
            scrubbed["value"] = CODE_PLACEHOLDER
    elif kind == "slot" and scrubbed.get("name") in SEALED_SLOTS:
        value = scrubbed.get("value")
        if value is not None and value not in CODE_SLOT_MARKERS and not is_sealed(value):
            scrubbed["value"] = None  # the plain text: the form's sealed value follows it
    question.see(event)
    return scrubbed


def scrub_new_events(
    events: Iterable[Mapping[str, Any]], already_stored: int
) -> list[dict[str, Any]]:
    """Scrubbed copies of the events after the first `already_stored` ones; the
    earlier ones only tell which question was open."""
    question = OpenQuestion()
    new: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        if index < already_stored:
            question.see(event)
        else:
            new.append(scrub_event(event, question))
    return new
