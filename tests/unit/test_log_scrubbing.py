"""Rasa's DEBUG log lines (stdlib and structlog) carry message text: scrubbed."""

from __future__ import annotations

import io
import logging
import warnings

from rasa.shared.core.events import UserUttered

from bot.log_scrubbing import ScrubbingFilter, scrub_structlog_event, scrubbing_showwarning


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


def test_a_python_warning_that_quotes_user_text_is_printed_scrubbed() -> None:
    shown: list[str] = []

    def show(message: Warning | str, *_args: object, **_kwargs: object) -> None:
        shown.append(str(message))  # stands for Python's own printing to stderr

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = scrubbing_showwarning(show)
        # what rasa.shared.utils.io.raise_warning says of a hostile '/intent{...}'
        warnings.warn(
            """Failed to parse arguments in line '/affirm{"email": "mario@libero.it"}'""",
            UserWarning,
            stacklevel=1,
        )
    assert shown and "mario@libero.it" not in shown[0] and "m***@libero.it" in shown[0]
