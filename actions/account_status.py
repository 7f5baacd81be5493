"""After verification: explain the account's status (support knowledge base §1)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from bot.db.models import Account
from bot.db.session import session_scope
from bot.policy import get_policy
from bot.services.accounts import load_snapshot
from bot.services.diagnosis import diagnose, diagnosis_variables
from bot.services.runtime import utcnow
from bot.services.verification import is_verified


class ActionExplainAccountStatus(Action):
    def name(self) -> str:
        return "action_explain_account_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        public_id = tracker.get_slot("verified_account")
        if not tracker.get_slot("verified") or not public_id:
            return []  # the code check has already said why it stopped
        now = utcnow()
        with session_scope() as session:
            account_id = session.scalar(select(Account.id).where(Account.public_id == public_id))
            # never trust the slot alone: the database must hold a fresh verification
            if account_id is None or not is_verified(session, tracker.sender_id, account_id, now):
                return [SlotSet("verified", False), SlotSet("verified_account", None)]
            snapshot = load_snapshot(session, account_id)
        if snapshot is None:
            return [SlotSet("verified", False), SlotSet("verified_account", None)]
        diagnosis = diagnose(snapshot, now.date(), get_policy())
        language = tracker.get_slot("language") or "en"
        dispatcher.utter_message(
            response=diagnosis.response, **diagnosis_variables(diagnosis, language)
        )
        return []
