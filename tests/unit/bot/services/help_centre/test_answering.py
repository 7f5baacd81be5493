"""Which reply a turn routed to the help centre gets (an article, or today's reply), and
what the article message carries per channel; on a tiny made-up help centre, with the
real search (no Rasa)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.services.help_centre import answering
from bot.services.help_centre.index import INDEX_FILE, load_or_build
from bot.services.help_centre.live_search import LiveSearch
from bot.services.help_centre.search import HelpSearch
from tests.support.help_centre import article, write_help_centre


@pytest.fixture(scope="module")
def search(tmp_path_factory: pytest.TempPathFactory) -> HelpSearch:
    root = tmp_path_factory.mktemp("help_centre")
    index, _ = load_or_build(write_help_centre(root / "help"), root / "index")
    return HelpSearch(index)


def route(search: HelpSearch, intent: str, text: str, language: str, repeated: bool = False):
    answer = None
    if answering.should_search(intent, text):
        answer = answering.confident_answer(search.search(text, language, limit=1))
    return answering.decide(intent, answer, repeated)


@pytest.mark.parametrize("intent", ["out_of_scope", "nlu_fallback", "ask_how_to"])
def test_a_product_question_gets_the_article_whatever_the_intent(
    search: HelpSearch, intent: str
) -> None:
    decision = route(search, intent, "where is the file of my meeting recording saved?", "en")
    assert decision.response == "utter_help_article"
    assert decision.answer is not None and decision.answer.article.id == "record-meeting"


@pytest.mark.parametrize(
    ("intent", "repeated", "reply"),
    [
        ("out_of_scope", False, "utter_out_of_scope"),
        ("nlu_fallback", False, "utter_default"),
        ("nlu_fallback", True, "utter_fallback_offer_human"),
        ("ask_how_to", False, "utter_no_article"),
    ],
)
def test_an_off_domain_message_gets_todays_reply(
    search: HelpSearch, intent: str, repeated: bool, reply: str
) -> None:
    decision = route(search, intent, "what's the weather like in Rome tomorrow?", "en", repeated)
    assert (decision.response, decision.answer) == (reply, None)


def test_a_button_payload_or_a_message_without_words_is_not_searched() -> None:
    assert not answering.should_search("nlu_fallback", "/faq")
    assert not answering.should_search("nlu_fallback", "12345 !!!")
    assert not answering.should_search("greet", "how do I record a meeting")
    assert answering.should_search("ask_how_to", "how do I record a meeting")


def test_an_article_only_in_another_language_says_so(search: HelpSearch) -> None:
    # no Italian version of the password article: the English one, with the note
    decision = route(search, "ask_how_to", "come reimpostare la password", "it")
    assert decision.response == "utter_help_article_other_language"
    assert decision.answer is not None
    assert (decision.answer.article.id, decision.answer.article.language) == (
        "reset-password",
        "en",
    )


def test_the_widget_and_rest_get_a_card_and_text_channels_only_text(search: HelpSearch) -> None:
    decision = route(search, "ask_how_to", "where are my meeting recordings saved?", "en")
    assert decision.answer is not None
    card = answering.card_for("rest", decision.answer)
    assert card == answering.card_for("socketio", decision.answer)
    assert card is not None and card["article"] == {
        "id": "record-meeting",
        "topic": "record-meeting",
        "url": "https://help.example.com/en/record-meeting",
        "title": "Record a meeting",
        "language": "en",
        "passage": decision.answer.quote,
    }
    for channel in ("telegram", "slack", "twilio", "facebook", None):
        assert answering.card_for(channel, decision.answer) is None
    values = answering.response_values(decision.answer)
    assert values["article_url"] == "https://help.example.com/en/record-meeting"
    assert values["article_quote"] == decision.answer.quote


@pytest.mark.parametrize(
    ("intent", "entities", "expected"),
    [
        ("article_feedback", [{"entity": "article_helpful", "value": True}], True),
        ("article_feedback", [{"entity": "article_helpful", "value": False}], False),
        ("article_feedback", [{"entity": "article_helpful", "value": "false"}], False),
        ("article_feedback", [{"entity": "article_helpful", "value": "maybe"}], None),
        ("article_feedback", [], None),
        ("affirm", [], True),
        ("deny", [], False),
        ("greet", [], None),
    ],
)
def test_the_answer_to_did_this_answer_your_question(
    intent: str, entities: list[dict], expected: bool | None
) -> None:
    assert answering.feedback_value(intent, entities) is expected


def test_the_question_waits_only_for_yes_no_or_the_buttons() -> None:
    assert answering.answers_question("article_feedback")
    assert answering.answers_question("affirm") and answering.answers_question("deny")
    assert not answering.answers_question("cancel_subscription")
    assert not answering.answers_question(None)


def _action(name: str) -> dict:
    return {"event": "action", "name": name}


def test_the_handoff_after_a_no_knows_the_question_and_only_then() -> None:
    events = [
        {"event": "user", "text": "how do I record a meeting?"},
        _action("action_answer_from_help_centre"),
        {"event": "slot", "name": "help_article", "value": {"id": "record-meeting"}},
        _action("action_listen"),
        {"event": "user", "text": "/article_feedback"},
        _action("action_article_feedback"),
        {"event": "slot", "name": "article_helpful", "value": False},
    ]
    assert answering.question_answered(events) == "how do I record a meeting?"
    assert answering.follows_unhelpful_article(events)
    helped = [*events[:-1], {"event": "slot", "name": "article_helpful", "value": True}]
    assert not answering.follows_unhelpful_article(helped)
    later = [*events, _action("action_listen"), {"event": "user", "text": "a person please"}]
    assert not answering.follows_unhelpful_article(later)
    assert answering.question_answered(events[:1]) is None


def test_a_running_process_answers_a_new_article_after_help_index(tmp_path: Path) -> None:
    help_dir = write_help_centre(tmp_path / "help")
    live = LiveSearch(help_dir, tmp_path / "index")
    question = "how do I wake up my remote computer with wake on lan?"
    first = live.current()
    assert first is not None
    assert answering.confident_answer(first.search(question, "en")) is None
    assert live.current() is first  # unchanged file: the same search, no reload

    (help_dir / "en" / "wake-on-lan.md").write_text(
        article(
            "wake-on-lan", "en", "Wake a sleeping computer with Wake-on-LAN",
            "Wake-on-LAN lets you wake a remote computer that is asleep. Turn it on in the "
            "computer's settings and keep it connected to power and to a wired network.",
        ),
        encoding="utf-8",
    )  # fmt: skip
    # what `python -m bot help-index` does, from another process
    stale = os.stat(tmp_path / "index" / INDEX_FILE).st_mtime_ns
    built, _ = load_or_build(help_dir, tmp_path / "index")
    assert os.stat(tmp_path / "index" / INDEX_FILE).st_mtime_ns != stale or built
    answer = answering.confident_answer(live.current().search(question, "en"))  # type: ignore[union-attr]
    assert answer is not None and answer.article.id == "wake-on-lan"


def test_without_articles_there_is_no_search_and_no_error(tmp_path: Path) -> None:
    empty = tmp_path / "help"
    empty.mkdir()
    assert LiveSearch(empty, tmp_path / "index").current() is None
    shutil.rmtree(empty)
    assert LiveSearch(empty, tmp_path / "index2").current() is None


def test_a_sure_out_of_scope_reading_asks_the_search_for_a_margin() -> None:
    sure, unsure = answering.SURE_OUT_OF_SCOPE + 0.3, answering.SURE_OUT_OF_SCOPE - 0.1
    assert answering.search_margin(answering.OUT_OF_SCOPE_INTENT, sure) > 0
    assert answering.search_margin(answering.OUT_OF_SCOPE_INTENT, unsure) == 0
    assert answering.search_margin(answering.HOW_TO_INTENT, 0.99) == 0
    assert answering.search_margin("nlu_fallback", 0.99) == 0
