"""Which language a message is in, and which language the conversation is in.

`LanguageIdentifier` combines two opinions: lingua's general-purpose model (shipped
in its wheel, restricted to it/fr/en) and a small character n-gram model fitted on
our own training examples, which knows support jargon such as "mdp", "pwd" or
"disdetta". `choose_language` keeps the conversation's language sticky: short or
ambiguous messages never flip it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.nlu.entity_rules import extract_entities

LANGUAGES = ("it", "fr", "en")

# A message must have this many real words, and the detector this confidence, to
# change the language of a conversation that already has one.
MIN_WORDS_TO_SWITCH = 3
MIN_CONFIDENCE_TO_SWITCH = 0.80

WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


@dataclass(frozen=True)
class DetectedLanguage:
    code: str
    confidence: float
    words: int  # real words, after removing emails, IDs, codes and numbers

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "confidence": round(self.confidence, 4),
            "words": self.words,
        }


def content_words(text: str) -> list[str]:
    """Words that carry language: entities (emails, IDs, codes) and digits removed."""
    kept = list(text)
    for entity in extract_entities(text, with_language=False):
        if entity.entity in (
            "email",
            "account_id",
            "otp_code",
            "card_last4",
            "username",
        ):
            kept[entity.start : entity.end] = " " * (entity.end - entity.start)
    return WORD.findall("".join(kept))


@lru_cache(maxsize=1)
def _lingua() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.ITALIAN, Language.FRENCH, Language.ENGLISH
    ).build()


def lingua_scores(text: str) -> dict[str, float]:
    scores = {code: 0.0 for code in LANGUAGES}
    for value in _lingua().compute_language_confidence_values(text):
        scores[value.language.iso_code_639_1.name.lower()] = value.value
    return scores


class LanguageIdentifier:
    """lingua, optionally averaged with an n-gram model fitted on in-domain text."""

    def __init__(self, domain_model: Any | None = None) -> None:
        self.domain_model = domain_model

    @classmethod
    def fit(cls, texts: list[str], languages: list[str]) -> LanguageIdentifier:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        model = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
            LogisticRegression(C=10.0, max_iter=2000),
        )
        model.fit(texts, languages)
        return cls(model)

    def scores(self, text: str) -> dict[str, float]:
        scores = lingua_scores(text)
        if self.domain_model is not None:
            probabilities = self.domain_model.predict_proba([text])[0]
            for code, probability in zip(self.domain_model.classes_, probabilities, strict=True):
                scores[code] = (scores[code] + float(probability)) / 2
        return scores

    def detect(self, text: str) -> DetectedLanguage:
        words = content_words(text)
        if not words:
            return DetectedLanguage(code="", confidence=0.0, words=0)
        scores = self.scores(" ".join(words))
        code = max(scores, key=scores.__getitem__)
        return DetectedLanguage(code=code, confidence=scores[code], words=len(words))


def choose_language(
    current: str | None,
    detected: DetectedLanguage | None,
    *,
    requested: str | None = None,
    hint: str | None = None,
    default: str = "en",
) -> str:
    """The conversation's language after this message.

    An explicit request ("can you speak French?") always wins. A conversation with
    no language yet takes the channel's hint (the page language), else the best
    guess, else the default. After that only a confident sentence of at least
    `MIN_WORDS_TO_SWITCH` words in another language changes it.
    """
    if requested in LANGUAGES:
        return requested  # type: ignore[return-value]
    if current not in LANGUAGES:
        if hint in LANGUAGES:
            return hint  # type: ignore[return-value]
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
