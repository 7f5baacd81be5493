"""The search on a tiny made-up help centre: the right article wins, with the passage
that answers, in the conversation's language when it has that version."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.help_centre.index import load_or_build
from bot.services.help_centre.lexical import LexicalRanker
from bot.services.help_centre.search import HelpSearch
from tests.support.help_centre import article, write_help_centre


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


ERASE = article(
    "delete-personal-data", "en", "Ask us to delete your personal data",
    "Send an erasure request from your registered email. We confirm when it is done.\n",
)  # fmt: skip
CANCEL = article(
    "cancel-subscription", "en", "Cancel your subscription",
    "Cancelling turns off auto-renewal. Your data is deleted 90 days after the plan ends.\n",
)  # fmt: skip
ERASE_ASKED = ERASE.replace(
    "demo: false\n", "demo: false\nquestions:\n- Right to be forgotten\n- GDPR erasure\n"
)


def _search_over(root: Path, files: dict[str, str]) -> HelpSearch:
    index, _ = load_or_build(write_help_centre(root / "help", files), root / "index")
    return HelpSearch(index)


def test_an_article_is_found_by_how_customers_ask_for_it(tmp_path: Path) -> None:
    question = "how do I use my right to be forgotten?"
    plain = _search_over(tmp_path / "plain", {"en/erase.md": ERASE, "en/cancel.md": CANCEL})
    asked = _search_over(tmp_path / "asked", {"en/erase.md": ERASE_ASKED, "en/cancel.md": CANCEL})
    before = {a.article.id: a.score for a in plain.search(question, "en")}
    after = asked.search(question, "en")
    assert after[0].article.id == "delete-personal-data"
    assert after[0].score > before["delete-personal-data"] + 0.1
    # the quote is still the article's text, never one of its questions
    assert after[0].quote.startswith("Send an erasure request")


def test_the_lexical_score_is_the_share_of_the_query_words_a_document_covers() -> None:
    ranker = LexicalRanker([["record", "meeting"], ["refund", "plan"], ["plan", "licence"]])
    covered = ranker.scores(["refund", "plan"])
    assert covered.argmax() == 1 and 0.0 < covered.max() <= 1.0
    # a word no document has still counts in the most the query could score
    assert ranker.scores(["refund", "plan", "instagram"])[1] < covered[1] / 1.5
    assert not ranker.scores(["instagram"]).any() and not ranker.scores([]).any()


def test_an_empty_help_centre_answers_nothing(tmp_path: Path) -> None:
    assert _search_over(tmp_path, {}).search("how do I record a meeting?", "en") == []


def test_a_word_the_help_centre_never_has_takes_the_confidence_away(search: HelpSearch) -> None:
    ours = search.search("how do I reset my password?", "en")[0]
    theirs = search.search("how do I reset my Instagram password?", "en")[0]
    assert ours.article.id == theirs.article.id == "reset-password"  # the ranking is the same
    assert ours.confident and not theirs.confident
    assert search.passage_scores("how do I reset my Instagram password?", "en").known.max() < 1.0


def test_a_margin_raises_the_bar_without_changing_the_ranking(search: HelpSearch) -> None:
    plain = search.search("where are my recordings saved?", "en")
    raised = search.search("where are my recordings saved?", "en", margin=1.0)
    assert plain[0].confident and not raised[0].confident
    assert [a.article.id for a in plain] == [a.article.id for a in raised]
