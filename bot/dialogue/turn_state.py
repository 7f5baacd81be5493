"""Per-turn conversation state: the slots Rasa refreshes on every user message.

The sticky `language` slot, `repeated_fallback` (the second misunderstanding in a
row offers a person), the policy numbers that replies quote, the satisfaction question
and the help centre's "Did this answer your question?", each dropped when the message
does not answer it (bot/services/satisfaction.py, bot/services/help_centre/answering.py).
One function over plain data, run in the Rasa process on every turn
(bot/rasa/patches/hot_path.py) and by `action_track_conversation` on the action server
(`rasa shell`, older set-ups).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.config.policy import get_policy
from bot.dialogue.conversation_language import LANGUAGE_SLOT, language_after
from bot.dialogue.fallbacks import is_repeated_fallback
from bot.dialogue.parse_data import entity_value, intent_name
from bot.nlu.language_detection import DetectedLanguage
from bot.services import satisfaction
from bot.services.help_centre import answering

ACTION_NAME = "action_track_conversation"
# Rasa runs this on every message after the slot mappings; it warns about card numbers.
CARD_WARNING_ACTION = "action_validate_slot_mappings"
CARD_WARNING_RESPONSE = "utter_card_number_removed"
POLICY_SLOTS = (
    "data_deletion_days",
    "deactivated_retention_days",
    "contract_notice_days",
    "limited_grace_days",
)


def _detected(parse_data: Mapping[str, Any]) -> DetectedLanguage | None:
    raw = parse_data.get("detected_language") or {}
    if not raw.get("code"):
        return None
    return DetectedLanguage(raw["code"], float(raw.get("confidence", 0)), int(raw.get("words", 0)))


def _requested(parse_data: Mapping[str, Any]) -> str | None:
    if intent_name(parse_data) != "change_language":
        return None
    return entity_value(parse_data, "target_language")


def conversation_state_updates(
    get_slot: Callable[[str], Any],
    latest_message: Mapping[str, Any],
    user_intents: Sequence[str | None],
) -> dict[str, Any]:
    """The slots to set after this message (slot name -> new value), in a fixed order.

    `latest_message` is the latest user message's parse data (with `metadata`, where
    channels put the page's language), `user_intents` every user message's intent.
    """
    language = language_after(
        get_slot(LANGUAGE_SLOT),
        _detected(latest_message),
        latest_message.get("metadata"),
        requested=_requested(latest_message),
    )
    updates: dict[str, Any] = {}
    if language != get_slot(LANGUAGE_SLOT):
        updates[LANGUAGE_SLOT] = language
    repeated = is_repeated_fallback(user_intents)
    if repeated != bool(get_slot("repeated_fallback")):
        updates["repeated_fallback"] = repeated
    policy = get_policy()
    for slot in POLICY_SLOTS:
        value = getattr(policy, slot)
        if get_slot(slot) != value:
            updates[slot] = value
    waiting = get_slot(satisfaction.STEP_SLOT)
    if waiting is not None and not satisfaction.answers(waiting, intent_name(latest_message)):
        updates[satisfaction.STEP_SLOT] = None  # a new request: never trapped by the question
    if get_slot(answering.QUESTION_SLOT) and not answering.answers_question(
        intent_name(latest_message)
    ):
        updates[answering.QUESTION_SLOT] = False  # "did this answer?" dropped the same way
    return updates
