"""Rasa's own log lines pass through the same scrubbing as the tracker store.

At LOG_LEVEL=INFO Rasa logs no message text; at DEBUG it logs the user's text, parse
data, entities, slots and events (stdlib logging and structlog). Installed by
bot/rasa/server.py after Rasa configures its logging: a filter on the root handlers,
a first structlog processor, and a scrubbing `warnings.showwarning` (Rasa's warnings
quote the user's text, e.g. "Failed to parse arguments in line '/inform{...}'"), so
card numbers, emails and codes never reach a log.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, MutableMapping
from typing import Any

from bot.services.privacy.redaction import scrub_text
from bot.services.privacy.tracker_scrubbing import scrub_value


class ScrubbingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub_text(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


def _loggable(value: Any) -> Any:
    """Strings, dicts and lists scrubbed; other objects (Rasa events...) as scrubbed text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str | dict | list):
        return scrub_value(value)
    return scrub_text(repr(value))


def scrub_structlog_event(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    return {key: _loggable(value) for key, value in event_dict.items()}


def scrubbing_showwarning(show: Callable[..., None]) -> Callable[..., None]:
    """`show` (a `warnings.showwarning`) with the warning's text scrubbed first."""
    if getattr(show, "scrubs", False):
        return show

    def scrubbed(message: Warning | str, *args: Any, **kwargs: Any) -> None:
        show(scrub_text(str(message)), *args, **kwargs)

    scrubbed.scrubs = True  # type: ignore[attr-defined]
    return scrubbed


def install_log_scrubbing() -> None:
    warnings.showwarning = scrubbing_showwarning(warnings.showwarning)
    for handler in logging.getLogger().handlers:
        handler.addFilter(ScrubbingFilter())
    import structlog

    processors = list(structlog.get_config()["processors"])
    if scrub_structlog_event not in processors:
        structlog.configure(processors=[scrub_structlog_event, *processors])
