"""What the Rasa server does on every turn, made cheap: the same behaviour as Rasa 3.6
at a fraction of the cost. Each function here replaces one Rasa internal and is
installed by the registry (bot/rasa/patches/registry.py), which says what and why;
the measurements behind them are in reports/bench.md and bench/load_notes.md.

Contracts the tests hold them to:
- an action-server response is accepted or refused exactly as by Rasa's schema check,
  with the same error text;
- the in-process conversation state gives the events the action server would give;
- an event type name resolves to the class Rasa's walk finds;
- a module's deepcopies are skipped only if each one is a debug-log argument, and
  only while debug events are dropped;
- `plain_copy(x)` equals `copy.copy(x)` and falls back to it for classes with copy
  hooks, slots or built-in bases.
"""

from __future__ import annotations

import asyncio
import copy as _copy
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

# (tracker, domain, nlg, output_channel) -> events, as ActionExtractSlots passes them
InProcessAction = Callable[["DialogueStateTracker", "Domain", Any, Any], Awaitable[list["Event"]]]


def event_kind_validators(schema: dict[str, Any], validator_class: Any) -> Callable[[Any], bool]:
    """A check equal to `schema`'s, without its costliest part: each event is validated
    against the `oneOf` branch of its own kind only, instead of against all 23 (the
    branches differ by the `event` constant, so exactly one can match). 6x faster on
    a form's response. A schema whose branches share a constant gets its whole check."""
    items = schema["properties"]["events"]["items"]
    common = {key: value for key, value in items.items() if key != "oneOf"}
    by_kind = {
        branch["properties"]["event"]["const"]: validator_class({**common, "allOf": [branch]})
        for branch in items["oneOf"]
    }
    if len(by_kind) != len(items["oneOf"]):
        return validator_class(schema).is_valid
    events = {"type": "array", "items": common}
    envelope = validator_class({**schema, "properties": {**schema["properties"], "events": events}})

    def is_valid(result: Any) -> bool:
        if not envelope.is_valid(result):
            return False
        for stored in result.get("events") or ():
            validator = by_kind.get(stored.get("event"))
            if validator is None or not validator.is_valid(stored):
                return False
        return True

    return is_valid


def compile_action_response_validation() -> None:
    """Validate action-server responses with validators compiled at start-up."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every action call
    validator = validator_class(schema)
    is_valid = event_kind_validators(schema, validator_class)

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if is_valid(result):
            return True
        # jsonschema.validate() minus the per-call schema check: same error, same text
        error: ValidationError | None = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = validate_action_result


def track_conversation(tracker: DialogueStateTracker, domain: Domain) -> list[Event]:
    """`action_track_conversation`, in process: the same slots from the same data."""
    from rasa.shared.core.events import ConversationResumed, SlotSet, UserUttered

    from bot.dialogue.fallbacks import RESUMED
    from bot.dialogue.turn_state import conversation_state_updates

    latest = tracker.latest_message
    # what the action server receives as `latest_message` (Rasa's tracker state)
    parse_data = {**latest.parse_data, "entities": latest.entities} if latest else {}
    intents = [
        event.intent_name if isinstance(event, UserUttered) else RESUMED
        for event in tracker.events
        if isinstance(event, (UserUttered, ConversationResumed))
    ]
    updates = conversation_state_updates(tracker.get_slot, parse_data, intents)
    return [SlotSet(slot, value) for slot, value in updates.items()]


async def warn_card_number(
    tracker: DialogueStateTracker, domain: Domain, nlg: Any, output_channel: Any
) -> list[Event]:
    """`action_validate_slot_mappings`, in process: a message holding a full card number
    gets the warning, in the language this turn's slots chose."""
    from rasa.core.actions.action import create_bot_utterance

    from bot.dialogue.turn_state import CARD_WARNING_RESPONSE
    from bot.nlu.entity_rules import has_card_number

    latest = tracker.latest_message
    if latest is None or not has_card_number(latest.text or ""):
        return []
    generated = await nlg.generate(CARD_WARNING_RESPONSE, tracker, output_channel.name())
    return [create_bot_utterance(generated)] if generated else []


async def _track_conversation(
    tracker: DialogueStateTracker, domain: Domain, _nlg: Any, _output_channel: Any
) -> list[Event]:
    return track_conversation(tracker, domain)


def in_process_actions() -> dict[str, InProcessAction]:
    from bot.dialogue.turn_state import ACTION_NAME, CARD_WARNING_ACTION

    return {ACTION_NAME: _track_conversation, CARD_WARNING_ACTION: warn_card_number}


def run_slot_mappings_in_process(actions: dict[str, InProcessAction]) -> None:
    """Custom slot mappings that name one of `actions` run here, not on the action server.

    Only slot mappings (ActionExtractSlots): the same actions predicted by a policy or
    a rule would still go to the action server.
    """
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.shared.core.events import BotUttered, SlotSet

    remote = ActionExtractSlots._run_custom_action

    async def run_custom_action(
        self: ActionExtractSlots,
        custom_action: str,
        output_channel: Any,
        nlg: Any,
        tracker: DialogueStateTracker,
        domain: Domain,
    ) -> list[Event]:
        action = actions.get(custom_action)
        if action is None:
            return await remote(self, custom_action, output_channel, nlg, tracker, domain)
        try:
            events = await action(tracker, domain, nlg, output_channel)
        except Exception:  # as Rasa does when the action server fails: log, fill nothing
            logger.exception("in-process slot mapping %s failed", custom_action)
            return []
        return [event for event in events if isinstance(event, (SlotSet, BotUttered))]

    ActionExtractSlots._run_custom_action = run_custom_action


# Idle connections are dropped before the action server's Sanic closes them (its
# KEEP_ALIVE_TIMEOUT is 5 s): reusing one the server is closing would fail the call.
KEEPALIVE_S = 3.0


class _KeptSession:
    """What `EndpointConfig.session()` returns: Rasa enters it with `async with`, which
    would close a session; this one hands out the kept session and leaves it open."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *_exc: object) -> None:
        return None


# (event loop, the endpoint's headers and auth) -> its session
_kept_sessions: dict[tuple[asyncio.AbstractEventLoop, str], Any] = {}


def keep_endpoint_sessions() -> None:
    """One aiohttp session per endpoint configuration and event loop, kept open."""
    import aiohttp
    import ujson
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    def session(self: EndpointConfig) -> _KeptSession:
        loop = asyncio.get_running_loop()
        key = (loop, repr((sorted(self.headers.items()), sorted(self.basic_auth.items()))))
        kept = _kept_sessions.get(key)
        if kept is None or kept.closed:
            auth = None
            if self.basic_auth:
                auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            kept = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
                json_serialize=ujson.dumps,
            )
            _kept_sessions[key] = kept
        return _KeptSession(kept)

    EndpointConfig.session = session


async def close_kept_sessions(*_args: object) -> None:
    """A Sanic `after_server_stop` listener: no "Unclosed client session" at exit."""
    for kept in list(_kept_sessions.values()):
        await kept.close()
    _kept_sessions.clear()


def cache_event_types() -> None:
    """`Event.resolve_by_type` with the classes it found kept by type name."""
    from rasa.shared.core.events import Event

    walk = Event.resolve_by_type
    found: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        kept = found.get(type_name)
        if kept is None:
            kept = walk(type_name, default)  # unknown names: the default or Rasa's error
            if kept is not None and kept.type_name == type_name:
                found[type_name] = kept
        return kept

    Event.resolve_by_type = staticmethod(resolve_by_type)


# Rasa modules whose `copy.deepcopy` calls only build debug events (checked at start-up)
LOG_ONLY_COPY_MODULES = (
    "rasa.core.processor",
    "rasa.core.policies.memoization",
    "rasa.core.policies.rule_policy",
    "rasa.core.actions.forms",
)


def debug_events_logged() -> bool:
    """Whether structlog keeps debug events: Rasa configures a filtering logger whose
    `debug` is a no-op below its level (the no-op is the same for every level)."""
    import structlog

    dropped = structlog.make_filtering_bound_logger(logging.CRITICAL).debug
    return structlog.get_config()["wrapper_class"].debug is not dropped


def deepcopies_only_for_debug_events(source: str) -> bool:
    """Every use of the name `copy` in `source` is a `copy.deepcopy(...)` call that is an
    argument of a `*.debug(...)` call."""
    import ast

    tree = ast.parse(source)
    logged: set[int] = set()  # the `copy` names of deepcopies that are debug arguments
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != "debug":
            continue
        for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
            if (
                isinstance(argument, ast.Call)
                and isinstance(argument.func, ast.Attribute)
                and argument.func.attr == "deepcopy"
                and isinstance(argument.func.value, ast.Name)
            ):
                logged.add(id(argument.func.value))
    return all(
        id(node) in logged
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == "copy"
    )


class CopyModuleView:
    """Stands for the `copy` module in one Rasa module: what a subclass does not
    replace is the module's own."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_copy, name)


class LogOnlyCopy(CopyModuleView):
    """The `copy` module as a module in LOG_ONLY_COPY_MODULES sees it: a deepcopy that
    is the value itself while debug events are dropped, the real one otherwise."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return _copy.deepcopy(value, memo) if debug_events_logged() else value


def skip_debug_log_copies(modules: tuple[str, ...] = LOG_ONLY_COPY_MODULES) -> list[str]:
    """Give each of `modules` whose deepcopies only build debug events a LogOnlyCopy.
    Returns the modules changed; one that uses `copy` otherwise is left as it is."""
    import importlib
    import inspect

    changed = []
    for name in modules:
        module = importlib.import_module(name)
        if deepcopies_only_for_debug_events(inspect.getsource(module)):
            module.copy = LogOnlyCopy()  # type: ignore[attr-defined]
            changed.append(name)
        else:
            logger.warning("%s copies for more than debug logs: its copies are kept", name)
    return changed


COPY_HOOKS = ("__copy__", "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__")
HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class defined in Python, not built in
_plain_classes: dict[type, bool] = {}  # class -> whether plain_copy may copy its attributes


def plain_copy(value: Any) -> Any:
    """`copy.copy(value)`, faster for an object of a class without copy hooks or
    slots: a new instance with the same attributes, what `copy.copy` builds for it."""
    cls: Any = type(value)
    plain = _plain_classes.get(cls)
    if plain is None:
        hooked = any(
            getattr(cls, hook, None) is not getattr(object, hook, None) for hook in COPY_HOOKS
        )
        # empty __slots__ (abc.ABC has them) leave copy.copy's state the attributes alone
        slotted = any(getattr(base, "__dict__", {}).get("__slots__") for base in cls.__mro__)
        # a built-in base (dict, list, ...) carries state that is not in __dict__
        builtin = any(not base.__flags__ & HEAP_TYPE for base in cls.__mro__[:-1])
        plain = _plain_classes[cls] = not (hooked or slotted or builtin)
    if not plain or not hasattr(value, "__dict__"):  # object() itself has none
        return _copy.copy(value)
    new = cls.__new__(cls)
    new.__dict__.update(value.__dict__)
    return new


class SlotCopy(CopyModuleView):
    """The `copy` module as rasa.shared.core.trackers sees it (it only copies slots)."""

    copy = staticmethod(plain_copy)


def fast_slot_copies() -> None:
    import rasa.shared.core.trackers as trackers

    trackers.copy = SlotCopy()
