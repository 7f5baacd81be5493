""" "Did this help?" after a finished flow or an agent's hand-back, and its answer.
When to ask and what an answer means: bot/services/satisfaction.py."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.parse_data import intent_name
from bot.services.satisfaction import (
    ANSWER_ACTION,
    ASK_ACTION,
    STEP_SLOT,
    Step,
    question,
    read_answer,
)


class ActionAskSatisfaction(Action):
    """Run by the rules after every flow end, and by the desk after a hand-back;
    asks only when bot/services/satisfaction.py says so."""

    def name(self) -> str:
        return ASK_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        response = question(tracker.events)
        if response is None:
            return []
        dispatcher.utter_message(response=response)
        return [SlotSet(STEP_SLOT, Step.HELPED.value)]


class ActionSatisfactionAnswer(Action):
    def name(self) -> str:
        return ANSWER_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        answer = read_answer(
            tracker.get_slot(STEP_SLOT), intent_name(latest), latest.get("entities") or []
        )
        dispatcher.utter_message(response=answer.response)
        return [SlotSet(slot, value) for slot, value in answer.slots.items()]
