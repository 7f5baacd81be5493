"""The help-centre evaluation sets stay held out from the articles: no article's
`questions:` entry is, case- and space-folded, one of `tests/help/questions/` or
`tests/help/eval2/` (the search matches a message against those entries, so a copied
one would score itself). A failure names the article to rewrite, never a held-out text."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.services.help_centre.articles import load_articles
from tests.support.environment import ROOT

EVALUATION_SETS = ("questions", "eval2")


def folded(text: str) -> str:
    return " ".join(text.casefold().split())


def test_no_article_question_is_an_evaluation_question() -> None:
    held_out: set[str] = set()
    for name in EVALUATION_SETS:
        for path in sorted((ROOT / "tests" / "help" / name).glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            held_out |= {folded(str(item["text"])) for item in data["questions"]}
    loaded = load_articles(ROOT / "help")
    assert held_out and loaded.articles and not loaded.errors
    copied = sorted(
        f"{Path(article.path)}: question {number}"
        for article in loaded.articles
        for number, question in enumerate(article.questions, start=1)
        if folded(question) in held_out
    )
    assert not copied, "article questions equal to an evaluation question:\n" + "\n".join(copied)
