"""The Rasa server's hot path (bot/rasa/patches/hot_path.py): same behaviour, less work.

Action-server responses are checked by a validator compiled once, and still refused
when malformed (through Rasa's real RemoteAction and a real local HTTP endpoint);
the in-process conversation state gives exactly the events the action server gives.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_state import ActionTrackConversation
from bot.config.settings import PROJECT_ROOT
from bot.rasa.patches.hot_path import (
    LOG_ONLY_COPY_MODULES,
    cache_event_types,
    compile_action_response_validation,
    deepcopies_only_for_debug_events,
    event_kind_validators,
    fast_slot_copies,
    plain_copy,
    skip_debug_log_copies,
    track_conversation,
)
from tests.support.action_endpoint import ActionEndpoint

VALID = {"events": [{"event": "slot", "name": "language", "value": "fr"}], "responses": []}
MALFORMED = [
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": 42, "value": "fr"}]},  # a slot name must be a string
    {"events": [{"event": "no_such_event"}]},
    {"events": [], "responses": ["a string, not an object"]},
]


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled validation, installed for this test only."""
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    compile_action_response_validation()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[ActionEndpoint]:
    server = ActionEndpoint()
    yield server
    server.close()


def run_remote(endpoint: ActionEndpoint, body: Any) -> list:
    endpoint.body = body
    domain = Domain.from_yaml("slots:\n  language:\n    type: any\n    mappings: []\n")
    tracker = DialogueStateTracker.from_events("someone", [], slots=domain.slots)
    action = RemoteAction("action_anything", EndpointConfig(endpoint.url))
    return asyncio.run(action.run(None, None, tracker, domain))  # type: ignore[arg-type]


@pytest.mark.usefixtures("compiled")
@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_a_malformed_action_response_is_still_refused(endpoint: ActionEndpoint, body: Any) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        run_remote(endpoint, body)


@pytest.mark.usefixtures("compiled")
def test_a_valid_action_response_is_applied(endpoint: ActionEndpoint) -> None:
    assert run_remote(endpoint, VALID) == [SlotSet("language", "fr")]


@pytest.mark.usefixtures("compiled")
def test_the_schema_is_not_checked_again_on_every_action_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # jsonschema.validate() re-checks the schema on each call: half of the server's CPU
    validator_class = validator_for(RemoteAction.action_response_format_spec())
    checks = []
    original = validator_class.check_schema
    monkeypatch.setattr(
        validator_class, "check_schema", classmethod(lambda cls, s: checks.append(s) or original(s))
    )
    action = RemoteAction("action_anything", None)
    for _ in range(3):
        assert action._validate_action_result(VALID)
        with pytest.raises(ValidationError):
            action._validate_action_result(MALFORMED[0])
    assert checks == []


def wrong_value(constraint: dict[str, Any]) -> Any:
    """A value that breaks a property's `type`, or None if it has none."""
    allowed = constraint.get("type")
    allowed = {allowed} if isinstance(allowed, str) else set(allowed or ())
    for value, kinds in (({"an": "object"}, {"object"}), ("text", {"string"}), (1.5, {"number"})):
        if allowed and not allowed & kinds:
            return value
    return None


def responses_to_judge() -> Iterator[Any]:
    """Real events of every kind Rasa serialises, and each property of each kind broken."""
    from rasa.shared.core.events import ActiveLoop, BotUttered, FollowupAction, Restarted

    parse = {"text": "hi", "intent": {"name": "greet", "confidence": 0.9}, "entities": []}
    real = [UserUttered("hi", parse["intent"], [], parse), BotUttered("hello", {"buttons": []}),
            SlotSet("language", "fr"), ActiveLoop("reset_form"), ActiveLoop(None),
            ActionExecuted("action_listen"), FollowupAction("utter_greet"), Restarted(),
            SessionStarted()]  # fmt: skip
    yield {"events": [event.as_dict() for event in real], "responses": [{"text": "hi"}]}
    branches = RemoteAction.action_response_format_spec()["properties"]["events"]["items"]
    for branch in branches["oneOf"]:
        kind = branch["properties"]["event"]["const"]
        event = {"event": kind, **{name: None for name in branch.get("required", [])}}
        yield {"events": [event]}
        for name, constraint in branch["properties"].items():
            broken = wrong_value(constraint)
            if broken is not None:
                yield {"events": [{**event, name: broken}]}
    yield from ({"events": [{"timestamp": "noon", "event": "slot"}]}, {"events": [[]]}, [], None)
    yield from MALFORMED


def test_checking_each_event_against_its_own_kind_judges_as_the_whole_schema() -> None:
    schema = RemoteAction.action_response_format_spec()
    whole = validator_for(schema)(schema)
    by_kind = event_kind_validators(schema, validator_for(schema))
    verdicts = [(by_kind(response), whole.is_valid(response)) for response in responses_to_judge()]
    assert all(fast == full for fast, full in verdicts)
    assert 5 < sum(full for _, full in verdicts) < len(verdicts) - 5  # both kinds judged


def test_branches_sharing_a_kind_get_the_whole_check() -> None:
    # two "slot" branches, one wanting a string value: by kind, one would hide the other
    branches = [
        {"properties": {"event": {"const": "slot"}, "value": {"type": "string"}}},
        {"properties": {"event": {"const": "slot"}, "name": {"type": "string"}}},
    ]
    items = {"type": "object", "required": ["event"], "oneOf": branches}
    schema = {"type": "object", "properties": {"events": {"type": "array", "items": items}}}
    check = event_kind_validators(schema, validator_for(schema))
    assert not check({"events": [{"event": "slot", "name": "a", "value": "b"}]})  # both match
    assert check({"events": [{"event": "slot", "name": "a", "value": 1}]})  # the second only


# --- conversation state in process: the same events as the action server ----------

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def user(text: str, intent: str, language: dict | None = None, **extra: Any) -> UserUttered:
    parse_data = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": extra.pop("entities", []),
        **({"detected_language": language} if language else {}),
    }
    return UserUttered(text, parse_data["intent"], parse_data["entities"], parse_data, **extra)


def sdk_events(tracker: DialogueStateTracker) -> list[dict]:
    state = tracker.current_state(EventVerbosity.ALL)
    sdk_tracker = Tracker.from_dict(json.loads(json.dumps(state)))
    return asyncio.run(ActionTrackConversation().run(CollectingDispatcher(), sdk_tracker, {}))


FR = {"code": "fr", "confidence": 0.97, "words": 6}
EN_SHORT = {"code": "en", "confidence": 0.99, "words": 1}
IT = {"code": "it", "confidence": 0.95, "words": 7}

CONVERSATIONS = {
    "first turn, detected": [user("bonjour je voudrais de l'aide svp", "greet", FR)],
    "first turn, page hint": [user("ok", "affirm", EN_SHORT, metadata={"language": "fr-FR"})],
    "short message keeps the language": [
        SlotSet("language", "it"),
        user("ok", "affirm", EN_SHORT),
    ],
    "confident sentence switches": [
        SlotSet("language", "en"),
        user("non riesco ad accedere al mio account da ieri sera", "cannot_login", IT),
    ],
    "explicit request": [
        SlotSet("language", "it"),
        user(
            "can you speak french?",
            "change_language",
            EN_SHORT,
            entities=[{"entity": "target_language", "value": "fr", "start": 14, "end": 20}],
        ),
    ],
    "second fallback in a row": [
        SlotSet("language", "it"),
        user("blah blah", "nlu_fallback", IT),
        ActionExecuted("action_listen"),
        user("kkkkkk", "nlu_fallback", IT),
    ],
    "understood again": [
        SlotSet("language", "it"),
        SlotSet("repeated_fallback", True),
        user("grazie mille", "thank", IT),
    ],
    "policy slots already set": [
        SlotSet("language", "en"),
        SlotSet("data_deletion_days", 90),
        user("hello", "greet", EN_SHORT),
    ],
}


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_in_process_state_equals_the_action_servers(name: str) -> None:
    events = [SessionStarted(), ActionExecuted("action_listen"), *CONVERSATIONS[name]]
    tracker = DialogueStateTracker.from_events("someone", events, slots=DOMAIN.slots)
    in_process = [event.as_dict() for event in track_conversation(tracker, DOMAIN)]
    remote = sdk_events(tracker)
    strip = lambda events: [(e["event"], e["name"], e["value"]) for e in events]  # noqa: E731
    assert strip(in_process) == strip(remote)
    assert remote, "every scenario sets at least one slot"


def test_event_types_by_table_resolve_as_rasa_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    cache_event_types()
    for _ in range(2):  # found by the walk, then from the table
        assert Event.resolve_by_type("user") is UserUttered
        assert Event.resolve_by_type("slot") is SlotSet
        assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
        with pytest.raises(ValueError, match="Unknown event name"):
            Event.resolve_by_type("no_such_event")
    restored = Event.from_parameters({"event": "slot", "name": "language", "value": "it"})
    assert restored == SlotSet("language", "it")


@pytest.fixture
def structlog_level() -> Iterator[Callable[[int], None]]:
    """Set structlog's level as Rasa does (a filtering logger); restored afterwards."""
    import structlog

    before = structlog.get_config()

    def set_level(level: int) -> None:
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(level))

    yield set_level
    structlog.configure(**before)


def test_debug_log_copies_are_skipped_only_while_debug_events_are_dropped(
    monkeypatch: pytest.MonkeyPatch, structlog_level: Callable[[int], None]
) -> None:
    import importlib
    import logging

    modules = [importlib.import_module(name) for name in LOG_ONLY_COPY_MODULES]
    for module in modules:
        monkeypatch.setattr(module, "copy", module.copy)
    assert skip_debug_log_copies() == list(LOG_ONLY_COPY_MODULES)
    states = [{"user": {"intent": "greet"}}, {"prev_action": {"action_name": "utter_greet"}}]
    for module in modules:
        structlog_level(logging.WARNING)
        assert module.copy.deepcopy(states) is states  # nothing logged, nothing copied
        structlog_level(logging.DEBUG)
        logged = module.copy.deepcopy(states)
        assert logged == states and logged is not states and logged[0] is not states[0]


@pytest.mark.parametrize(
    "source, only_for_logs",
    [
        ("import copy\nlog.debug('e', states=copy.deepcopy(states))\n", True),
        ("import copy\nlog.debug('e', copy.deepcopy(states))\n", True),
        ("import copy\nkept = copy.deepcopy(states)\nlog.debug('e', s=kept)\n", False),
        ("import copy\nlog.info('e', s=copy.deepcopy(states))\n", False),
        ("import copy\nlog.debug('e', s=copy.copy(states))\n", False),
        ("import copy\nlog.debug('e', s=copy.deepcopy(states)); f(copy)\n", False),
    ],
    ids=["keyword", "positional", "kept-copy", "info", "shallow", "module-passed"],
)
def test_a_module_that_copies_for_more_than_debug_logs_keeps_its_copies(
    source: str, only_for_logs: bool
) -> None:
    assert deepcopies_only_for_debug_events(source) is only_for_logs


def test_slot_copies_equal_copy_copy_and_stay_independent(monkeypatch: pytest.MonkeyPatch) -> None:
    import copy

    import rasa.shared.core.trackers as trackers

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    for slot in domain.slots:
        fast, generic = plain_copy(slot), copy.copy(slot)
        assert type(fast) is type(generic) and vars(fast) == vars(generic) and fast is not slot
    monkeypatch.setattr(trackers, "copy", trackers.copy)
    fast_slot_copies()
    tracker = DialogueStateTracker.from_events("someone", [], slots=domain.slots)
    tracker.update(SlotSet("language", "fr"))
    replayed = tracker.copy()  # what Rasa does before every action it runs
    replayed.update(SlotSet("language", "it"))
    assert tracker.get_slot("language") == "fr" and replayed.get_slot("language") == "it"
    assert domain.slots[0].value == domain.slots[0].initial_value  # the domain's untouched


def test_objects_with_state_outside_their_attributes_get_copy_copy() -> None:
    class Tagged(dict):  # a built-in base: its items are not attributes
        pass

    tagged = Tagged(plan="pro")
    tagged.note = "kept"
    copied = plain_copy(tagged)
    assert copied == {"plan": "pro"} and copied.note == "kept" and copied is not tagged
    assert plain_copy([1, 2]) == [1, 2] and plain_copy(3) == 3
