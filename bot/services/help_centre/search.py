"""Search the help centre: hybrid retrieval over passages, an article's score is its
best passage's, and a confidence decision against a threshold.

Per passage, five scores in [0, 1] that mean the same for every query, so one
threshold can tell an answer from a guess:
- lexical: BM25 over our lemmas of the passage (its title, heading and text),
  normalised by the query's words (lexical.py);
- semantic: the cosine of the multilingual sentence encoder's embeddings of the query
  and the passage (also across languages);
- title: the same cosine with the article's title (a help centre's titles name the
  task, as customers do);
- question: how customers ask for the article (its title and `questions:`): half the
  best cosine with one of them (the encoder matches a question to a question far
  better than to a passage), half the probability the article classifier gives its id
  (article_classifier.py: all the questions of all the articles weighed together);
- question lexical: BM25 of the article's title and questions as one document, so a
  rare word customers use ("oblio", "GDPR") counts even where the body never says it.
An article without questions (an imported one whose labels gave none) takes its
passage's two scores in place of the last two, so it is not ranked below the others
for want of them.
Fused as a weighted sum (WEIGHTS), then scaled by how much of the query the help
centre knows: KNOWN_WORDS_FLOOR plus the rest times the share of the query's word
weight (IDF) carried by words some article, title or question has. It ranks nothing
differently within a query; it tells "change my Facebook password" (an unknown word
carrying the query) from "change my password", so the threshold answers more real
questions at the same off-domain rate. Cross-lingual: the article is given in the
conversation's language when it has that translation, else in another language with
`other_language` set so the reply can say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bot.nlu.sentence_encoder import embed
from bot.services.help_centre.articles import Article, Passage
from bot.services.help_centre.index import HelpIndex, IndexedPassage, content_words
from bot.services.help_centre.lexical import LexicalRanker

# (lexical, semantic, title, question, question lexical): chosen on the dev set among a
# grid of fusions, keeping weight on the body so articles without questions are found
# (reports/help_search.md)
WEIGHTS = (0.15, 0.2, 0.05, 0.4, 0.2)
# Per conversation language, the score above which an article is offered as the answer:
# chosen by bench/help_eval.py as the lowest that keeps that language's calibration
# off-domain messages answered at 5% or less (reports/help_search.md). Per language,
# because the scores' scale is not the same in each: one threshold answered half as
# many French and English off-domain messages again as Italian ones.
THRESHOLDS: dict[str, float] = {"it": 0.323, "fr": 0.476, "en": 0.373}  # measured, rounded up
# The classifier's share of the question score, the closest question's the rest (dev).
CLASSIFIER_SHARE = 0.5
# The score kept by a query none of whose words the help centre has (chosen on dev).
KNOWN_WORDS_FLOOR = 0.2
QUOTE_CHARACTERS = 400  # three sentences when they fit, else two
Weights = tuple[float, float, float, float, float]


@dataclass(frozen=True)
class Answer:
    article: Article
    passage: Passage
    quote: str  # 2-3 sentences of the passage, the ones that share most words with the query
    score: float
    confident: bool  # score >= the threshold: offer it as the answer
    other_language: bool  # no version in the conversation's language: say so


@dataclass(frozen=True)
class PassageScores:
    lexical: np.ndarray
    semantic: np.ndarray
    title: np.ndarray  # the passage's article's title
    question: np.ndarray  # the passage's article's closest title or question
    question_lexical: np.ndarray  # BM25 of the article's title and questions together
    # per passage, the share of the query's word weight the help centre has words for
    # (1 for an article with no version in the query's language: its words cannot tell)
    known: np.ndarray

    def fused(self, weights: Weights, floor: float = KNOWN_WORDS_FLOOR) -> np.ndarray:
        """The weighted sum, scaled by floor + (1 - floor) * known (floor 1: unscaled)."""
        lexical, semantic, title, question, question_lexical = weights
        total = (
            lexical * self.lexical
            + semantic * self.semantic
            + title * self.title
            + question * self.question
            + question_lexical * self.question_lexical
        )
        return total * (floor + (1.0 - floor) * self.known)


class HelpSearch:
    """Search over one built index (build it with index.load_or_build)."""

    def __init__(
        self,
        index: HelpIndex,
        thresholds: Mapping[str, float] = THRESHOLDS,
        weights: Weights = WEIGHTS,
    ) -> None:
        self.index = index
        self.thresholds = dict(thresholds)
        self.weights = weights
        self._translations: dict[str, np.ndarray] = {}

    def threshold(self, language: str) -> float:
        """The language's threshold; for a language it has none for, the strictest."""
        return self.thresholds.get(language, max(self.thresholds.values()))

    @cached_property
    def _article_of_passage(self) -> np.ndarray:
        return np.array([e.article for e in self.index.passages], dtype=np.intp)

    @cached_property
    def _first_question_rows(self) -> np.ndarray:
        """Where each article's rows start in the question embeddings."""
        owners = self.index.question_articles
        return np.searchsorted(owners, np.arange(len(self.index.articles)))

    @cached_property
    def _unasked_passages(self) -> np.ndarray:
        """The passages of articles without `questions:`."""
        asked = np.array([bool(a.questions) for a in self.index.articles], dtype=bool)
        return ~asked[self._article_of_passage]

    @cached_property
    def _passage_words(self) -> LexicalRanker:
        return LexicalRanker([e.lemmas for e in self.index.passages])

    @cached_property
    def _question_words(self) -> LexicalRanker:
        return LexicalRanker(self.index.question_lemmas)

    def passage_scores(self, query: str, language: str) -> PassageScores:
        """The scores of every passage, in the index's order."""
        words = content_words(query, language)
        of_passage = self._article_of_passage
        lexical = self._passage_words.scores(words)
        question_lexical = self._question_words.scores(words)[of_passage]
        vector = embed([query])[0]
        semantic = np.clip(self.index.embeddings @ vector, 0.0, 1.0)
        title = np.clip(self.index.title_embeddings @ vector, 0.0, 1.0)[of_passage]
        # each article's rows are consecutive, its title first (index.article_questions)
        asked = self.index.question_embeddings @ vector
        closest = np.clip(np.maximum.reduceat(asked, self._first_question_rows), 0.0, 1.0)
        classified = self.index.classifier.probabilities(vector)
        question = ((1 - CLASSIFIER_SHARE) * closest + CLASSIFIER_SHARE * classified)[of_passage]
        # an article nobody wrote questions for (an imported one) is asked for by its text
        unasked = self._unasked_passages
        question[unasked] = np.maximum(title[unasked], semantic[unasked])
        question_lexical[unasked] = lexical[unasked]
        # an Italian question about an article written only in English shares few words
        # with the help centre's Italian: only translated articles are scaled by it
        known = np.where(self._translated(language), self._known_share(words), 1.0)
        return PassageScores(lexical, semantic, title, question, question_lexical, known)

    def _translated(self, language: str) -> np.ndarray:
        """Per passage: whether its article has a version in `language`."""
        if language not in self._translations:
            ids = {a.id for a in self.index.articles if a.language == language}
            has = np.array([a.id in ids for a in self.index.articles], dtype=bool)
            self._translations[language] = has[self._article_of_passage]
        return self._translations[language]

    def _known_share(self, words: list[str]) -> float:
        """Of the query's word weight (IDF over passages), the share of words that some
        passage, title or question has."""
        passages, questions = self._passage_words, self._question_words
        total = sum(passages.weight(w) for w in words)
        known = sum(passages.weight(w) for w in words if passages.knows(w) or questions.knows(w))
        return known / total if total else 0.0

    def search(
        self, query: str, language: str, limit: int = 3, margin: float = 0.0
    ) -> list[Answer]:
        """The best articles for `query` (one version per article id), best first;
        confident above the language's threshold + `margin`."""
        fused = self.passage_scores(query, language).fused(self.weights)
        return self.rank(fused, query, language, limit, margin)

    def rank(
        self,
        scores: np.ndarray,
        query: str,
        language: str,
        limit: int | None = None,
        margin: float = 0.0,
    ) -> list[Answer]:
        """The best `limit` articles (all when None) by their best passage's score; per
        id, the version in `language`. Only those get a quote written."""
        best: dict[int, int] = {}  # article position -> its best passage's position
        for position, entry in enumerate(self.index.passages):
            held = best.get(entry.article)
            if held is None or scores[position] > scores[held]:
                best[entry.article] = position
        versions: dict[str, list[int]] = {}
        for article in best:
            versions.setdefault(self.index.articles[article].id, []).append(article)
        chosen = []
        for candidates in versions.values():
            same = [a for a in candidates if self.index.articles[a].language == language]
            pick = same[0] if same else max(candidates, key=lambda a: scores[best[a]])
            chosen.append((float(scores[best[pick]]), pick, not same))
        chosen.sort(key=lambda item: -item[0])
        words = frozenset(content_words(query, language))
        threshold = self.threshold(language) + margin
        return [
            self._answer(
                self.index.passages[best[article]], score, score >= threshold, other, words
            )
            for score, article, other in chosen[:limit]
        ]

    def _answer(
        self,
        entry: IndexedPassage,
        score: float,
        confident: bool,
        other_language: bool,
        words: frozenset[str],
    ) -> Answer:
        passage = self.index.passage_of(entry)
        return Answer(
            article=self.index.article_of(entry),
            passage=passage,
            quote=quote(passage, entry.sentence_lemmas, words),
            score=score,
            confident=confident,
            other_language=other_language,
        )


def quote(
    passage: Passage, sentence_lemmas: tuple[frozenset[str], ...], words: frozenset[str]
) -> str:
    """Two or three consecutive sentences of the passage: those sharing most words with
    the query (the first ones when none does), three when they fit QUOTE_CHARACTERS."""
    sentences = passage.sentences
    if len(sentences) <= 2:
        return " ".join(sentences)
    best_start, best_overlap = 0, -1
    for start in range(len(sentences) - 1):
        overlap = sum(len(words & s) for s in sentence_lemmas[start : start + 2])
        if overlap > best_overlap:
            best_start, best_overlap = start, overlap
    three = sentences[best_start : best_start + 3]
    if len(three) == 3 and len(" ".join(three)) <= QUOTE_CHARACTERS:
        return " ".join(three)
    return " ".join(sentences[best_start : best_start + 2])
