"""Short typed answers (bot/nlu/typed_answers.py): ratings, thumbs and skips, whole
messages only; and the names they share with the domain and the outcome code."""

from __future__ import annotations

import pytest
import yaml

from bot.nlu.typed_answers import (
    RATING_ENTITY,
    SATISFACTION_INTENT,
    TypedAnswer,
    typed_answer,
    typed_rating,
    typed_thumb,
)
from bot.services.insights.outcomes import HELPED_SLOT, RATING_SLOT, SMALL_TALK_INTENTS
from tests.support.environment import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("4", 4), (" 5 ", 5), ("1!", 1), ("4/5", 4), ("4 / 5", 4), ("3 su 5", 3),
        ("2 sur 5", 2), ("4 out of 5", 4), ("5 stars", 5), ("1 star", 1), ("3 stelle", 3),
        ("4 étoiles", 4), ("4 Etoiles", 4), ("voto 5", 5), ("note : 4", 4), ("Rating: 2", 2),
        ("⭐⭐⭐⭐", 4), ("★★", 2), ("⭐️⭐️⭐️", 3), ("4️⃣", 4),
        ("0", None), ("6", None), ("45", None), ("4 euro", None), ("4/10", None),
        ("1234", None), ("123456", None), ("⭐⭐⭐⭐⭐⭐", None), ("4 o 5", None),
        ("I'd give it 4 but", None), ("", None), ("x" * 100_000, None),
    ],
)  # fmt: skip
def test_typed_ratings(text: str, rating: int | None) -> None:
    assert typed_rating(text) == rating


def test_thumbs_any_skin_tone() -> None:
    assert typed_thumb("👍") is True and typed_thumb(" 👍🏽 ") is True
    assert typed_thumb("👎🏿") is False
    assert typed_thumb("👍 but") is None and typed_thumb("ok") is None


def test_what_the_classifier_is_told() -> None:
    assert typed_answer("4", "nlu_fallback") == TypedAnswer(SATISFACTION_INTENT, 4)
    assert typed_answer("👍", "nlu_fallback") == TypedAnswer("affirm")
    assert typed_answer("👎", "greet") == TypedAnswer("deny")
    assert typed_answer("passe", "reset_password") == TypedAnswer(SATISFACTION_INTENT)  # a skip
    assert typed_answer("non lo so", "deny") is None  # learnt as a no: kept
    assert typed_answer("I forgot my password", "reset_password") is None


def test_the_names_are_the_domains_and_the_outcome_codes() -> None:
    assert SATISFACTION_INTENT in DOMAIN["intents"]
    assert {RATING_ENTITY, HELPED_SLOT} <= set(DOMAIN["entities"])
    assert RATING_ENTITY == RATING_SLOT and {HELPED_SLOT, RATING_SLOT} <= set(DOMAIN["slots"])
    assert SATISFACTION_INTENT in SMALL_TALK_INTENTS  # an answer reopens no flow


def test_the_answers_are_slots_no_typed_payload_fills_by_itself() -> None:
    # only action_satisfaction_answer sets them, and only while a question waits
    for name in (HELPED_SLOT, RATING_SLOT, "satisfaction_step"):
        assert all(m["type"] == "custom" for m in DOMAIN["slots"][name]["mappings"]), name
