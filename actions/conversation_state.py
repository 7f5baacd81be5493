"""Per-turn conversation state, run by Rasa on every user message (slot mapping).

It keeps the sticky `language` slot, the policy numbers that replies quote, and
`repeated_fallback` (the second misunderstanding in a row offers a person).
`action_validate_slot_mappings` warns whenever a message holds a full card number.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.parse_data import entity_value, intent_name
from bot.conversation import is_repeated_fallback
from bot.language import DetectedLanguage, choose_language, normalise_hint
from bot.nlu.entity_rules import has_card_number
from bot.policy import get_policy
from bot.settings import get_settings

POLICY_SLOTS = (
    "data_deletion_days",
    "deactivated_retention_days",
    "contract_notice_days",
    "limited_grace_days",
)


def _detected(parse_data: dict[str, Any]) -> DetectedLanguage | None:
    raw = parse_data.get("detected_language") or {}
    if not raw.get("code"):
        return None
    return DetectedLanguage(raw["code"], float(raw.get("confidence", 0)), int(raw.get("words", 0)))


def _requested(parse_data: dict[str, Any]) -> str | None:
    if intent_name(parse_data) != "change_language":
        return None
    return entity_value(parse_data, "target_language")


class ActionTrackConversation(Action):
    def name(self) -> str:
        return "action_track_conversation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        parse_data = tracker.latest_message or {}
        language = choose_language(
            tracker.get_slot("language"),
            _detected(parse_data),
            requested=_requested(parse_data),
            hint=normalise_hint((parse_data.get("metadata") or {}).get("language")),
            default=get_settings().default_language,
        )
        events: list[EventType] = []
        if language != tracker.get_slot("language"):
            events.append(SlotSet("language", language))
        intents = [
            intent_name(event.get("parse_data") or {})
            for event in tracker.events
            if event.get("event") == "user"
        ]
        repeated = is_repeated_fallback(intents)
        if repeated != bool(tracker.get_slot("repeated_fallback")):
            events.append(SlotSet("repeated_fallback", repeated))
        policy = get_policy()
        for slot in POLICY_SLOTS:
            value = getattr(policy, slot)
            if tracker.get_slot(slot) != value:
                events.append(SlotSet(slot, value))
        return events


class ActionWarnCardNumber(Action):
    """Every user message, after its slots are extracted: a message with a full card
    number gets the warning (the tracker store keeps it with the number removed).

    Rasa runs `action_validate_slot_mappings` on every message and, unlike the custom
    slot-mapping actions, passes its replies on (rasa/core/actions/action.py,
    ActionExtractSlots); it sees this turn's `language`, so the warning is in it.
    It returns no slot events: every extracted slot stays as it is.
    """

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if has_card_number(str((tracker.latest_message or {}).get("text") or "")):
            dispatcher.utter_message(response="utter_card_number_removed")
        return []
