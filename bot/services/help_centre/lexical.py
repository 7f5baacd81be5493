"""The lexical score of the help-centre search: BM25 (bm25s, Lucene's formula) over our
lemmas, divided by the most the query's words could score (the sum of their IDFs), so
it lies in [0, 1] and means the same for every query. A word no document has counts at
the IDF of a word seen nowhere: "my Instagram was hacked" covers little.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import bm25s
import numpy as np


def lucene_idf(documents: int, frequency: int) -> float:
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


class LexicalRanker:
    """BM25 over a fixed list of documents, each a list of lemmas."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self.size = len(documents)
        self._bm25 = bm25s.BM25()  # Lucene's BM25, k1 1.5, b 0.75
        if documents:  # bm25s cannot index nothing: an empty help centre scores nothing
            self._bm25.index([list(words) or [""] for words in documents], show_progress=False)
        frequency: dict[str, int] = {}
        for words in documents:
            for word in set(words):
                frequency[word] = frequency.get(word, 0) + 1
        self._idf = {word: lucene_idf(self.size, df) for word, df in frequency.items()}

    def knows(self, word: str) -> bool:
        return word in self._idf

    def weight(self, word: str) -> float:
        """The word's IDF here; a word no document has weighs the most."""
        return self._idf.get(word, lucene_idf(self.size, 0))

    def scores(self, words: Sequence[str]) -> np.ndarray:
        """One score in [0, 1] per document, in their order."""
        known = [w for w in words if w in self._idf]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        most = sum(self.weight(w) for w in words)
        return np.asarray(self._bm25.get_scores(known) / most, dtype=np.float32)
