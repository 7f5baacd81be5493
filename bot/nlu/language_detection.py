"""Which language a message is in.

`LanguageIdentifier` combines two opinions: lingua's general-purpose model (shipped
in its wheel, restricted to it/fr/en) and a small character n-gram model fitted on
our own training examples, which knows support jargon such as "mdp", "pwd" or
"disdetta". It saves and loads itself as JSON, like the intent model; the Rasa
component `bot.nlu.components.LanguageDetector` only stores and runs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from bot.config.settings import LANGUAGES
from bot.nlu.entity_rules import extract_entities
from bot.nlu.tfidf import linear_probabilities, tfidf_terms, width

# The in-domain model's features, for fitting and for loading alike.
CHAR_NGRAMS: dict[str, Any] = {"analyzer": "char_wb", "ngram_range": (1, 4), "sublinear_tf": True}

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
            TfidfVectorizer(**CHAR_NGRAMS), LogisticRegression(C=10.0, max_iter=2000)
        )
        model.fit(texts, languages)
        return cls(model)

    def to_json(self) -> dict[str, Any] | None:
        """The in-domain model as plain numbers (None: lingua alone).

        JSON, not pickle: a model file must never be able to run code when loaded.
        """
        if self.domain_model is None:
            return None
        vectorizer, classifier = self.domain_model.named_steps.values()
        return {
            "vocabulary": {k: int(v) for k, v in vectorizer.vocabulary_.items()},
            "idf": vectorizer.idf_.tolist(),
            "classes": classifier.classes_.tolist(),
            "coef": classifier.coef_.tolist(),
            "intercept": classifier.intercept_.tolist(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LanguageIdentifier:
        """The identifier `to_json` wrote."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        vectorizer = TfidfVectorizer(**CHAR_NGRAMS, vocabulary=data["vocabulary"])
        vectorizer.idf_ = np.array(data["idf"])
        classifier = LogisticRegression()
        classifier.classes_ = np.array(data["classes"])
        classifier.coef_ = np.array(data["coef"])
        classifier.intercept_ = np.array(data["intercept"])
        return cls(make_pipeline(vectorizer, classifier))

    @staticmethod
    def _domain_probabilities(domain_model: Any, text: str) -> np.ndarray:
        """The in-domain model's predict_proba for one text, as IntentModel computes
        its own (bot/nlu/tfidf.py): sklearn's costs ~0.5 ms a message."""
        vectorizer, classifier = domain_model.named_steps.values()
        return linear_probabilities(
            classifier, [tfidf_terms(vectorizer, text)], [width(vectorizer)]
        )

    def scores(self, text: str) -> dict[str, float]:
        scores = lingua_scores(text)
        if self.domain_model is not None:
            probabilities = self._domain_probabilities(self.domain_model, text)
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
