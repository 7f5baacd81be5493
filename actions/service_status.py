"""Is there an outage? Reads the incidents table."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.reply_language import reply_language
from bot.db.session import session_scope
from bot.services.account.incidents import open_incident
from bot.services.dates import format_date


class ActionServiceStatus(Action):
    def name(self) -> str:
        return "action_service_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        with session_scope() as session:
            incident = open_incident(session)
        if incident is None:
            dispatcher.utter_message(response="utter_service_ok")
        else:
            dispatcher.utter_message(
                response="utter_service_incident",
                incident_title=incident.title,
                incident_since=format_date(incident.started_at.date(), reply_language(tracker)),
            )
        return []
