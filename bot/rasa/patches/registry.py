"""Every change we make to the internals of Rasa and its server stack, in one list.

A `Patch` names what it replaces (`module:Attribute.path`), why, and how it is applied:
by `install_all(process)` in that process, or by the module named in `applied_by`
(a subclass or a listener that Rasa's own configuration loads). `install_all`

- refuses any Rasa or Sanic release other than the pinned one: an internal may change
  under the same name, and a patch must never land on code it was not written for;
- checks that every target exists before it replaces anything;
- installs each patch once (a second call changes nothing) and logs one line each.

`restore_all()` puts every replaced attribute back (for tests). The README's section
"What we change in Rasa, and why" is `markdown_table()` (a test keeps them equal).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.rasa.log_scrubbing import install_log_scrubbing
from bot.rasa.patches import hot_path, repairs

logger = logging.getLogger(__name__)

# What requirements.txt pins; the patches were written against these releases.
PINNED = {"rasa": "3.6.21", "sanic": "21.12.2"}
RASA_SERVER = "rasa server"
TRAINING = "training"
_ABSENT = object()  # an attribute the owner did not define itself (inherited or new)


class PatchError(RuntimeError):
    """A patch cannot be applied safely: wrong release, or a target that is gone."""


@dataclass(frozen=True)
class Patch:
    name: str
    targets: tuple[str, ...]  # "package.module:Class.attribute" that the patch replaces
    why: str
    install: Callable[[], object] | None = None  # None: applied by `applied_by`
    process: str = RASA_SERVER
    applied_by: str = ""


PATCHES: tuple[Patch, ...] = (
    Patch(
        "compiled_action_validation",
        ("rasa.core.actions.action:RemoteAction._validate_action_result",),
        "Rasa checks the JSON schema itself and builds a validator on every custom action "
        "call; ours is compiled once and checks each event against its own kind.",
        hot_path.compile_action_response_validation,
    ),
    Patch(
        "in_process_slot_mappings",
        ("rasa.core.actions.action:ActionExtractSlots._run_custom_action",),
        "The conversation-state slots and the card-number warning run in the Rasa process "
        "instead of an HTTP round trip with the whole tracker on every message.",
        lambda: hot_path.run_slot_mappings_in_process(hot_path.in_process_actions()),
    ),
    Patch(
        "kept_endpoint_sessions",
        ("rasa.utils.endpoints:EndpointConfig.session",),
        "Rasa opens a new HTTP session (name lookup, TCP connection) for every action "
        "call; one kept-alive session per endpoint is reused.",
        hot_path.keep_endpoint_sessions,
    ),
    Patch(
        "event_types_by_table",
        ("rasa.shared.core.events:Event.resolve_by_type",),
        "Rasa walks every Event subclass for each event it reads back; the class found "
        "for a type name is kept.",
        hot_path.cache_event_types,
    ),
    Patch(
        "debug_log_copies",
        tuple(f"{module}:copy" for module in hot_path.LOG_ONLY_COPY_MODULES),
        "These modules deep-copy the tracker's states for debug log lines whatever the "
        "level; the copies are skipped while debug events are dropped (checked in their "
        "source at start-up).",
        hot_path.skip_debug_log_copies,
    ),
    Patch(
        "plain_slot_copies",
        ("rasa.shared.core.trackers:copy",),
        "Each tracker copies every slot through copy.copy's reduce protocol; a slot's "
        "attributes are copied directly when its class has no copy hooks.",
        hot_path.fast_slot_copies,
    ),
    Patch(
        "faq_without_a_key",
        ("rasa.core.actions.action:ActionRetrieveResponse.run",),
        'A typed "/faq" has the FAQ intent but no FAQ key and Rasa raised a KeyError (no '
        "reply at all); the customer gets the not-understood reply.",
        repairs.answer_faq_without_a_key,
    ),
    Patch(
        "scrubbed_logs",
        ("warnings:showwarning", "structlog._config:_CONFIG.default_processors"),
        "At DEBUG Rasa logs message text, parse data and events, and its warnings quote "
        "the user's text; every log line and warning is scrubbed like the tracker store.",
        install_log_scrubbing,
    ),
    Patch(
        "edges_middleware",
        (
            "sanic.app:Sanic.request_middleware",
            "sanic_cors.core:SANIC_CORS_EVALUATED",
            "rasa.server:ErrorResponse",
            "jwt.exceptions:InvalidTokenError",
        ),
        "`/` answers a neutral ok, `/version` is not found however spelled, error bodies "
        "name no release, a token PyJWT cannot read is a 401 (Rasa answered 500), and "
        "socket.io answers its own CORS instead of getting a second header from Rasa's.",
        applied_by="bot.rasa.server (a before_server_start listener)",
    ),
    Patch(
        "no_server_software",
        ("aiohttp.web_response:SERVER_SOFTWARE",),
        "aiohttp names itself and Python's version in a Server header on every answer of "
        "the desk and the site, including the 400 it gives a request it cannot parse.",
        applied_by="bot.http.security_headers (the desk's and the site's response hook)",
        process="desk and site",
    ),
    Patch(
        "widget_socket_handlers",
        (
            "rasa.core.channels.socketio:SocketIOInput.blueprint",
            "socketio:AsyncServer.on",
            "socketio:AsyncRedisManager",
        ),
        "Rasa accepts any Origin, never awaits enter_room (replies got lost) and keeps a "
        "socket on one server; our handlers check the origin, bind the conversation to a "
        "session secret and share rooms through Redis.",
        applied_by="bot.channels.socketio (the channel class in credentials.yml)",
    ),
    Patch(
        "tracker_store_queries",
        ("rasa.core.tracker_store:SQLTrackerStore._event_query",),
        "Our store scrubs events before writing and keeps the current session between "
        "turns; it reads with Rasa's own private query so both read the same events.",
        applied_by="bot.rasa.tracker_store (the tracker store class in endpoints.yml)",
    ),
    Patch(
        "quiet_training_console",
        ("rasa.__main__:configure_logging_and_warnings",),
        "Rasa installs its warning filters in main(), in front of ours; ours are put back "
        "right after, so training shows only what needs a look.",
        applied_by="bot.rasa.train",
        process=TRAINING,
    ),
)

# patch name -> {target: the value it had before}
_installed: dict[str, dict[str, Any]] = {}


def installed_versions() -> dict[str, str]:
    import rasa
    import sanic

    return {"rasa": rasa.__version__, "sanic": sanic.__version__}


def check_versions(versions: Mapping[str, str]) -> None:
    for package, pinned in PINNED.items():
        if versions.get(package) != pinned:
            raise PatchError(
                f"{package} {versions.get(package)} is installed but bot/rasa/patches was "
                f"written for {pinned}: review every patch against it, then update PINNED"
            )


def _owner(target: str) -> tuple[Any, str]:
    """The object holding the target's last attribute, and that attribute's name."""
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, attribute = path.split(".")
    for name in parents:
        owner = getattr(owner, name)
    return owner, attribute


def check_targets(patches: Iterable[Patch]) -> None:
    missing = []
    for patch in patches:
        for target in patch.targets:
            try:
                owner, attribute = _owner(target)
            except (ImportError, AttributeError):
                missing.append(target)
                continue
            if not hasattr(owner, attribute):
                missing.append(target)
    if missing:
        raise PatchError("patch targets not found: " + ", ".join(missing))


def _own_value(target: str) -> Any:
    owner, attribute = _owner(target)
    return vars(owner).get(attribute, _ABSENT)


def install_all(
    process: str = RASA_SERVER,
    patches: Iterable[Patch] = PATCHES,
    versions: Mapping[str, str] | None = None,
) -> list[str]:
    """Install this process's patches (each once); the names installed by this call."""
    check_versions(installed_versions() if versions is None else versions)
    chosen = [patch for patch in patches if patch.process == process and patch.install]
    check_targets(chosen)
    done = []
    for patch in chosen:
        if patch.name in _installed:
            continue
        originals = {target: _own_value(target) for target in patch.targets}
        assert patch.install is not None
        patch.install()
        _installed[patch.name] = originals
        done.append(patch.name)
        logger.info("Rasa patch %s: %s", patch.name, ", ".join(patch.targets))
    return done


def restore_all() -> None:
    """Put back every attribute `install_all` replaced, newest patch first."""
    for name in reversed(list(_installed)):
        for target, original in _installed.pop(name).items():
            owner, attribute = _owner(target)
            if original is _ABSENT:
                if attribute in vars(owner):
                    delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)


def markdown_table(patches: Iterable[Patch] = PATCHES) -> str:
    rows = [
        "| patch | replaces | why | applied by |",
        "|---|---|---|---|",
    ]
    for patch in patches:
        targets = "<br>".join(f"`{target}`" for target in patch.targets)
        how = patch.applied_by or f"`install_all()` in the {patch.process}"
        rows.append(f"| `{patch.name}` | {targets} | {patch.why} | {how} |")
    return "\n".join(rows)
