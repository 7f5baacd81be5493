"""Language of a message and stickiness of the conversation's language."""

from __future__ import annotations

import pytest

from bot.dialogue.conversation_language import (
    choose_language,
    language_after,
    normalise_hint,
    sentence_language,
)
from bot.nlu.language_detection import DetectedLanguage, LanguageIdentifier, content_words

identifier = LanguageIdentifier()  # lingua alone; the trained model adds in-domain data


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("non riesco ad accedere al mio account da ieri", "it"),
        ("je n'arrive plus à me connecter à mon compte", "fr"),
        ("i can't sign in to my account since yesterday", "en"),
    ],
)
def test_detects_full_sentences(text: str, language: str) -> None:
    detected = identifier.detect(text)
    assert detected.code == language
    assert detected.words >= 3


@pytest.mark.parametrize(
    "message", ["ok", "password", "merci", "grazie", "mario.rossi@libero.it", "583920", "AC-104233"]
)
@pytest.mark.parametrize("current", ["it", "fr", "en"])
def test_short_or_ambiguous_messages_never_flip(message: str, current: str) -> None:
    assert choose_language(current, identifier.detect(message)) == current


def test_entities_and_numbers_carry_no_language() -> None:
    assert content_words("my email is mario.rossi@libero.it and code 583920") == [
        "my",
        "email",
        "is",
        "and",
        "code",
    ]
    assert identifier.detect("mario.rossi@libero.it").words == 0


def test_confident_sentence_in_another_language_switches() -> None:
    detected = identifier.detect("je voudrais résilier mon abonnement annuel s'il vous plaît")
    assert choose_language("it", detected) == "fr"


def test_explicit_request_wins_even_when_short() -> None:
    assert choose_language("it", DetectedLanguage("it", 0.99, 5), requested="en") == "en"


def test_first_turn_uses_channel_hint_then_detection_then_default() -> None:
    assert choose_language(None, DetectedLanguage("en", 0.9, 1), hint="fr") == "fr"
    assert choose_language(None, DetectedLanguage("it", 0.6, 1)) == "it"
    assert choose_language(None, None, default="en") == "en"


@pytest.mark.parametrize(
    ("raw", "code"), [("fr-FR", "fr"), ("IT", "it"), ("en_GB", "en"), ("de", None), (3, None)]
)
def test_normalise_hint(raw: object, code: str | None) -> None:
    assert normalise_hint(raw) == code


def test_domain_model_learns_support_jargon() -> None:
    trained = LanguageIdentifier.fit(
        ["mdp oublie", "mot de passe perdu", "pwd dimenticata", "password persa", "forgot pwd"] * 3,
        ["fr", "fr", "it", "it", "en"] * 3,
    )
    assert trained.detect("mdp perdu stp").code == "fr"


def test_domain_probabilities_are_the_pipelines_own() -> None:
    trained = LanguageIdentifier.fit(
        ["mdp oublie", "mot de passe perdu", "pwd dimenticata", "password persa", "forgot pwd"],
        ["fr", "fr", "it", "it", "en"],
    )
    loaded = LanguageIdentifier.from_json(trained.to_json() or {})
    for identifier in (trained, loaded):
        for text in ("mdp perdu stp", "password", "zzz", "forgot my pwd again"):
            ours = identifier._domain_probabilities(identifier.domain_model, text)
            assert ours == pytest.approx(identifier.domain_model.predict_proba([text])[0])


def test_the_language_picked_in_the_widgets_menu_is_a_request() -> None:
    english = identifier.detect("hello, I cannot sign in to my account since yesterday")
    # the page said English; the customer picked French in the menu, then wrote English
    assert language_after("en", english, {"language": "en", "chosen_language": "fr"}) == "fr"
    # after that message the rules are the usual ones: a short English word keeps French
    assert language_after("fr", identifier.detect("ok"), {"language": "fr"}) == "fr"
    # a menu value that is not a language of ours changes nothing
    assert language_after("it", None, {"chosen_language": "de"}) == "it"
    assert language_after("it", None, {"chosen_language": ["fr"]}) == "it"
    # an explicit spoken request still wins over an older menu pick
    assert language_after("it", None, {"chosen_language": "fr"}, requested="en") == "en"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Grazie. Una persona del nostro team entrerà a breve in questa chat.", "it"),
        ("Merci. Un membre de notre équipe va rejoindre cette conversation sous peu.", "fr"),
        ("Thanks. A person from our team will join this chat shortly.", "en"),
        ("OK", None),
        ("AC-104233 583920", None),
    ],
)
def test_a_bot_sentence_has_a_language_when_it_is_long_enough(
    text: str, language: str | None
) -> None:
    assert sentence_language(text) == language
