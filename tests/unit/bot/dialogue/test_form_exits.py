"""Leaving a form's question (bot/dialogue/form_exits.py): a stop in any language, or
another request, is no answer to wait on (#25: "cancel" got "that doesn't look like
an email" until the customer gave one)."""

from __future__ import annotations

import pytest
import yaml

from bot.dialogue.form_exits import OTHER_REQUESTS, FormExit, form_exit
from tests.support.environment import ROOT


def parse(text: str, intent: str) -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("cancel", "cancel_subscription"),  # the classifier's reading: the words win
        ("Stop!", "nlu_fallback"), ("annulla", "inform"), ("Annulla.", "cancel_subscription"),
        ("lascia perdere", "out_of_scope"), ("Arrête", "nlu_fallback"),
        ("laisse tomber", "inform"), ("never mind", "out_of_scope"),
        ("no", "deny"), ("non voglio", "deny"),
    ],
)  # fmt: skip
def test_a_stop_leaves_in_every_language(text: str, intent: str) -> None:
    assert form_exit(parse(text, intent)) is FormExit.STOP


@pytest.mark.parametrize(
    ("text", "intent"),
    [("I cannot log in", "cannot_login"), ("je voudrais résilier", "cancel_subscription"),
     ("il servizio è down?", "service_status")],
)  # fmt: skip
def test_another_request_leaves_to_be_answered(text: str, intent: str) -> None:
    assert form_exit(parse(text, intent)) is FormExit.OTHER_REQUEST


@pytest.mark.parametrize(
    ("text", "intent"),
    [("mario at libero", "inform"), ("asdfgh", "nlu_fallback"), ("yes", "affirm"),
     ("I want to reset my password", "reset_password"), ("cancellation", "inform")],
)  # fmt: skip
def test_what_may_be_a_wrong_answer_stays(text: str, intent: str) -> None:
    assert form_exit(parse(text, intent)) is None


def test_the_other_requests_are_intents_of_the_domain() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(domain["intents"]) >= OTHER_REQUESTS
    assert "talk_to_human" not in OTHER_REQUESTS  # its own rules: a person, not the reply
