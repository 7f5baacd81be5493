"""The article classifier on made-up articles with real embeddings: it learns an id from
all its translations' questions, and a help centre of one or two ids still works."""

from __future__ import annotations

import numpy as np

from bot.nlu.sentence_encoder import embed
from bot.services.help_centre.article_classifier import ArticleClassifier, fit_classifier
from bot.services.help_centre.articles import Article
from bot.services.help_centre.index import article_questions


def _article(id: str, language: str, title: str, *questions: str) -> Article:
    return Article(
        id=id,
        title=title,
        language=language,
        product="Demo",
        topic=id,
        url=f"https://help.example.com/{language}/{id}",
        updated="2026-12-01",
        demo=True,
        passages=(),
        path=f"{language}/{id}.md",
        questions=questions,
    )


ARTICLES = [
    _article("record", "en", "Record a meeting", "where is my recording saved?", "record a call"),
    _article("record", "it", "Registrare una riunione", "dove trovo la registrazione?"),
    _article("refunds", "en", "Refunds", "can I get my money back?", "refund of my plan"),
    _article("refunds", "fr", "Remboursements", "je veux être remboursé"),
    _article("lock", "en", "Lock a meeting", "a stranger joined my call", "lock the room"),
]


def _fit(articles: list[Article]) -> ArticleClassifier:
    texts, owners = article_questions(articles)
    return fit_classifier(articles, embed(texts), np.array(owners, dtype=np.intp))


def test_a_question_gets_its_article_id_in_every_translation() -> None:
    classifier = _fit(ARTICLES)
    probabilities = classifier.probabilities(embed(["how do I get a refund?"])[0])
    refund_rows = [i for i, a in enumerate(ARTICLES) if a.id == "refunds"]
    assert int(np.argmax(probabilities)) in refund_rows
    # the English and the French version hold the same probability: one id, one class
    assert probabilities[refund_rows[0]] == probabilities[refund_rows[1]]
    # an Italian question is classified from every language's questions
    italian = classifier.probabilities(embed(["qualcuno è entrato nella mia riunione"])[0])
    assert ARTICLES[int(np.argmax(italian))].id == "lock"


def test_two_ids_are_told_apart_and_one_id_gives_nothing_to_decide() -> None:
    two = _fit(ARTICLES[:4])
    probabilities = two.probabilities(embed(["I want my money back"])[0])
    assert ARTICLES[int(np.argmax(probabilities))].id == "refunds"
    assert sorted({round(float(p), 5) for p in probabilities}) != [0.0]
    one = _fit(ARTICLES[:2])
    assert not one.probabilities(embed(["record"])[0]).any()
