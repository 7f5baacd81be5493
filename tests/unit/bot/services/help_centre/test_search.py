"""The search on a tiny made-up help centre: the right article wins, with the passage
that answers, in the conversation's language when it has that version."""

from __future__ import annotations

import pytest

from bot.services.help_centre.index import load_or_build
from bot.services.help_centre.search import HelpSearch
from tests.support.help_centre import write_help_centre


@pytest.fixture(scope="module")
def search(tmp_path_factory: pytest.TempPathFactory) -> HelpSearch:
    root = tmp_path_factory.mktemp("help_centre")
    index, _ = load_or_build(write_help_centre(root / "help"), root / "index")
    return HelpSearch(index)


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("where is the file of my meeting recording saved?", "en", "record-meeting"),
        ("can I get my money back if I cancel before the end of the year?", "en", "refunds"),
        ("the reset link in the email has expired", "en", "reset-password"),
        ("come faccio a registrare la riunione?", "it", "record-meeting"),
    ],
)
def test_the_right_article_comes_first(
    search: HelpSearch, question: str, language: str, expected: str
) -> None:
    assert search.search(question, language)[0].article.id == expected


def test_the_quote_is_two_or_three_sentences_of_the_passage_that_answers(
    search: HelpSearch,
) -> None:
    best = search.search("where are my recordings saved?", "en")[0]
    assert best.passage.heading == "Where recordings are saved"
    assert best.quote.startswith("A recording is saved in your online account")
    assert 2 <= best.quote.count(". ") + 1 <= 3
    assert best.confident and not best.other_language


def test_the_conversation_language_version_is_preferred(search: HelpSearch) -> None:
    best = search.search("how do I record a meeting?", "it")[0]
    assert (best.article.id, best.article.language, best.other_language) == (
        "record-meeting",
        "it",
        False,
    )


def test_without_that_language_another_version_comes_with_a_flag(search: HelpSearch) -> None:
    # no Italian refunds article: the French or English one, marked as another language
    best = search.search("posso avere un rimborso se disdico prima della scadenza?", "it")[0]
    assert best.article.id == "refunds"
    assert best.article.language in ("fr", "en") and best.other_language


def test_an_unrelated_message_gets_no_confident_article(search: HelpSearch) -> None:
    answers = search.search("what's the weather like in Rome tomorrow?", "en")
    assert not any(answer.confident for answer in answers)


def test_a_message_of_stop_words_or_symbols_still_gets_an_answer_list(search: HelpSearch) -> None:
    for text in ("", "the", "?!", "\ud800"):
        assert all(not a.confident for a in search.search(text, "en"))
