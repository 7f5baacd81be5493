"""The language an action answers in: the conversation's, else the configured default."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.config.settings import get_settings


def reply_language(tracker: Tracker) -> str:
    return tracker.get_slot("language") or get_settings().default_language
