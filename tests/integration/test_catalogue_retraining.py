"""An operator adds a product to a copy of the catalogue, retrains, and the model
understands it: the name is extracted as a product, and a request that names it is
classified although no training example ever mentions it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.config.settings import PROJECT_ROOT, get_settings

pytestmark = pytest.mark.slow

# Our NLU pipeline without the ResponseSelector: enough to train in seconds.
CONFIG = """
recipe: default.v1
assistant_id: catalogue-test
language: en
pipeline:
  - name: bot.nlu.components.LanguageDetector
  - name: bot.nlu.components.LemmaTokenizer
  - name: bot.nlu.components.RuleEntityExtractor
  - name: bot.nlu.components.LinearIntentClassifier
policies: []
"""

# A few examples per intent, naming the products the catalogue already lists.
NLU = {
    "cancel_subscription": [
        "cancel my GoTo Meeting subscription", "i want to cancel webinar",
        "how do i cancel my training plan", "stop my LogMeIn Pro subscription",
        "cancel the GoTo Webinar plan please", "end my meetings subscription",
    ],
    "service_status": [
        "is GoTo Meeting down", "webinar is not loading", "is there an outage",
        "is the service down right now", "LogMeIn Pro does not load today",
        "training sessions are down",
    ],
    "reset_password": [
        "i forgot my password", "reset my password please", "new password for my account",
        "i lost my password", "how do i change my password", "password reset link",
    ],
}  # fmt: skip


def nlu_file(path: Path) -> Path:
    blocks = [
        {"intent": intent, "metadata": {"language": "en"},
         "examples": "".join(f"- {text}\n" for text in texts)}
        for intent, texts in NLU.items()
    ]  # fmt: skip
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": blocks}, sort_keys=False))
    return path


@pytest.fixture
def catalogue_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shipped catalogue copied, with one new plan; CATALOGUE_FILE points to it."""
    catalogue = yaml.safe_load((PROJECT_ROOT / "bot" / "catalogue.yml").read_text())
    catalogue["products"]["connect"] = {
        "name": "GoTo Connect",
        "kind": "plan",
        "aliases": {"all": ["goto connect", "go to connect"], "it": ["centralino cloud"]},
    }
    path = tmp_path / "catalogue.yml"
    path.write_text(yaml.safe_dump(catalogue, allow_unicode=True))
    monkeypatch.setenv("CATALOGUE_FILE", str(path))
    get_settings.cache_clear()
    yield path
    monkeypatch.undo()
    get_settings.cache_clear()


def parse(model: str, text: str) -> dict:
    from rasa.core.agent import Agent

    return asyncio.run(Agent.load(model).parse_message(text))


def test_a_product_added_to_the_catalogue_is_understood_after_retraining(
    catalogue_copy: Path, tmp_path: Path
) -> None:
    from rasa.model_training import train_nlu

    config = tmp_path / "config.yml"
    config.write_text(CONFIG)
    model = train_nlu(
        config=str(config), nlu_data=str(nlu_file(tmp_path / "nlu.yml")), output=str(tmp_path)
    )
    assert model is not None

    result = parse(model, "please cancel my GoToConnect subscription")
    products = [
        (e["value"], e["start"], e["end"]) for e in result["entities"] if e["entity"] == "product"
    ]
    assert products == [("connect", 17, 28)]
    assert result["intent"]["name"] == "cancel_subscription"
    assert parse(model, "is goto connect down?")["intent"]["name"] == "service_status"
