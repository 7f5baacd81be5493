"""Every reply exists in Italian, French and English, chosen by the language slot."""

from __future__ import annotations

import re

import pytest

from tests.support.replies import responses, variation_language


@pytest.mark.parametrize("name", sorted(responses()))
def test_every_response_has_one_variation_per_language(name: str) -> None:
    variations = responses()[name]
    languages = sorted(variation_language(v) for v in variations)
    assert languages == ["en", "fr", "it"], f"{name}: {languages}"
    texts = [v["text"] for v in variations]
    assert len(set(texts)) == 3, f"{name}: two languages share the same text"


@pytest.mark.parametrize("name", sorted(responses()))
def test_buttons_are_offered_in_every_language_or_none(name: str) -> None:
    counts = {len(v.get("buttons") or []) for v in responses()[name]}
    assert len(counts) == 1, f"{name}: button counts differ between languages: {counts}"


def test_policy_numbers_are_never_written_into_replies() -> None:
    for name, variations in responses().items():
        for variation in variations:
            for number in ("90 ", "120 ", "30 "):
                assert number not in variation["text"], f"{name} hard-codes {number.strip()}"


def test_the_agent_joined_notice_fits_every_agent() -> None:
    # "Marie ... è entrato": an Italian past participle agrees with the agent's gender
    for variation in responses()["utter_agent_joined"]:
        assert "{agent_name}" in variation["text"]
        if variation_language(variation) == "it":
            assert not re.search(r"\bè \w+(ato|ata|uto|uta|ito|ita)\b", variation["text"])
