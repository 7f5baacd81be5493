"""Conversations through the real Rasa server, action server and trained model."""

from __future__ import annotations

import uuid

import pytest

from tests.support.replies import identify
from tests.support.servers import Assistant

pytestmark = pytest.mark.slow


def sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def replies(assistant: Assistant, who: str, message: str, **metadata: str) -> list[tuple[str, str]]:
    out = []
    for reply in assistant.send(who, message, **metadata):
        identified = identify(reply.get("text", ""))
        assert identified is not None, f"unknown reply: {reply}"
        out.append(identified)
    assert out, f"no reply to {message!r}"
    return out


@pytest.mark.parametrize(
    ("message", "language"), [("ciao", "it"), ("bonjour", "fr"), ("hello", "en")]
)
def test_greeting_is_answered_in_the_users_language(
    assistant: Assistant, message: str, language: str
) -> None:
    assert replies(assistant, sender(), message) == [("utter_greet", language)]


def test_page_language_hint_sets_the_first_reply(assistant: Assistant) -> None:
    assert replies(assistant, sender(), "ok", language="fr-FR")[0][1] == "fr"


@pytest.mark.parametrize("short", ["ok", "password", "merci", "grazie", "anna.b@orange.fr", "4821"])
def test_short_messages_do_not_flip_the_conversation_language(
    assistant: Assistant, short: str
) -> None:
    who = sender()
    assert replies(assistant, who, "hello, I need some help with my account")[0][1] == "en"
    for language in {lang for _, lang in replies(assistant, who, short)}:
        assert language == "en", f"{short!r} switched the conversation to {language}"
    # whatever the bot asks next ("password" starts a reset), it asks in English
    assert {lang for _, lang in replies(assistant, who, "thanks a lot")} == {"en"}


def test_a_confident_sentence_in_another_language_switches(assistant: Assistant) -> None:
    who = sender()
    replies(assistant, who, "hi there")
    assert (
        replies(assistant, who, "non riesco ad accedere al mio account da ieri sera")[0][1] == "it"
    )


def test_asking_for_another_language_switches(assistant: Assistant) -> None:
    who = sender()
    replies(assistant, who, "ciao")
    assert replies(assistant, who, "can you speak french please?") == [
        ("utter_language_changed", "fr")
    ]


def test_faq_is_answered_with_policy_numbers_filled(assistant: Assistant) -> None:
    who = sender()
    texts = assistant.send(who, "what happens to my data after i cancel my subscription?")
    assert identify(texts[0]["text"]) == ("utter_faq/after_cancellation", "en")
    assert "90" in texts[0]["text"] and "{" not in texts[0]["text"]


def test_second_misunderstanding_in_a_row_offers_a_person(assistant: Assistant) -> None:
    who = sender()
    replies(assistant, who, "buongiorno")
    assert replies(assistant, who, "xxxxx yyyy")[0] == ("utter_default", "it")
    assert replies(assistant, who, "kkkkkk")[0] == ("utter_fallback_offer_human", "it")
    # understood again: back to normal
    assert replies(assistant, who, "grazie mille")[0] == ("utter_thank", "it")


def test_conversation_is_stored_in_the_sql_tracker_store(assistant: Assistant) -> None:
    import sqlalchemy as sa

    who = sender()
    replies(assistant, who, "bonjour")
    engine = sa.create_engine(assistant.env["TRACKER_STORE_URL"], future=True)
    with engine.connect() as connection:
        count = connection.execute(
            sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": f"rest:{who}"}
        ).scalar()
    engine.dispose()
    assert count and count > 2
