"""Per-turn conversation state on the action server (`action_track_conversation`).

The Rasa server started by `python -m bot serve rasa` computes the same slots in
its own process (bot/rasa/patches/hot_path.py) and never calls this; it stays for Rasa
processes started otherwise (`rasa shell`). The rules: bot/dialogue/turn_state.py.
`action_validate_slot_mappings` warns whenever a message holds a full card number.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.fallbacks import RESUMED
from bot.dialogue.parse_data import intent_name
from bot.dialogue.turn_state import (
    ACTION_NAME,
    CARD_WARNING_ACTION,
    CARD_WARNING_RESPONSE,
    conversation_state_updates,
)
from bot.nlu.entity_rules import has_card_number


class ActionTrackConversation(Action):
    def name(self) -> str:
        return ACTION_NAME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intents = [
            intent_name(event.get("parse_data") or {}) if event.get("event") == "user" else RESUMED
            for event in tracker.events
            if event.get("event") in ("user", "resume")
        ]
        updates = conversation_state_updates(
            tracker.get_slot, tracker.latest_message or {}, intents
        )
        return [SlotSet(slot, value) for slot, value in updates.items()]


class ActionWarnCardNumber(Action):
    """Every user message, after its slots are extracted: a message with a full card
    number gets the warning (the tracker store keeps it with the number removed).

    Rasa runs `action_validate_slot_mappings` on every message and, unlike the custom
    slot-mapping actions, passes its replies on (rasa/core/actions/action.py,
    ActionExtractSlots); it sees this turn's `language`, so the warning is in it.
    It returns no slot events: every extracted slot stays as it is.
    """

    def name(self) -> str:
        return CARD_WARNING_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if has_card_number(str((tracker.latest_message or {}).get("text") or "")):
            dispatcher.utter_message(response=CARD_WARNING_RESPONSE)
        return []
