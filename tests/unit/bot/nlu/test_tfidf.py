"""The one-message TF-IDF terms and linear scores are sklearn's, for the options our
vectorizers use."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.nlu.tfidf import linear_scores, tfidf_terms, width

TRAIN = [
    "non riesco ad accedere al mio account",
    "je n'arrive pas à me connecter, mot de passe oublié",
    "i forgot my password and my password reset link expired",
    "quanto costa il piano business",
]
MESSAGES = ["password password oublié", "accedere al account", "zzz", "", "ÉTÉ été"]


@pytest.mark.parametrize(
    "options",
    [
        {"analyzer": "word", "ngram_range": (1, 2), "sublinear_tf": True,
         "token_pattern": r"(?u)\b\w+\b"},
        {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True},
        {"analyzer": "char_wb", "ngram_range": (1, 4), "sublinear_tf": False},
        {"analyzer": "word", "norm": None},
    ],
)  # fmt: skip
def test_the_row_is_sklearns(options: dict) -> None:
    fitted = TfidfVectorizer(**options).fit(TRAIN)
    # as IntentModel.load builds one: the vocabulary given, the IDF weights set
    loaded = TfidfVectorizer(**options, vocabulary=fitted.vocabulary_)
    loaded.idf_ = fitted.idf_
    for vectorizer in (fitted, loaded):
        for _ in range(2):  # the first call builds the analyzer, the second uses it
            for text in MESSAGES:
                columns, values = tfidf_terms(vectorizer, text)
                theirs = fitted.transform([text])
                assert width(vectorizer) == theirs.shape[1]
                ours = np.zeros(theirs.shape[1])
                ours[columns] = values
                assert np.allclose(ours, theirs.toarray()[0])


def test_linear_scores_are_the_stacked_rows_times_the_weights() -> None:
    words = TfidfVectorizer(analyzer="word").fit(TRAIN)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit(TRAIN)
    widths = [len(words.idf_), len(chars.idf_)]
    weights = np.random.default_rng(7).normal(size=(sum(widths), 5))
    for text in MESSAGES:
        rows = hstack([words.transform([text]), chars.transform([text])]).tocsr()
        terms = [tfidf_terms(words, text), tfidf_terms(chars, text)]
        assert np.allclose(linear_scores(terms, widths, weights), (rows @ weights)[0])


def test_an_option_it_does_not_reproduce_is_refused() -> None:
    with pytest.raises(ValueError):
        tfidf_terms(TfidfVectorizer(binary=True).fit(TRAIN), "password")
