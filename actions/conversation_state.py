"""Per-turn conversation state on the action server (`action_track_conversation`).

The Rasa server started by `python -m bot serve rasa` computes the same slots in
its own process (bot/rasa_hot_path.py) and never calls this; it stays for Rasa
processes started otherwise (`rasa shell`). The rules: bot/conversation_state.py.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation_state import ACTION_NAME, conversation_state_updates
from bot.parse_data import intent_name


class ActionTrackConversation(Action):
    def name(self) -> str:
        return ACTION_NAME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intents = [
            intent_name(event.get("parse_data") or {})
            for event in tracker.events
            if event.get("event") == "user"
        ]
        updates = conversation_state_updates(
            tracker.get_slot, tracker.latest_message or {}, intents
        )
        return [SlotSet(slot, value) for slot, value in updates.items()]
