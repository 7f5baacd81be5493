"""Answers from the help centre, and "Did this answer your question?".
Which reply a turn gets: bot/services/help_centre/answering.py; what Insights keeps:
bot/services/insights/help_centre.py."""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.parse_data import intent_confidence, intent_name
from actions.reply_language import reply_language
from bot.db.session import session_scope
from bot.services.help_centre import answering
from bot.services.help_centre.live_search import process_search
from bot.services.help_centre.search import Answer
from bot.services.insights.help_centre import record_feedback, record_turn
from bot.services.runtime import utcnow

logger = logging.getLogger(__name__)


def _best(text: str, language: str, margin: float) -> tuple[Answer | None, float | None]:
    """(the confident answer or None, the best score); (None, None) when the search
    cannot run: the customer gets today's reply, never an error."""
    try:
        search = process_search().current()  # loaded once per process, reloaded on change
        found = search.search(text, language, 1, margin) if search is not None else []
    except Exception:  # a broken index must not cost the customer their reply
        logger.exception("help centre search failed")
        return None, None
    return answering.confident_answer(found), (found[0].score if found else None)


class ActionAnswerFromHelpCentre(Action):
    """Out of scope, not understood, or a how-to question: an article when the search
    is confident, else today's reply."""

    def name(self) -> str:
        return answering.ANSWER_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        intent = intent_name(latest)
        text = str(latest.get("text") or "")
        language = reply_language(tracker)
        searched = answering.should_search(intent, text)
        best: tuple[Answer | None, float | None] = (None, None)
        if searched:
            margin = answering.search_margin(intent, intent_confidence(latest))
            best = await asyncio.to_thread(_best, text, language, margin)
        decision = answering.decide(intent, best[0], bool(tracker.get_slot("repeated_fallback")))
        if searched:
            self._record(tracker, language, str(intent), text, decision.answer, best[1])
        if decision.answer is None:
            dispatcher.utter_message(response=decision.response)
            return [SlotSet(answering.QUESTION_SLOT, False)]
        channel = tracker.get_latest_input_channel()
        dispatcher.utter_message(
            response=decision.response,
            json_message=answering.card_for(channel, decision.answer),
            **answering.response_values(decision.answer),
        )
        dispatcher.utter_message(response=answering.ASK_RESPONSE)
        return [
            SlotSet(answering.ARTICLE_SLOT, answering.article_slot(decision.answer)),
            SlotSet(answering.QUESTION_SLOT, True),
        ]

    def _record(
        self,
        tracker: Tracker,
        language: str,
        intent: str,
        text: str,
        answer: Answer | None,
        score: float | None,
    ) -> None:
        try:
            with session_scope() as session:
                record_turn(
                    session, tracker.sender_id, language, intent, text, answer, score, utcnow()
                )
        except Exception:  # Insights must never cost the customer their reply
            logger.exception("could not record the help-centre turn")


class ActionArticleFeedback(Action):
    """Yes: thanks. No: sorry, then the rules start the handoff (the ticket carries the
    question and the article). Neither: the question again."""

    def name(self) -> str:
        return answering.FEEDBACK_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        helpful = answering.feedback_value(intent_name(latest), latest.get("entities") or [])
        if helpful is None:
            dispatcher.utter_message(response=answering.ASK_RESPONSE)
            return [SlotSet(answering.HELPFUL_SLOT, None), SlotSet(answering.QUESTION_SLOT, True)]
        try:
            with session_scope() as session:
                record_feedback(session, tracker.sender_id, helpful)
        except Exception:
            logger.exception("could not record the article feedback")
        events: list[EventType] = [
            SlotSet(answering.HELPFUL_SLOT, helpful),
            SlotSet(answering.QUESTION_SLOT, False),
        ]
        if helpful:
            dispatcher.utter_message(response=answering.HELPED_RESPONSE)
            return events
        dispatcher.utter_message(response=answering.NOT_HELPED_RESPONSE)
        article = tracker.get_slot(answering.ARTICLE_SLOT)
        if isinstance(article, dict):
            kept = {k: article.get(k) for k in ("id", "topic", "language", "url", "title")}
            events.append(SlotSet(answering.HANDOFF_ARTICLE_SLOT, kept))
        return events
