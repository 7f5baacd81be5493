"""The TF-IDF terms of one message, without sklearn's per-call overhead.

`TfidfVectorizer.transform([text])` validates its input, builds a count matrix and
multiplies by a diagonal IDF matrix: ~0.7 ms for one short message, and a message
goes through four vectorizers (language, intent words and characters, FAQ key). The
same terms from the vectorizer's own analyzer, vocabulary and IDF weights cost
~0.1 ms (tests/unit/bot/nlu/test_tfidf.py checks they equal sklearn's for the options used
here), and a linear model's scores are then a sum over those few terms: sklearn's
predict_proba multiplies by `coef_.T`, which scipy copies to a contiguous array on
every call (~10 MB and 2 ms a message for the intent model), so the transposed
weights are kept once and only the rows of the message's terms are read.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

KEPT = "_one_text_state"  # (analyzer, IDF weights), kept on the vectorizer
WEIGHTS = "_one_text_weights"  # coef_.T, contiguous, kept on the classifier


def width(vectorizer: Any) -> int:
    """The number of columns of the vectorizer's rows."""
    return len(vectorizer.vocabulary_)


def tfidf_terms(vectorizer: Any, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(columns, values) of `vectorizer.transform([text])`, for a fitted or loaded
    TfidfVectorizer with IDF weights, l2 or no norm, counts not binary."""
    kept = vectorizer.__dict__.get(KEPT)
    if kept is None:  # built once per vectorizer, where transform builds it per call
        row = vectorizer.transform([text])  # (a loaded vocabulary is checked on first use)
        if vectorizer.binary or vectorizer.norm not in ("l2", None) or not vectorizer.use_idf:
            raise ValueError("tfidf_terms: an option this module does not reproduce")
        # sklearn < 1.3 rebuilds `idf_` from a sparse diagonal on every read (~0.1 ms)
        setattr(vectorizer, KEPT, (vectorizer.build_analyzer(), vectorizer.idf_.copy()))
        return row.indices.astype(np.intp), row.data
    analyzer, idf = kept
    vocabulary = vectorizer.vocabulary_
    counts = Counter(i for i in map(vocabulary.get, analyzer(text)) if i is not None)
    columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
    values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    if vectorizer.sublinear_tf:
        values = np.log(values) + 1.0
    values *= idf[columns]
    if vectorizer.norm == "l2":
        norm = np.sqrt(np.dot(values, values))
        if norm > 0:
            values /= norm
    return columns, values


def linear_scores(
    terms: list[tuple[np.ndarray, np.ndarray]], widths: list[int], weights: np.ndarray
) -> np.ndarray:
    """`hstack(rows) @ weights` for the rows' terms; `widths`: each row's length,
    `weights`: (sum of widths) x labels, as `coef_.T`."""
    scores = np.zeros(weights.shape[1])
    offset = 0
    for (columns, values), width in zip(terms, widths, strict=True):
        if len(columns):
            scores += values @ weights[columns + offset]
        offset += width
    return scores


def softmax(scores: np.ndarray) -> np.ndarray:
    """Probabilities from a linear model's scores, as sklearn's predict_proba gives
    them: one score is a binary model (logistic), several a multinomial one."""
    if scores.shape[0] == 1:
        positive = 1.0 / (1.0 + np.exp(-scores[0]))
        return np.array([1.0 - positive, positive])
    exp = np.exp(scores - scores.max())
    return exp / exp.sum()


def linear_probabilities(
    classifier: Any,
    terms: list[tuple[np.ndarray, np.ndarray]],
    widths: list[int],
    dense: np.ndarray | None = None,
) -> np.ndarray:
    """A fitted LogisticRegression's predict_proba for one message: its rows' TF-IDF
    terms (`widths` long each) and, after them, an optional dense row."""
    weights = classifier.__dict__.get(WEIGHTS)
    if weights is None:
        weights = np.ascontiguousarray(classifier.coef_.T)
        setattr(classifier, WEIGHTS, weights)
    scores = linear_scores(terms, widths, weights)
    if dense is not None:
        scores += dense @ weights[sum(widths) :]
    return softmax(scores + classifier.intercept_)
