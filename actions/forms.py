"""What every form validator asks first, and how one leaves its form."""

from __future__ import annotations

from collections.abc import Iterable

from rasa_sdk import Tracker
from rasa_sdk.events import (
    ActionExecutionRejected,
    ActiveLoop,
    EventType,
    FollowupAction,
    SlotSet,
)

REQUESTED_SLOT = "requested_slot"


def asks_for(tracker: Tracker, slot: str) -> bool:
    """Whether the latest message answers the form's question for `slot`.

    When a form starts, Rasa offers it the message that started it (e.g. the email
    that ended the previous form): that is no answer, and must not cost an attempt.
    """
    return tracker.get_slot("requested_slot") == slot


def leave_form(form: str, slots: Iterable[str], *, then_listen: bool) -> list[EventType]:
    """The events a validator returns to end `form` on the latest message, `slots`
    emptied. The form is rejected for the message, so Rasa's rules read it as a fresh
    request (not as the form's answer, which would run the form's closing rule);
    `then_listen`: answer nothing more (the customer asked to stop)."""
    events: list[EventType] = [
        ActionExecutionRejected(form),
        ActiveLoop(None),
        SlotSet(REQUESTED_SLOT, None),
        *(SlotSet(slot, None) for slot in slots),
    ]
    if then_listen:
        events.append(FollowupAction("action_listen"))
    return events
