"""Picks the FAQ answer in process, without Rasa's ResponseSelector.

The ResponseSelector (DIET) loaded TensorFlow weights and graphs and two count-vector
featurizers only to choose among the FAQ keys; the intents already come from
`LinearIntentClassifier`. This component trains the same kind of model
(`bot.nlu.intent_model.IntentModel`, logistic regression over lemma and character
TF-IDF views) on the FAQ examples alone, with their keys as labels, and on a message
classified as the retrieval intent writes `response_selector` exactly as the
ResponseSelector does, so `utter_faq` (rasa/core/actions/action.py
`ActionRetrieveResponse`) and the processor's `full_retrieval_intent_name` work as
before. The answer texts themselves are left out of the parse data (Rasa's component
copies every variation, in all three languages, into it): utter_faq reads only the
response name, and each FAQ message would otherwise carry ~2 KB into the tracker, the
tracker store and every later action call. Accuracy and cost are measured by
`make eval` (reports/nlu.md) and `make bench-load` (reports/bench.md).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import LinearModelComponent, message_views
from bot.nlu.intent_model import IntentModel


def utter_action(response_key: str) -> str:
    """`faq/refund` -> `utter_faq/refund` (Rasa's response name for a key)."""
    return f"utter_{response_key}"


def selector_output(
    retrieval_intent: str, ranking: list[tuple[str, float]], ranking_length: int
) -> dict[str, Any]:
    """The `response_selector` parse data of Rasa's ResponseSelector for one message.

    `ranking`: (full key, probability), best first."""
    key, confidence = ranking[0]
    return {
        RESPONSE_SELECTOR_RETRIEVAL_INTENTS: [retrieval_intent],
        retrieval_intent: {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: [],  # the texts: see the module docstring
                PREDICTED_CONFIDENCE_KEY: confidence,
                INTENT_RESPONSE_KEY: key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action(key),
            },
            RESPONSE_SELECTOR_RANKING_KEY: [
                {"id": index, PREDICTED_CONFIDENCE_KEY: p, INTENT_RESPONSE_KEY: k}
                for index, (k, p) in enumerate(ranking[:ranking_length])
            ],
        },
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqSelector(LinearModelComponent):
    """Chooses the FAQ key of a message whose intent is the retrieval intent."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"retrieval_intent": "faq", "C": 20.0, "ranking_length": 10}

    def train(self, training_data: TrainingData) -> Resource:
        intent = self._config["retrieval_intent"]
        examples = [
            m
            for m in training_data.intent_examples
            if m.get(TEXT) and m.get(INTENT) == intent and m.get(INTENT_RESPONSE_KEY)
        ]
        if len({m.get(INTENT_RESPONSE_KEY) for m in examples}) < 2:
            return self._resource
        model = IntentModel.fit(
            [message_views(m) for m in examples],
            [str(m.get(INTENT_RESPONSE_KEY)) for m in examples],
            c=float(self._config["C"]),
        )
        self.state = model
        with self._model_storage.write_to(self._resource) as directory:
            model.save(directory)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.state is None:
            return messages
        model = self.state
        intent = self._config["retrieval_intent"]
        for message in messages:
            if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != intent:
                continue  # only utter_faq reads the key, and it follows the faq intent
            probabilities = model.probabilities(message_views(message))
            ranking = sorted(probabilities.items(), key=lambda item: -item[1])
            message.set(
                RESPONSE_SELECTOR_PROPERTY_NAME,
                selector_output(intent, ranking, self._config["ranking_length"]),
                add_to_output=True,
            )
        return messages
