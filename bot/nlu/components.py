"""Custom Rasa 3 graph components of our NLU pipeline (see config.yml).

Thin adapters: the logic is in `bot.nlu.language_detection` and `bot.nlu.entity_rules`, which are
plain Python and tested without Rasa.

- `LanguageDetector` sets `detected_language` (code, confidence, word count) on each
  message; it also appears in the parse result, so actions can read it.
- `LemmaTokenizer` tokenises with the blank spaCy pipeline of that language and
  gives every token its lookup lemma (from spacy-lookups-data), without accents.
- `RuleEntityExtractor` extracts email, account ID, card's last four, one-time code,
  product, username and requested language.
- `LinearIntentClassifier` classifies intents with `bot.nlu.intent_model` (trained on
  full labels, FAQ keys included; the FAQ key the reply uses is chosen by
  `bot.nlu.faq_selector.FaqSelector`, trained on the FAQ examples alone).
- `TypedAnswerClassifier` reads short typed answers (a 1-5 rating, a thumb, a skip
  word) with `bot.nlu.typed_answers`, after every other classifier.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    METADATA,
    METADATA_INTENT,
    TEXT,
    TEXT_TOKENS,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.config.settings import FALLBACK_LANGUAGE, LANGUAGES
from bot.nlu.entity_rules import extract_entities
from bot.nlu.intent_model import IntentModel, Views, make_views
from bot.nlu.language_detection import DetectedLanguage, LanguageIdentifier
from bot.nlu.lemmas import lemmas, pipeline
from bot.nlu.typed_answers import RATING_ENTITY, typed_answer

DETECTED_LANGUAGE = "detected_language"
INTENT_LABEL = "intent_label"  # the classifier's best full label, FAQ key included


def example_language(message: Message) -> str | None:
    """The language a training example was written in (intent block metadata)."""
    metadata = message.get(METADATA) or {}
    language = (metadata.get(METADATA_INTENT) or {}).get("language")
    return language if language in LANGUAGES else None


def message_language(message: Message, default: str = FALLBACK_LANGUAGE) -> str:
    detected = message.get(DETECTED_LANGUAGE) or {}
    return detected.get("code") or example_language(message) or default


class StoredComponent(GraphComponent):
    """Plumbing shared by our trained components: config, model storage, and the
    state they read back from it (None when nothing was trained)."""

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        state: Any | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.state = state

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StoredComponent:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> StoredComponent:
        try:
            with model_storage.read_from(resource) as directory:
                state = cls.read_state(directory)
        except (ValueError, FileNotFoundError):
            state = None  # nothing was trained (e.g. too little data)
        return cls(config, model_storage, resource, state)

    @classmethod
    def read_state(cls, directory: Path) -> Any:
        raise NotImplementedError


# --- language -------------------------------------------------------------------


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LanguageDetector(StoredComponent):
    """Detects it/fr/en per message with lingua plus an in-domain n-gram model."""

    FILE = "language_model.json"

    @property
    def identifier(self) -> LanguageIdentifier:
        if self.state is None:  # no domain model: lingua alone
            self.state = LanguageIdentifier()
        return self.state

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"use_domain_model": True}

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]  # lingua: its import name differs from its distribution

    @classmethod
    def read_state(cls, directory: Path) -> Any:
        data = json.loads((directory / cls.FILE).read_text(encoding="utf-8"))
        return LanguageIdentifier.from_json(data)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            (m.get(TEXT), example_language(m))
            for m in training_data.training_examples
            if m.get(TEXT) and example_language(m)
        ]
        if self._config["use_domain_model"] and len({lang for _, lang in examples}) > 1:
            texts, languages = zip(*examples, strict=True)
            self.state = LanguageIdentifier.fit(list(texts), list(languages))
            with self._model_storage.write_to(self._resource) as directory:
                data = self.identifier.to_json()
                (directory / self.FILE).write_text(json.dumps(data), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            known = example_language(message)
            if known:  # no need to guess: the file says which language it is
                message.set(DETECTED_LANGUAGE, DetectedLanguage(known, 1.0, 0).as_dict())
            elif message.get(TEXT):
                message.set(
                    DETECTED_LANGUAGE,
                    self.identifier.detect(message.get(TEXT)).as_dict(),
                )
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            detected = self.identifier.detect(text)
            message.set(DETECTED_LANGUAGE, detected.as_dict(), add_to_output=True)
        return messages


# --- tokens ---------------------------------------------------------------------


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class LemmaTokenizer(Tokenizer):
    """Blank spaCy pipeline per language with lookup lemmas; accent-free lemmas
    (`bot.nlu.lemmas`, which the help-centre search reads words with too)."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        for language in LANGUAGES:  # load now: the first user of a language must not wait
            pipeline(language)

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy"]

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute)
        if not text:
            return []
        words = lemmas(text, message_language(message))
        tokens = [Token(w.text, w.start, lemma=w.lemma) for w in words]
        return self._apply_token_pattern(tokens)


# --- entities -------------------------------------------------------------------


class RuleComponent(GraphComponent):
    """A component that reads messages by rule: nothing trained, nothing stored."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RuleComponent:
        return cls()


def rule_entity(entity: str, value: Any, start: int, end: int) -> dict[str, Any]:
    """An entity found by rule, as Rasa's extractors write one (certain: confidence 1)."""
    return {"entity": entity, "value": value, "start": start, "end": end, "confidence_entity": 1.0}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class RuleEntityExtractor(RuleComponent, EntityExtractorMixin):
    """Deterministic extraction of the identity and product entities."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            found = [rule_entity(e.entity, e.value, e.start, e.end) for e in extract_entities(text)]
            entities = [*message.get(ENTITIES, []), *self.add_extractor_name(found)]
            message.set(ENTITIES, entities, add_to_output=True)
        return messages


# --- intents --------------------------------------------------------------------


def message_views(message: Message) -> Views:
    tokens: list[Token] = message.get(TEXT_TOKENS) or []
    lemmas = [(t.start, t.end, t.lemma or t.text) for t in tokens]
    return make_views(message.get(TEXT) or "", lemmas)


def training_label(message: Message) -> str | None:
    """`faq/refund` for FAQ examples (the full key), else the intent."""
    return message.get(INTENT_RESPONSE_KEY) or message.get(INTENT)


class LinearModelComponent(StoredComponent):
    """A component whose trained state is an IntentModel (bot/nlu/intent_model.py) over
    the tokenizer's lemmas: the intent classifier and the FAQ selector."""

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @classmethod
    def read_state(cls, directory: Path) -> IntentModel:
        return IntentModel.load(directory)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LinearModelComponent):
    """Logistic regression over lemma and character TF-IDF views."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # sentence_encoder: weight of the sentence embeddings next to the TF-IDF views
        # (0 turns the encoder off; see bot/nlu/sentence_encoder.py)
        # min_familiarity: below this share of known character trigrams (keyboard mash),
        # every confidence is scaled by that share, so the FallbackClassifier rejects it
        return {"C": 20.0, "ranking_length": 10, "sentence_encoder": 0.0, "min_familiarity": 0.5}

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and training_label(m)]
        if len({training_label(m) for m in examples}) < 2:
            return self._resource
        self.state = IntentModel.fit(
            [message_views(m) for m in examples],
            [str(training_label(m)) for m in examples],
            c=float(self._config["C"]),
            encoder_weight=float(self._config["sentence_encoder"]),
        )
        with self._model_storage.write_to(self._resource) as directory:
            self.state.save(directory)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.state is None:
            return messages
        for message in messages:
            if not message.get(TEXT):
                # No text, no intent (as Rasa's own classifiers do): without the key the
                # FallbackClassifier raised and an empty message got no reply at all.
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            # An intent scores as its best label: faq/refund -> faq. Summing the
            # fourteen FAQ keys instead would let many small doubts look like "faq".
            by_intent: dict[str, float] = {}
            views = message_views(message)
            probabilities = self.state.probabilities(views)
            familiarity = self.state.familiarity(views)
            if familiarity < float(self._config["min_familiarity"]):
                probabilities = {k: p * familiarity for k, p in probabilities.items()}
            for label, probability in probabilities.items():
                intent = label.split("/")[0]
                by_intent[intent] = max(by_intent.get(intent, 0.0), probability)
            # the full label too (`faq/refund`): the FAQ key as this classifier sees it
            best = max(probabilities, key=probabilities.__getitem__)
            message.set(INTENT_LABEL, best, add_to_output=True)
            ranking = [
                {"name": name, "confidence": confidence}
                for name, confidence in sorted(by_intent.items(), key=lambda kv: -kv[1])
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, ranking[: self._config["ranking_length"]], add_to_output=True
            )
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TypedAnswerClassifier(RuleComponent):
    """The last word on short typed answers (`bot.nlu.typed_answers`): a 1-5 rating,
    a thumb, a skip word. Last in the pipeline, so a fallback does not hide them."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            classified = (message.get(INTENT) or {}).get("name")
            answer = typed_answer(message.get(TEXT) or "", classified)
            if answer is None:
                continue
            top = {"name": answer.intent, "confidence": 1.0}
            ranking = message.get(INTENT_RANKING_KEY) or []
            others = [r for r in ranking if r["name"] != answer.intent]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top, *others], add_to_output=True)
            if answer.rating is not None:
                rating = rule_entity(RATING_ENTITY, answer.rating, 0, len(message.get(TEXT) or ""))
                rating["extractor"] = self.__class__.__name__
                message.set(ENTITIES, [*message.get(ENTITIES, []), rating], add_to_output=True)
        return messages
