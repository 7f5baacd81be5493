"""Which article a question asks for, learned from every article's title and
`questions:`: a multinomial logistic regression over their sentence embeddings, one
class per article id (its translations together, so an Italian question also learns
from the French and English ways of asking).

The nearest question alone (search.py's `question` score) follows one lucky wording; a
classifier weighs all of an article's questions against all of its neighbours', which
tells "cancel before the contract ends" from "what happens after I cancel" better
(+3.5 points top-1 on the dev sets, reports/help_search.md). Fitted when the index is
built (scikit-learn, about a second) and kept in it as plain arrays; a query costs one
matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.services.help_centre.articles import Article

# Inverse regularisation strength, chosen on the dev sets among 1, 10 and 100.
REGULARISATION_C = 10.0


@dataclass(frozen=True)
class ArticleClassifier:
    weights: np.ndarray  # one row per class (article id), over the embedding
    bias: np.ndarray  # one per class
    class_of_article: np.ndarray  # per article position, its class's row

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        """Per article position, the probability that `vector` asks for its id."""
        if not len(self.bias):
            return np.zeros(len(self.class_of_article), dtype=np.float32)
        logits = self.weights @ vector + self.bias
        exp = np.exp(logits - logits.max())
        return (exp / exp.sum())[self.class_of_article].astype(np.float32)


def fit_classifier(
    articles: list[Article], question_embeddings: np.ndarray, question_articles: np.ndarray
) -> ArticleClassifier:
    """Fitted on every title and question; with fewer than two ids there is nothing to
    tell apart and every probability is 0 (the other scores decide)."""
    ids = sorted({article.id for article in articles})
    class_of_article = np.array([ids.index(a.id) for a in articles], dtype=np.intp)
    dimensions = question_embeddings.shape[1] if question_embeddings.ndim == 2 else 0
    if len(ids) < 2:
        return ArticleClassifier(
            np.zeros((0, dimensions), dtype=np.float32),
            np.zeros(0, dtype=np.float32),
            np.zeros(len(articles), dtype=np.intp),
        )
    from sklearn.linear_model import LogisticRegression  # only when building the index

    labels = class_of_article[question_articles]
    model = LogisticRegression(C=REGULARISATION_C, max_iter=3000)
    model.fit(question_embeddings, labels)
    weights, bias = model.coef_, model.intercept_
    if len(ids) == 2:  # one row for the second class against the first: softmax of (0, z)
        weights = np.vstack([np.zeros_like(weights), weights])
        bias = np.concatenate([np.zeros_like(bias), bias])
    return ArticleClassifier(weights.astype(np.float32), bias.astype(np.float32), class_of_article)
