"""The leak searches blank only what the assistant computed, never what a customer typed."""

from tests.support.searchable import searchable


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


def test_a_card_or_code_typed_with_dots_stays_searchable() -> None:
    """A leak scan must still see "4111.1111.1111.1111" and "482.913" (issue #22)."""
    typed = '{"text": "carta 4111.1111.1111.1111, codice 482.913", "confidence": 0.9871}'
    kept = searchable(typed)
    assert "4111.1111.1111.1111" in kept and "482.913" in kept and "9871" not in kept


def test_the_scan_patterns_find_every_separator_form() -> None:
    from tests.e2e.test_final_scan import patterns

    nbsp = "\u00a0"
    found = patterns({"482913"})
    for typed in ("4111.1111.1111.1111", "4111/1111/1111/1111", "4111_1111_1111_1111",
                  "4111  1111  1111  1111", f"4111{nbsp}1111{nbsp}1111{nbsp}1111",
                  "4111 - 1111 - 1111 - 1111", "4111\\u00a01111\\u00a01111\\u00a01111",
                  "482-913", "482.913", "482 - 913", "482\\u00a0913"):  # fmt: skip
        assert any(p.search(searchable(f"x {typed} y")) for p in found), typed
