"""Reading identifiers from the NLU result of a message."""

from __future__ import annotations

from actions.parse_data import identifier_in


def message(text: str, *entities: tuple[str, str]) -> dict:
    return {"text": text, "entities": [{"entity": e, "value": v} for e, v in entities]}


def test_an_entity_is_the_identifier() -> None:
    found = message("it's mario@libero.it thanks", ("email", "mario@libero.it"))
    assert identifier_in(found) == "mario@libero.it"


def test_one_unknown_word_is_taken_as_a_username() -> None:
    assert identifier_in(message("  marco_demo ")) == "marco_demo"


def test_a_sentence_without_an_identifier_is_none() -> None:
    assert identifier_in(message("I'm not sure which one I used")) is None
    assert identifier_in(message("")) is None
