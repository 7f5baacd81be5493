"""The conversation a verification is started, checked and honoured for."""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.services.verification import bound_conversation


def verification_conversation(tracker: Tracker) -> str:
    """The sender bound to the channel it wrote on (bot/services/verification.py)."""
    return bound_conversation(tracker.sender_id, tracker.get_latest_input_channel())
