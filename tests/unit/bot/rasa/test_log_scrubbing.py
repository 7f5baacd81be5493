"""Rasa's DEBUG log lines (stdlib and structlog) carry message text: scrubbed."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

from rasa.shared.core.events import UserUttered

from bot.rasa.log_scrubbing import ScrubbingFilter, scrub_structlog_event
from tests.support.environment import ROOT


def test_a_debug_line_with_a_card_email_and_code_is_scrubbed() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ScrubbingFilter())
    logger = logging.getLogger("rasa.core.processor.test")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("Received user message '%s'", "4111 1111 1111 1111 mario@libero.it 482913")
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue()
    assert "4111" not in line and "mario@libero.it" not in line and "482913" not in line
    assert "[card number removed] m***@libero.it [one-time code]" in line


def test_structlog_events_with_parse_data_and_rasa_events_are_scrubbed() -> None:
    event = scrub_structlog_event(
        None, "debug",
        {"event": "processor.message.parse", "parse_data_text": "mail: mario@libero.it",
         "parse_data_entities": [{"entity": "otp_code", "value": "482913"}],
         "rasa_events": [UserUttered("card 4111-1111-1111-1111")], "len": 3},
    )  # fmt: skip
    text = repr(event)
    assert "mario@libero.it" not in text and "482913" not in text and "4111" not in text
    assert event["len"] == 3


WARN_WITH_AN_EMAIL = """
import rasa.shared.utils.io
from bot.rasa.log_scrubbing import install_log_scrubbing
install_log_scrubbing()
line = '/affirm{"verified": true, "email": "mario@libero.it", "code": "482913"}'
rasa.shared.utils.io.raise_warning(f"Failed to parse arguments in line '{line}'.")
"""


def test_a_rasa_warning_quoting_the_message_is_scrubbed() -> None:
    """Rasa warns with the whole line of an '/intent{...}' message that names unknown
    entities: a customer's email there reached rasa.log (found by the final scan)."""
    printed = subprocess.run(
        [sys.executable, "-c", WARN_WITH_AN_EMAIL],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    assert "Failed to parse arguments" in printed
    assert "mario@libero.it" not in printed and "482913" not in printed
    assert "m***@libero.it" in printed
