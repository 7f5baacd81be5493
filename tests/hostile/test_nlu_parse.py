"""The trained model's NLU, loaded once, fed hostile text: it never raises, and what
it returns stays within its contract (a known intent, entities inside the text,
nothing from inside a card number, a language of it/fr/en or none)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings

from bot.config.settings import LANGUAGES
from bot.nlu.entity_rules import card_number_spans
from tests.hostile.strategies import PROPERTY, hostile_text
from tests.support.environment import ROOT

pytestmark = pytest.mark.slow

INTENTS = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])


@pytest.fixture(scope="module")
def parse(model_path: Path) -> Iterator[Any]:
    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    agent = Agent.load(str(model_path))

    def parse_text(text: str) -> dict[str, Any]:
        return loop.run_until_complete(agent.parse_message(text))

    yield parse_text
    loop.close()


@settings(PROPERTY, max_examples=80)
@given(text=hostile_text)
def test_the_model_parses_anything_within_its_contract(parse: Any, text: str) -> None:
    result = parse(text)
    intent = result.get("intent") or {}
    if intent.get("name") is not None:
        assert intent["name"] in INTENTS | {"nlu_fallback"}, intent
        assert 0.0 <= float(intent.get("confidence") or 0.0) <= 1.0
    cards = card_number_spans(text)
    for entity in result.get("entities") or []:
        if entity.get("extractor") != "RuleEntityExtractor":
            continue
        start, end = entity["start"], entity["end"]
        assert 0 <= start < end <= len(text), entity
        assert not any(start < c_end and c_start < end for c_start, c_end in cards), entity
        if entity["entity"] == "card_last4":
            assert re.fullmatch(r"\d{4}", entity["value"]) and text[start:end] == entity["value"]
        if entity["entity"] == "email":
            assert entity["value"] == text[start:end].lower()
    detected = result.get("detected_language")
    if detected is not None:  # absent for "/intent" shortcuts, which skip the pipeline
        assert detected["code"] in (*LANGUAGES, "")
