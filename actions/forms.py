"""What every form validator asks first."""

from __future__ import annotations

from rasa_sdk import Tracker


def asks_for(tracker: Tracker, slot: str) -> bool:
    """Whether the latest message answers the form's question for `slot`.

    When a form starts, Rasa offers it the message that started it (e.g. the email
    that ended the previous form): that is no answer, and must not cost an attempt.
    """
    return tracker.get_slot("requested_slot") == slot
