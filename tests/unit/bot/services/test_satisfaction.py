"""The satisfaction question's rules (bot/services/satisfaction.py), over Rasa's event
dicts as the action server receives them: when "Did this help?" is asked, what an
answer stores, and that anything else is a normal turn. No Rasa."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.dialogue.turn_state import conversation_state_updates
from bot.services.insights.outcomes import FLOW_ENDS, HELPED_SLOT, RATING_SLOT
from bot.services.satisfaction import (
    ANSWER_ACTION,
    ANSWERING_INTENTS,
    ASK_ACTION,
    ASK_RESPONSE,
    HANDBACK_ASK_RESPONSE,
    HANDBACK_RESPONSE,
    NOT_ASKED_RESPONSE,
    RATING_RESPONSES,
    SKIPPED_RESPONSE,
    STEP_SLOT,
    THANKS_RESPONSE,
    Step,
    answers,
    question,
    read_answer,
)
from tests.support.environment import ROOT

BUTTONS = {"buttons": [{"title": "Talk to a person", "payload": "/talk_to_human"}]}


class Events(list):
    """One conversation's events, built turn by turn."""

    def __init__(self) -> None:
        super().__init__()
        self.add({"event": "action", "name": "action_session_start"})
        self.add({"event": "session_started"}).action("action_listen")

    def add(self, event: dict[str, Any]) -> Events:
        self.append(event)
        return self

    def user(self, intent: str) -> Events:
        return self.add(
            {"event": "user", "text": "...", "parse_data": {"intent": {"name": intent}}}
        )

    def action(self, name: str, *replies: dict[str, Any]) -> Events:
        self.add({"event": "action", "name": name})
        for data in replies:
            self.add({"event": "bot", "text": "...", "data": data})
        return self

    def slot(self, name: str, value: Any) -> Events:
        return self.add({"event": "slot", "name": name, "value": value})

    def faq(self) -> Events:
        return self.user("faq").action("utter_faq", {})

    def asked(self) -> Events:
        """The question, as action_ask_satisfaction leaves it in the tracker."""
        assert question(self) is not None
        return self.action(ASK_ACTION, {"buttons": [{}, {}]}).slot(STEP_SLOT, Step.HELPED.value)

    def answered(self, helped: bool) -> Events:
        self.action("action_listen").user("affirm" if helped else "deny")
        return self.action(ANSWER_ACTION, {}).slot(HELPED_SLOT, helped)


@pytest.mark.parametrize("flow_end", sorted(FLOW_ENDS))
def test_asked_after_every_flow_that_answers(flow_end: str) -> None:
    assert question(Events().user("x").action(flow_end, {})) == ASK_RESPONSE


def test_not_asked_after_other_steps_or_a_silent_flow_end() -> None:
    assert question(Events().user("greet").action("utter_greet", {})) is None
    assert question(Events()) is None
    # the code check stopped: action_account_answer ran and said nothing
    stopped = Events().user("inform").action("code_form", {}).action("action_account_answer")
    assert question(stopped) is None


def test_not_asked_when_the_answer_offers_next_steps_or_a_person() -> None:
    events = Events().user("check_account_status").action("action_account_answer", {}, BUTTONS)
    assert question(events) is None  # "only a person can do this": take the person
    # ... and the next flow that ends asks
    assert question(events.action("action_listen").faq()) == ASK_RESPONSE


def test_asked_once_per_session_and_again_after_a_no() -> None:
    events = Events().faq().asked()
    assert question(events) is None  # two flow ends in one turn: one question
    assert question(events.action("action_listen").faq()) is None  # ignored: not asked again
    events.answered(helped=True)
    assert question(events.action("action_listen").faq()) is None
    unhappy = Events().faq().asked().answered(helped=False)
    assert question(unhappy.action("action_listen").faq()) == ASK_RESPONSE


def test_a_new_session_asks_again_whatever_rasa_copied_into_it() -> None:
    events = Events().faq().asked().answered(helped=True)
    # Rasa 3.6 starts the new session with copies of every slot event (carry_over_slots)
    copies = [e for e in events if e["event"] == "slot"]
    events.add({"event": "action", "name": "action_session_start"}).add(
        {"event": "session_started"}
    ).extend(copies)
    events.action("action_listen").faq()
    assert question(events) == ASK_RESPONSE


def test_not_asked_while_a_ticket_is_open_and_always_after_a_hand_back() -> None:
    events = Events().faq().asked().user("talk_to_human").action("action_handoff", {})
    after_hours = Events().user("talk_to_human").action("action_handoff", {}).faq()
    assert question(after_hours) is None  # a person will write: the hand-back asks
    events.add({"event": "pause"}).add({"event": "resume"}).slot("agent_name", None)
    assert question(events.action(HANDBACK_RESPONSE, {})) == HANDBACK_ASK_RESPONSE


def test_yes_then_a_rating() -> None:
    yes = read_answer(Step.HELPED.value, "satisfaction", [{"entity": HELPED_SLOT, "value": True}])
    assert yes.response == RATING_RESPONSES[True]
    assert yes.slots == {HELPED_SLOT: True, STEP_SLOT: Step.RATING.value}
    four = read_answer(Step.RATING.value, "satisfaction", [{"entity": RATING_SLOT, "value": 4}])
    assert four.response == THANKS_RESPONSE
    assert four.slots == {RATING_SLOT: 4, STEP_SLOT: None}


def test_typed_yes_and_no_answer_the_first_question_only() -> None:
    assert read_answer("helped", "affirm", []).slots[HELPED_SLOT] is True
    no = read_answer("helped", "deny", [])
    assert no.slots[HELPED_SLOT] is False and no.response == RATING_RESPONSES[False]
    skipped = read_answer("rating", "deny", [])  # "no thanks" to the rating
    assert skipped.response == SKIPPED_RESPONSE and skipped.slots == {STEP_SLOT: None}


def test_skip_and_nonsense_values_store_nothing() -> None:
    for step in ("helped", "rating"):
        assert read_answer(step, "satisfaction", []).slots == {STEP_SLOT: None}  # "skip"
    hostile: list[Any] = [True, 0, 6, 4.5, -1, 10**30, "4", None, [4], {"$ne": 1}, "x" * 5000]
    for value in hostile:
        entities = [{"entity": RATING_SLOT, "value": value}, {"entity": HELPED_SLOT, "value": "1"}]
        answer = read_answer("rating", "satisfaction", entities)
        assert answer.slots == {STEP_SLOT: None}, value


def test_no_answer_is_stored_without_a_question() -> None:
    # a typed /satisfaction{"satisfaction_helped": true}, or a rating out of the blue
    for step in (None, "", "anything"):
        answer = read_answer(step, "satisfaction", [{"entity": HELPED_SLOT, "value": True}])
        assert answer.response == NOT_ASKED_RESPONSE and answer.slots == {}


def test_anything_else_drops_the_question() -> None:
    assert answers("helped", "affirm") and answers("helped", "deny")
    assert answers("rating", "satisfaction") and answers("rating", "deny")
    for intent in ("faq", "cannot_login", "talk_to_human", "thank", "nlu_fallback", None):
        assert not answers("helped", intent) and not answers("rating", intent)
    assert not answers("rating", "affirm")  # "yes" to "from 1 to 5?" is no rating
    assert not answers(None, "satisfaction")


def _slots(**values: Any) -> Any:
    return lambda name: values.get(name)


def test_every_message_that_does_not_answer_drops_the_question() -> None:
    message = {"intent": {"name": "faq"}, "metadata": {}}
    updates = conversation_state_updates(_slots(satisfaction_step="helped", language="en"),
                                         message, ["faq"])  # fmt: skip
    assert updates[STEP_SLOT] is None
    answer = {"intent": {"name": "affirm"}, "metadata": {}}
    kept = conversation_state_updates(_slots(satisfaction_step="helped", language="en"),
                                      answer, ["affirm"])  # fmt: skip
    assert STEP_SLOT not in kept


def _rules() -> list[dict[str, Any]]:
    return yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]


def test_the_rules_route_exactly_the_answers_the_state_keeps() -> None:
    routed: dict[str, set[str]] = {}
    for rule in _rules():
        if rule["steps"][-1] != {"action": ANSWER_ACTION} or len(rule["steps"]) < 2:
            continue  # (the rule that only says the bot then listens routes nothing)
        condition = next(
            (c["slot_was_set"][0][STEP_SLOT] for c in rule.get("condition") or []), "any"
        )
        first = rule["steps"][0]
        intents = [s["intent"] for s in first["or"]] if "or" in first else [first["intent"]]
        routed.setdefault(condition, set()).update(intents)
    assert routed == {
        "any": {"satisfaction"},
        **{step.value: set(intents) for step, intents in ANSWERING_INTENTS.items()},
    }


def test_every_rule_ending_a_flow_may_ask() -> None:
    for rule in _rules():
        actions = [step.get("action") for step in rule["steps"]]
        for index, action in enumerate(actions):
            if action in FLOW_ENDS:
                assert actions[index + 1 : index + 2] == [ASK_ACTION], rule["rule"]
