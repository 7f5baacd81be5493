"""The satisfaction question: when the assistant asks "Did this help?", and what an
answer means. Plain functions over Rasa's event dicts and parse data (no Rasa).

When it is asked (`question`, right after the step that may ask):

- after an agent hands the conversation back to the bot: always;
- after a finished flow (conversation_outcomes.FLOW_ENDS: an account answer, the
  login checklist, a reset link, the service status, a FAQ, forgot-login-email)
  that said something, unless
  - its answer ends with buttons of its own (a person, a reset, a status check): the
    customer has a next step to take, and the widget offers only the last message's
    buttons, so the question would take those away (the next flow asks instead);
  - a ticket is open in this session (a person is on it: the hand-back asks);
  - it was already asked in this session (one Rasa session: 60 minutes of silence
    end it), unless the customer's last answer was "no": then the next finished
    flow asks again, so a better second answer can count.

What follows (`read_answer`): yes / no (buttons, or typed yes, sì, oui, no, non, 👍,
👎), then an optional 1-5 rating (buttons, or typed "4", "4/5", "⭐⭐⭐⭐"); a rating,
"skip" or a no to the rating ends it. Anything else is a normal turn and drops the
question (`answers`, run on every message by bot/dialogue/turn_state.py), so it never
traps a customer. Only a bool and an int are stored, in the conversation's slots.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.nlu.typed_answers import (
    AFFIRM_INTENT,
    DENY_INTENT,
    RATING_ENTITY,
    SATISFACTION_INTENT,
)
from bot.services.insights.outcomes import FLOW_ENDS, HANDOFF_ACTION, HELPED_SLOT, RATING_SLOT
from bot.services.privacy.tracker_events import SESSION_STARTED

STEP_SLOT = "satisfaction_step"  # which question waits for an answer, if any
ASK_ACTION = "action_ask_satisfaction"
ANSWER_ACTION = "action_satisfaction_answer"
HANDBACK_RESPONSE = "utter_handback"  # what the desk runs when an agent hands back
HELPED_ENTITY = HELPED_SLOT  # the yes/no buttons send /satisfaction{"satisfaction_helped": ...}


class Step(str, enum.Enum):
    HELPED = "helped"  # "Did this help?" (yes / no)
    RATING = "rating"  # "From 1 to 5?" (optional)


# Besides SATISFACTION_INTENT (buttons, typed ratings and skips), the intents that
# answer each question; data/rules.yml routes the same ones (a test checks).
ANSWERING_INTENTS = {
    Step.HELPED: frozenset({AFFIRM_INTENT, DENY_INTENT}),
    Step.RATING: frozenset({DENY_INTENT}),  # "no thanks": skipped
}

ASK_RESPONSE = "utter_ask_satisfaction_helped"
HANDBACK_ASK_RESPONSE = "utter_ask_satisfaction_after_handback"  # "did our team sort it out?"
RATING_RESPONSES = {
    True: "utter_ask_satisfaction_rating",
    False: "utter_ask_satisfaction_rating_not_helped",
}
THANKS_RESPONSE = "utter_satisfaction_thanks"
SKIPPED_RESPONSE = "utter_satisfaction_skipped"
NOT_ASKED_RESPONSE = "utter_satisfaction_not_asked"  # a stray answer: nothing waits


def _step(value: Any) -> Step | None:
    return Step(value) if isinstance(value, str) and value in Step._value2member_map_ else None


# --- when to ask -------------------------------------------------------------------


def current_session(events: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    """The events since the latest `session_started` (all of them if there is none)."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == SESSION_STARTED:
            return events[index + 1 :]
    return events


def _is_action(event: Mapping[str, Any], *names: str) -> bool:
    return event.get("event") == "action" and (not names or event.get("name") in names)


def _is_slot(event: Mapping[str, Any], name: str) -> bool:
    return event.get("event") == "slot" and event.get("name") == name


def _asked_at(session: Sequence[Mapping[str, Any]]) -> list[int]:
    """Where the question was asked in the session: the ask action, then (after its
    reply) its slot. The slots Rasa copies into a new session come without it."""
    asked = []
    for index, event in enumerate(session):
        if not _is_action(event, ASK_ACTION):
            continue
        for later in session[index + 1 :]:
            if _is_action(later):
                break
            if _is_slot(later, STEP_SLOT) and later.get("value") == Step.HELPED.value:
                asked.append(index)
                break
    return asked


def _ticket_open(session: Sequence[Mapping[str, Any]]) -> bool:
    """A ticket was opened in the session and no agent has handed back since."""
    open_ = False
    for event in session:
        if _is_action(event, HANDOFF_ACTION):
            open_ = True
        elif event.get("event") == "resume":
            open_ = False
    return open_


def question(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The question to ask now, after the latest action of `events` (its response
    name), or None."""
    session = current_session(events)
    steps = [
        index
        for index, event in enumerate(session)
        if _is_action(event) and event.get("name") not in (ASK_ACTION, "action_listen")
    ]
    if not steps:
        return None
    latest = steps[-1]
    name = session[latest].get("name")
    if name == HANDBACK_RESPONSE:
        return HANDBACK_ASK_RESPONSE
    if name not in FLOW_ENDS:
        return None
    replies = [e for e in session[latest + 1 :] if e.get("event") == "bot"]
    if not replies or (replies[-1].get("data") or {}).get("buttons"):
        return None  # the flow said nothing, or its answer offers next steps
    if _ticket_open(session):
        return None
    asked = _asked_at(session)
    if asked:
        answered = [e for e in session[asked[-1] :] if _is_slot(e, HELPED_SLOT)]
        if not answered or answered[-1].get("value") is not False:
            return None  # asked once in this session, and not told "no" since
    return ASK_RESPONSE


# --- what an answer means ----------------------------------------------------------


def answers(step: Any, intent: str | None) -> bool:
    """Whether a message of `intent` answers the waiting question (`step`, the slot's
    value); any other message drops the question and is a normal turn."""
    waiting = _step(step)
    if waiting is None or not isinstance(intent, str):
        return False
    return intent == SATISFACTION_INTENT or intent in ANSWERING_INTENTS[waiting]


def _entity(entities: Sequence[Mapping[str, Any]], name: str) -> Any:
    for entity in entities:
        if isinstance(entity, Mapping) and entity.get("entity") == name:
            return entity.get("value")
    return None


def _rating(value: Any) -> int | None:
    """1-5 from a button (a JSON number) or the NLU; anything else is no rating."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if value in (1, 2, 3, 4, 5) else None


@dataclass(frozen=True)
class Answer:
    """The slots to set and the reply to send for one message answering the question."""

    response: str
    slots: dict[str, Any] = field(default_factory=dict)


def read_answer(step: Any, intent: str | None, entities: Sequence[Mapping[str, Any]]) -> Answer:
    """What the customer's message says to the waiting question (`step`, the slot)."""
    waiting = _step(step)
    if waiting is None:
        return Answer(NOT_ASKED_RESPONSE)  # nothing is stored without a question
    rating = _rating(_entity(entities, RATING_ENTITY))
    if rating is not None:
        return Answer(THANKS_RESPONSE, {RATING_SLOT: rating, STEP_SLOT: None})
    helped = _entity(entities, HELPED_ENTITY)
    if not isinstance(helped, bool):
        typed = {AFFIRM_INTENT: True, DENY_INTENT: False}
        helped = typed.get(intent) if waiting is Step.HELPED and isinstance(intent, str) else None
    if helped is not None:
        return Answer(RATING_RESPONSES[helped], {HELPED_SLOT: helped, STEP_SLOT: Step.RATING.value})
    return Answer(SKIPPED_RESPONSE, {STEP_SLOT: None})
