"""Leaving a form's question: when the answer is no answer but a wish to stop or
another request. Without this a customer at "which email?" who wrote "cancel" or
"I cannot log in" was told "that doesn't look like an email" until they gave one.

Plain data (the latest message's parse data), read by the form validators in actions/.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from bot.dialogue.parse_data import intent_name
from bot.nlu.typed_answers import DENY_INTENT, typed_stop

# Intents that start a flow of their own: a customer who asks one of these in the middle
# of a question has moved on, and is answered. Asking for a person has its own rules.
OTHER_REQUESTS = frozenset({
    "cannot_login", "forgot_login_email", "check_account_status", "reactivate_account",
    "cancel_subscription", "addon_subscribe", "addon_unsubscribe", "service_status",
    "billing_issue", "faq", "ask_how_to",
})  # fmt: skip


class FormExit(str, enum.Enum):
    STOP = "stop"  # "cancel", "stop", "annulla", "no": leave with a short confirmation
    OTHER_REQUEST = "other_request"  # leave, and answer the message as a new request


def form_exit(parse_data: Mapping[str, Any]) -> FormExit | None:
    """Why the latest message leaves the form, or None when it may be an answer.

    Call it only for a message that is no valid answer (an email typed with the words
    "cancel" is still the email). A stop word wins over the classifier, which reads
    "cancel" as cancelling a subscription.
    """
    intent = intent_name(parse_data)
    if typed_stop(str(parse_data.get("text") or "")) or intent == DENY_INTENT:
        return FormExit.STOP
    if intent in OTHER_REQUESTS:
        return FormExit.OTHER_REQUEST
    return None
