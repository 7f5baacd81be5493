"""Which language the conversation is in: sticky, so short or ambiguous messages
never flip it (the message's own language: `bot.nlu.language_detection`)."""

from __future__ import annotations

from typing import Any

from bot.config.settings import FALLBACK_LANGUAGE, LANGUAGES, get_settings
from bot.nlu.language_detection import DetectedLanguage, content_words, lingua_scores

# A message must have this many real words, and the detector this confidence, to
# change the language of a conversation that already has one.
MIN_WORDS_TO_SWITCH = 3
MIN_CONFIDENCE_TO_SWITCH = 0.80
LANGUAGE_SLOT = "language"  # the conversation's language
HINT_KEY = "language"  # the page's language, in a message's metadata
# the language the customer picked in the widget's menu, on the first message after
# the pick: an explicit request, like "can you speak French?"
CHOSEN_KEY = "chosen_language"


def choose_language(
    current: str | None,
    detected: DetectedLanguage | None,
    *,
    requested: str | None = None,
    hint: str | None = None,
    default: str = FALLBACK_LANGUAGE,
) -> str:
    """The conversation's language after this message.

    An explicit request ("can you speak French?") always wins. A conversation with
    no language yet takes the channel's hint (the page language), else the best
    guess, else the default. After that only a confident sentence of at least
    `MIN_WORDS_TO_SWITCH` words in another language changes it.
    """
    if requested in LANGUAGES:
        return requested
    if current not in LANGUAGES:
        if hint in LANGUAGES:
            return hint
        if detected is not None and detected.code in LANGUAGES:
            return detected.code
        return default
    if (
        detected is not None
        and detected.code in LANGUAGES
        and detected.code != current
        and detected.words >= MIN_WORDS_TO_SWITCH
        and detected.confidence >= MIN_CONFIDENCE_TO_SWITCH
    ):
        return detected.code
    return current


def normalise_hint(value: Any) -> str | None:
    """'fr-FR', 'FR', 'fr_CA' -> 'fr'; anything else -> None."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def language_after(
    current: str | None,
    detected: DetectedLanguage | None,
    metadata: Any,
    *,
    requested: str | None = None,
) -> str:
    """The conversation's language after a message: `choose_language` with the page's
    hint and the language picked in a menu (a request) from the message's metadata,
    and the configured default."""
    hint = normalise_hint(metadata.get(HINT_KEY)) if isinstance(metadata, dict) else None
    if requested is None and isinstance(metadata, dict):
        requested = normalise_hint(metadata.get(CHOSEN_KEY))
    return choose_language(
        current, detected, requested=requested, hint=hint, default=get_settings().default_language
    )


def sentence_language(text: str) -> str | None:
    """The language of a sentence the bot sends, when the detector is as sure as a
    switch needs; None for a short or mixed one (the widget then uses its own)."""
    words = content_words(text)
    if len(words) < MIN_WORDS_TO_SWITCH:
        return None
    scores = lingua_scores(" ".join(words))
    code, confidence = max(scores.items(), key=lambda item: item[1])
    return code if confidence >= MIN_CONFIDENCE_TO_SWITCH else None
