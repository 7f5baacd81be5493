"""Skip words answer a handoff question in every language, typed or clicked; the
reason of a ticket is never the word "skip" (it was, typed in an Italian conversation)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ValidateHandoffForm
from bot.nlu.typed_answers import SKIP_ALL, SKIP_ONE, typed_skip
from bot.services.identity.sealing import unseal


def _reason_answer(text: str, intent: str, language: str) -> dict[str, Any]:
    tracker = Tracker(
        "rest:skipper",
        {"requested_slot": "handoff_reason", "handoff_topic": "general", "language": language},
        {"text": text, "intent": {"name": intent}, "entities": []},
        [],
        False,
        None,
        {"name": "handoff_form"},
        None,
    )
    form = ValidateHandoffForm()
    return asyncio.run(
        form.validate_handoff_reason(text, CollectingDispatcher(), tracker, {"slots": {}})
    )


@pytest.mark.parametrize(
    ("text", "intent", "language"),
    [
        ("skip", "nlu_fallback", "it"),  # English word, Italian conversation
        ("Salta!", "nlu_fallback", "it"),
        ("passer", "inform", "fr"),
        ("salta", "nlu_fallback", "en"),
        ("/deny", "deny", "it"),  # the button
    ],
)
def test_a_skip_skips_the_question(text: str, intent: str, language: str) -> None:
    assert _reason_answer(text, intent, language)["handoff_reason"] == "skipped"


def test_a_sentence_with_skip_in_it_is_a_reason() -> None:
    text = "the app makes me skip the login page"
    sealed = _reason_answer(text, "nlu_fallback", "en")["handoff_reason"]
    assert unseal(sealed, "rest:skipper") == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("skip", SKIP_ONE), ("SALTA", SKIP_ONE), ("Je passe.", SKIP_ONE), ("non lo so", SKIP_ONE),
        ("skip all", SKIP_ALL), ("Salta tutte le domande", SKIP_ALL), ("tout passer", SKIP_ALL),
        ("je veux passer à une offre moins chère", None), ("1881", None),
    ],
)  # fmt: skip
def test_typed_skip_words(text: str, expected: str | None) -> None:
    assert typed_skip(text) == expected
