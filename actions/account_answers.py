"""Tasks about the customer's own account: remember the task, and answer it once
the customer is verified (support knowledge base §1, §4, §5)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.parse_data import intent_name
from actions.reply_language import reply_language
from actions.verified_conversation import verified_account
from bot.config.policy import get_policy
from bot.db.session import session_scope
from bot.services.account.answers import TASK_BY_INTENT, Task, answer, handoff_topic
from bot.services.identity.accounts import load_snapshot
from bot.services.runtime import utcnow

UNVERIFIED = [SlotSet("verified", False), SlotSet("verified_account", None)]


class ActionRememberTask(Action):
    """Which question the customer asked, so it is answered after the code check."""

    def name(self) -> str:
        return "action_remember_task"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = intent_name(tracker.latest_message or {})
        task = TASK_BY_INTENT.get(intent or "", Task.STATUS)
        return [SlotSet("pending_task", task.value)]


class ActionAccountAnswer(Action):
    def name(self) -> str:
        return "action_account_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not tracker.get_slot("verified") or not tracker.get_slot("verified_account"):
            return []  # the code check has already said why it stopped
        now = utcnow()
        with session_scope() as session:
            account_id = verified_account(session, tracker, now)
            if account_id is None:
                return UNVERIFIED  # the slot outlived the verification
            snapshot = load_snapshot(session, account_id)
        if snapshot is None:
            return UNVERIFIED
        task = Task(tracker.get_slot("pending_task") or Task.STATUS.value)
        language = reply_language(tracker)
        replies = answer(task, snapshot, now.date(), get_policy(), language)
        for reply in replies:
            dispatcher.utter_message(response=reply.response, **reply.variables)
        topic = handoff_topic(replies)
        # if the customer takes the offered person, the form collects for this topic
        return [
            SlotSet("pending_task", None),
            SlotSet("handoff_topic", topic.value if topic else None),
        ]
