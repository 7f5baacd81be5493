"""Rasa's own log lines pass through the same scrubbing as the tracker store.

At LOG_LEVEL=INFO Rasa logs no message text; at DEBUG it logs the user's text, parse
data, entities, slots and events (stdlib logging and structlog). Installed by
bot/rasa_server.py after Rasa configures its logging: a filter on the root handlers
and a first structlog processor, so card numbers, emails and codes never reach a log.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

from bot.services.redaction import scrub_text
from bot.services.tracker_scrubbing import scrub_value


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


def install_log_scrubbing() -> None:
    for handler in logging.getLogger().handlers:
        handler.addFilter(ScrubbingFilter())
    import structlog

    processors = list(structlog.get_config()["processors"])
    if scrub_structlog_event not in processors:
        structlog.configure(processors=[scrub_structlog_event, *processors])
