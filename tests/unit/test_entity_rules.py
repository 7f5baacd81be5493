"""Rule-based entities: what users type, and what must never be extracted."""

from __future__ import annotations

import pytest

from bot.nlu.entity_rules import extract_entities, has_card_number


def found(text: str) -> set[tuple[str, str]]:
    return {(e.entity, e.value) for e in extract_entities(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mario.rossi@libero.it", {("email", "mario.rossi@libero.it")}),
        ("c'est Julie.Martin@Orange.fr merci", {("email", "julie.martin@orange.fr")}),
        ("il mio account è AC-104233", {("account_id", "AC-104233")}),
        ("ac104233", {("account_id", "AC-104233")}),
        ("numero cliente AC 104233", {("account_id", "AC-104233")}),
        ("the code is 583920", {("otp_code", "583920")}),
        ("le code est 583 920", {("otp_code", "583920")}),
        ("4821", {("card_last4", "4821")}),
        ("le ultime 4 cifre sono 0452", {("card_last4", "0452")}),
        ("my card ends in 7712", {("card_last4", "7712")}),
        ("my username is mario_r", {("username", "mario_r")}),
        ("nome utente: elenag", {("username", "elenag")}),
        ("je me connecte avec sam_t42", {("username", "sam_t42")}),
        ("annullare OpenVoice Integrated", {("product", "toll_free")}),
        ("remove the GoTo Meeting plan", {("product", "meetings")}),
        ("puoi parlare in francese?", {("target_language", "fr")}),
        ("can you switch to english", {("target_language", "en")}),
    ],
)
def test_extracts_what_users_type(text: str, expected: set[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "my card is 4111 1111 1111 1111",
        "4111111111111111",
        "carta 4111-1111-1111-1234 scade 2027",
        "numero carta 5500 0000 0000 0004 ultime 0004",
        "378282246310005",  # 15-digit Amex
        "6011111111111111117",  # 19 digits
    ],
)
def test_full_card_number_is_never_extracted(text: str) -> None:
    assert has_card_number(text)
    assert not {e for e in extract_entities(text) if e.entity in ("card_last4", "otp_code")}


@pytest.mark.parametrize(
    "text",
    [
        "i signed up in 2023 and now cannot log in",
        "we need 0800 numbers for our calls",
        "il login continua a fallire",
        "username dimenticato",
        "identifiant oublié",
        "login error",
    ],
)
def test_no_entity_from_ordinary_words_or_years(text: str) -> None:
    assert not {e for e in extract_entities(text) if e.entity in ("card_last4", "username")}


def test_account_id_digits_are_not_also_an_otp() -> None:
    assert found("AC-583920") == {("account_id", "AC-583920")}


def test_email_digits_are_not_a_code() -> None:
    assert found("mario123456@gmail.com") == {("email", "mario123456@gmail.com")}
