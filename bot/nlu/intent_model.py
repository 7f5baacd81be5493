"""The intent model: logistic regression over two TF-IDF views of a message and,
when configured, its multilingual sentence embedding (`bot.nlu.sentence_encoder`).

- lemma view: word uni- and bigrams of the spaCy lookup lemmas (accent-free), so
  "ho dimenticato" and "dimenticata" meet on "dimenticare";
- character view: character 2-5-grams of the accent-free text, for typos.

In both views, identity data is replaced by a placeholder (`zzemailzz`,
`zzaccountidzz`, ...): "my account is AC-287461" is about giving an account ID,
whatever its digits. Product names become their kind in the catalogue (`zzplanzz`,
`zzaddonzz`, `zztoolzz`): "disdire OpenVoice" is "disdire an add-on", so a product
the training data never names is understood once the catalogue lists it; other
companies' products become `zzelsewherezz` ("reset my Netflix password": not ours).
Chosen by measurement (`make eval`, reports/nlu.md).
Saved as JSON + NumPy arrays (never pickle: a model file must not run code).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.nlu.catalogue import get_catalogue
from bot.nlu.entity_rules import extract_entities, fold, product_mentions
from bot.nlu.tfidf import linear_probabilities, tfidf_terms, width

PLACEHOLDER_ENTITIES = ("email", "account_id", "otp_code", "card_last4", "username")
WORD_CHARACTER = re.compile(r"[^\W_]")  # a letter or a digit, in any script
ELSEWHERE = "zzelsewherezz"  # another company's product (catalogue, `elsewhere`)


def placeholder(entity: str) -> str:
    return f"zz{entity.replace('_', '')}zz"


def placeholder_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, placeholder) of the entities the views replace."""
    catalogue, folded = get_catalogue(), fold(text)
    spans = [(start, end, ELSEWHERE) for start, end in catalogue.elsewhere(folded)]
    spans += [
        (e.start, e.end, placeholder(e.entity))
        for e in extract_entities(text, with_language=False)
        if e.entity in PLACEHOLDER_ENTITIES
    ]
    # products named or only meant ("webinar"), unless an identity entity holds them
    for m in product_mentions(folded):
        if not any(m.start < end and start < m.end for start, end, _ in spans):
            spans.append((m.start, m.end, placeholder(catalogue.products[m.code].kind)))
    return sorted(spans)


def with_placeholders(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """The text with the entity spans replaced by their placeholder word."""
    pieces, last = [], 0
    for start, end, word in spans:
        pieces += [text[last:start], f" {word} "]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


@dataclass(frozen=True)
class Views:
    lemmas: str
    characters: str
    text: str = ""  # as written: the sentence encoder reads it whole


def make_views(text: str, lemmas: Sequence[tuple[int, int, str]]) -> Views:
    """`lemmas` are (start, end, lemma) of the tokens; entity tokens get placeholders."""
    spans = placeholder_spans(text)
    words: list[str] = []
    for start, end, lemma in lemmas:
        covering = next((p for s, e, p in spans if start < e and s < end), None)
        word = covering or fold(lemma)
        if not words or word != words[-1] or covering is None:
            words.append(word)
    return Views(" ".join(words), fold(with_placeholders(text, spans)), text)


class IntentModel:
    """TF-IDF (lemma words + characters), optionally sentence embeddings scaled by
    `encoder_weight`, and multinomial logistic regression."""

    def __init__(self, vectorizers: tuple, classifier, encoder_weight: float = 0.0) -> None:
        self.word_vectorizer, self.char_vectorizer = vectorizers
        self.classifier = classifier
        self.encoder_weight = encoder_weight  # 0: no sentence encoder
        self._trigrams: Callable[[str], list[str]] | None = None  # see familiarity

    @staticmethod
    def _vectorizers(word_vocabulary=None, char_vocabulary=None) -> tuple:
        from sklearn.feature_extraction.text import TfidfVectorizer

        words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
            token_pattern=r"(?u)\b\w+\b", vocabulary=word_vocabulary,
        )  # fmt: skip
        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, vocabulary=char_vocabulary
        )
        return words, chars

    @classmethod
    def fit(
        cls,
        views: Sequence[Views],
        labels: Sequence[str],
        c: float = 20.0,
        encoder_weight: float = 0.0,
    ) -> IntentModel:
        from sklearn.linear_model import LogisticRegression

        words, chars = cls._vectorizers()
        words.fit([v.lemmas for v in views])
        chars.fit([v.characters for v in views])
        model = cls((words, chars), LogisticRegression(C=c, max_iter=3000), encoder_weight)
        model.classifier.fit(model._matrix(views), list(labels))
        return model

    def _matrix(self, views: Sequence[Views]):
        from scipy.sparse import csr_matrix, hstack

        blocks = [
            self.word_vectorizer.transform([v.lemmas for v in views]),
            self.char_vectorizer.transform([v.characters for v in views]),
        ]
        if self.encoder_weight:
            from bot.nlu.sentence_encoder import embed

            blocks.append(csr_matrix(embed([v.text for v in views]) * self.encoder_weight))
        return hstack(blocks).tocsr()

    def familiarity(self, views: Views) -> float:
        """The share of the message's character trigrams seen in the training data.

        Keyboard mash ("kkkkkk", "xxxxx yyyy") is made of trigrams no example has, yet
        the softmax still picks a label, and with real-text features a confident one
        ("kkkkkk" -> affirm). Real messages, typos and SMS style included, keep most of
        their trigrams (in make eval's held-out sets 98% of them keep 80% or more).
        Only words with a letter or a digit count: a message of punctuation or emoji
        alone ("??", "...") has nothing to understand (0.0), and with the sentence
        encoder "??" read as a yes."""
        if self._trigrams is None:
            analyzer = self.char_vectorizer.build_analyzer()
            self._trigrams = lambda text: [g for g in analyzer(text) if len(g) == 3]
        words = " ".join(w for w in views.characters.split() if WORD_CHARACTER.search(w))
        grams = self._trigrams(words) if words else []
        if not grams:
            return 0.0
        # a loaded model has its vocabulary as given, `vocabulary_` after a first transform
        vectorizer = self.char_vectorizer
        vocabulary = getattr(vectorizer, "vocabulary_", None) or vectorizer.vocabulary
        return sum(g in vocabulary for g in grams) / len(grams)

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.classifier.classes_]

    def probabilities(self, views: Views) -> dict[str, float]:
        """sklearn's predict_proba for one message, without its per-call costs
        (bot/nlu/tfidf.py); the embedding's weights follow the TF-IDF views' (_matrix)."""
        embedding = None
        if self.encoder_weight:
            from bot.nlu.sentence_encoder import embed

            embedding = embed([views.text])[0].astype(np.float64) * self.encoder_weight
        row = linear_probabilities(
            self.classifier,
            [tfidf_terms(self.word_vectorizer, views.lemmas),
             tfidf_terms(self.char_vectorizer, views.characters)],
            [width(self.word_vectorizer), width(self.char_vectorizer)],
            embedding,
        )  # fmt: skip
        return {label: float(p) for label, p in zip(self.labels, row, strict=True)}

    # --- persistence (no pickle) -------------------------------------------------

    def save(self, directory: Path) -> None:
        vocabularies = {
            "words": {k: int(v) for k, v in self.word_vectorizer.vocabulary_.items()},
            "chars": {k: int(v) for k, v in self.char_vectorizer.vocabulary_.items()},
            "labels": self.labels,
            "encoder_weight": self.encoder_weight,
        }
        (directory / "intent_vocabularies.json").write_text(json.dumps(vocabularies))
        np.savez_compressed(
            directory / "intent_weights.npz",
            word_idf=self.word_vectorizer.idf_,
            char_idf=self.char_vectorizer.idf_,
            coef=self.classifier.coef_.astype(np.float32),
            intercept=self.classifier.intercept_,
        )

    @classmethod
    def load(cls, directory: Path) -> IntentModel:
        from sklearn.linear_model import LogisticRegression

        vocabularies = json.loads((directory / "intent_vocabularies.json").read_text())
        weights = np.load(directory / "intent_weights.npz", allow_pickle=False)
        words, chars = cls._vectorizers(vocabularies["words"], vocabularies["chars"])
        words.idf_ = weights["word_idf"]
        chars.idf_ = weights["char_idf"]
        classifier = LogisticRegression()
        classifier.classes_ = np.array(vocabularies["labels"])
        classifier.coef_ = weights["coef"].astype(np.float64)
        classifier.intercept_ = weights["intercept"]
        return cls((words, chars), classifier, float(vocabularies.get("encoder_weight", 0.0)))
