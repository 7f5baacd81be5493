"""Rule-based entities: what users type, and what must never be extracted."""

from __future__ import annotations

import pytest

from bot.nlu.entity_rules import card_number_spans, extract_entities, has_card_number


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


# --- card numbers and codes with any separators (issue #22, finding 3) ---------------

NBSP = "\u00a0"
SEPARATED_CARDS = [
    "4111.1111.1111.1111",
    "4111/1111/1111/1111",
    "4111_1111_1111_1111",
    "4111  1111  1111  1111",
    f"4111{NBSP}1111{NBSP}1111{NBSP}1111",
    "4111 - 1111 - 1111 - 1111",
    "3782.822463.10005",  # Amex, 4-6-5
    "5500 0000\t0000-0004",  # mixed
]


@pytest.mark.parametrize("card", SEPARATED_CARDS)
def test_a_card_number_with_any_separators_is_a_card_number(card: str) -> None:
    text = f"my card is {card}, exp 09/28"
    assert has_card_number(text)
    assert card_number_spans(text) == [(11, 11 + len(card))]
    assert not {e for e in extract_entities(text) if e.entity in ("card_last4", "otp_code")}


@pytest.mark.parametrize(
    "text",
    [
        "from 15.01.2024 to 20.02.2025",  # dates
        "dal 01/02/2024 al 03/04/2025 - 12/12/2025",
        "call +39 02.1234.5678 or 06.12.34.56.78",  # phone numbers
        "tel. 0039.347.123.45.67",
        "accounts AC-100013 and AC-100014",
        "I paid 1.299,00 € and 2.499,00 €",  # prices
        "invoice 2024/000123/456",
        "4111.1111.1111.1112",  # fails the Luhn check: a reference, not a card
    ],
)
def test_dates_phones_account_ids_and_prices_are_no_card_numbers(text: str) -> None:
    assert not has_card_number(text)


@pytest.mark.parametrize("typed", ["482-913", "482.913", "482 913", "482913", f"482{NBSP}913",
                                   "482 - 913", "482_913"])  # fmt: skip
def test_a_code_typed_with_a_separator_is_the_otp_code(typed: str) -> None:
    assert found(f"the code is {typed}") == {("otp_code", "482913")}
