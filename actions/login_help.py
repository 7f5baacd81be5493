""" "I can't log in": ask what happens, then give the checklist steps that fit (§1)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import asks_for
from actions.parse_data import entity_value, intent_name
from actions.reply_language import reply_language
from bot.db.session import session_scope
from bot.services.account.incidents import open_incident
from bot.services.account.login_help import advise
from bot.services.dates import format_date
from bot.services.topics import Topic

MAX_PROBLEM_CHARS = 500


class ValidateLoginForm(FormValidationAction):
    def name(self) -> str:
        return "validate_login_form"

    def validate_login_problem(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not asks_for(tracker, "login_problem"):
            return {"login_problem": None}
        text = str(value or "").strip()[:MAX_PROBLEM_CHARS]
        if intent_name(tracker.latest_message or {}) == "deny" or not text:
            text = "-"  # "I don't know": the whole checklist
        return {
            "login_problem": text,
            "login_email": entity_value(tracker.latest_message or {}, "email"),
        }


class ActionLoginHelp(Action):
    def name(self) -> str:
        return "action_login_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        with session_scope() as session:
            incident = open_incident(session)
        advice = advise(
            tracker.get_slot("login_problem") or "",
            tracker.get_slot("login_email"),
            outage=incident is not None,
        )
        language = reply_language(tracker)
        for response in advice.responses:
            variables: dict[str, Any] = {}
            if response == "utter_service_incident" and incident is not None:
                variables = {
                    "incident_title": incident.title,
                    "incident_since": format_date(incident.started_at.date(), language),
                }
            if response == "utter_login_email_typo":
                variables = {"typo_domain": advice.typo_domain}
            dispatcher.utter_message(response=response, **variables)
        topic = Topic.EMAIL_CONFLICT if advice.offers_person else Topic.LOST_ACCOUNT
        events: list[EventType] = [
            SlotSet(slot, None)
            for slot in ("login_problem", "login_email", "pending_task")
            if tracker.get_slot(slot) is not None
        ]
        return [*events, SlotSet("handoff_topic", topic.value)]
