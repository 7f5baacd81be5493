"""The leak searches blank only what the assistant computed, never what a customer typed."""

from tests.searchable import searchable


def test_a_digest_holding_a_phones_digits_is_blanked() -> None:
    digest = "3f4d774f03473f88a1e56ae6cd3c3dadae830810b8ab0150"  # CI's failing run held this
    stored = f'{{"conversation": "{digest}", "p": 0.99997631411}}'
    assert "347" not in searchable(stored) and "4111" not in searchable(stored)


def test_what_a_customer_typed_stays_searchable() -> None:
    typed = "carta 4111111111111111, +39 347 123 4567, codice 482913, AC-100001, deadbeef"
    assert searchable(typed) == typed


def test_an_event_timestamp_holding_a_mailed_code_is_blanked() -> None:
    stored = '{"event": "bot", "timestamp": 1796413271.902249, "text": "ok"}'  # CI, 2026-12-04
    assert "902249" not in searchable(stored) and "ok" in searchable(stored)
