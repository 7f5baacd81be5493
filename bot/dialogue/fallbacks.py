"""Small rules about the conversation itself, over plain data (no Rasa)."""

from __future__ import annotations

from collections.abc import Sequence

FALLBACK_INTENT = "nlu_fallback"
# Stands in the list of user intents where the bot resumed after a person: what the
# customer wrote to the agent was not written to the bot, misunderstood or not.
RESUMED = "<resumed>"


def fallbacks_in_a_row(user_intents: Sequence[str | None]) -> int:
    """How many of the latest user messages, counting back to the last RESUMED, were
    not understood."""
    count = 0
    for intent in reversed(user_intents):
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


def is_repeated_fallback(user_intents: Sequence[str | None]) -> bool:
    """The second misunderstanding in a row: time to offer a person."""
    return fallbacks_in_a_row(user_intents) >= 2
