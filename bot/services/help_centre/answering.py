"""Answering from the help centre in the dialogue: which reply a turn gets, and what
the article message carries. Plain Python over plain data (no Rasa).

A message out of scope, not understood, or asking how to do something with a product
is searched first. When the search is confident (its calibrated threshold, in
search.py: no second threshold here), the reply is the article (title, 2-3 sentences,
link) and "Did this answer your question?"; otherwise it is today's reply:
out of scope, not understood (a person offered on the second in a row), or, for a
how-to question, "no article on that" with a person offered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.services.insights.outcomes import (
    ARTICLE_FEEDBACK_INTENT,
    ARTICLE_HELPFUL_SLOT,
    FALLBACK_INTENT,
)
from bot.services.insights.outcomes import (
    ARTICLE_SLOT as ARTICLE_SLOT,  # re-exported for the actions
)

if TYPE_CHECKING:  # the search (numpy, bm25s) stays out of the Rasa process's imports
    from bot.services.help_centre.search import Answer

OUT_OF_SCOPE_INTENT = "out_of_scope"
HOW_TO_INTENT = "ask_how_to"
FEEDBACK_INTENT = ARTICLE_FEEDBACK_INTENT  # the buttons of "Did this answer...?"
HELP_INTENTS = frozenset({OUT_OF_SCOPE_INTENT, FALLBACK_INTENT, HOW_TO_INTENT})

ANSWER_ACTION = "action_answer_from_help_centre"
FEEDBACK_ACTION = "action_article_feedback"

# ARTICLE_SLOT: the article offered last (article_slot below); Insights reads it too
QUESTION_SLOT = "article_question"  # True while "Did this answer your question?" waits
HELPFUL_SLOT = ARTICLE_HELPFUL_SLOT  # its answer; also the buttons' entity
HANDOFF_ARTICLE_SLOT = "handoff_article"  # the article that did not help, for the ticket

ARTICLE_RESPONSE = "utter_help_article"
OTHER_LANGUAGE_RESPONSE = "utter_help_article_other_language"
ASK_RESPONSE = "utter_ask_article_helpful"
HELPED_RESPONSE = "utter_article_helped"
NOT_HELPED_RESPONSE = "utter_article_not_helped"
NO_ARTICLE_RESPONSE = "utter_no_article"
OUT_OF_SCOPE_RESPONSE = "utter_out_of_scope"
NOT_UNDERSTOOD_RESPONSE = "utter_default"
OFFER_PERSON_RESPONSE = "utter_fallback_offer_human"

# Channels whose clients draw an article card from `custom.article` (the widget and
# REST integrations); text channels (Telegram, Slack, Twilio, Facebook) get the text.
CARD_CHANNELS = frozenset({"rest", "socketio"})
# Typed yes / no count as an answer only while the question waits (data/rules.yml).
TYPED_ANSWERS = {"affirm": True, "deny": False}


@dataclass(frozen=True)
class Decision:
    response: str  # the reply: an article response, or today's reply
    answer: Answer | None = None  # the article given, when there is one

    @property
    def answered(self) -> bool:
        return self.answer is not None


def searchable(text: str) -> bool:
    """A message worth searching: words, not a button's `/intent` payload."""
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("/") and any(c.isalpha() for c in stripped)


def todays_reply(intent: str | None, repeated_fallback: bool) -> str:
    """The reply without an article, as before the help centre."""
    if intent == HOW_TO_INTENT:
        return NO_ARTICLE_RESPONSE
    if intent == OUT_OF_SCOPE_INTENT:
        return OUT_OF_SCOPE_RESPONSE
    return OFFER_PERSON_RESPONSE if repeated_fallback else NOT_UNDERSTOOD_RESPONSE


# The NLU's out_of_scope class learnt other companies' products, routers and banks:
# when it is this sure, an article must clear the search's threshold by the margin.
# Chosen end to end on the dev sets (bench/help_eval.py): their off-domain messages
# answered with an article fell from 7 of 210 to 3, their questions lost one answer.
SURE_OUT_OF_SCOPE = 0.5
OUT_OF_SCOPE_MARGIN = 0.1


def search_margin(intent: str | None, confidence: float) -> float:
    """How far above its threshold the search must be for this NLU reading."""
    sure = intent == OUT_OF_SCOPE_INTENT and confidence >= SURE_OUT_OF_SCOPE
    return OUT_OF_SCOPE_MARGIN if sure else 0.0


def should_search(intent: str | None, text: str) -> bool:
    """Whether the turn is one the help centre answers first."""
    return intent in HELP_INTENTS and searchable(text)


def decide(intent: str | None, answer: Answer | None, repeated_fallback: bool) -> Decision:
    """The reply to a turn routed to the help centre: the article when the search
    found a confident `answer`, else today's reply."""
    if answer is None or intent not in HELP_INTENTS:
        return Decision(todays_reply(intent, repeated_fallback))
    response = OTHER_LANGUAGE_RESPONSE if answer.other_language else ARTICLE_RESPONSE
    return Decision(response, answer)


def confident_answer(answers: Sequence[Answer]) -> Answer | None:
    """The first answer when the search is confident about it."""
    return answers[0] if answers and answers[0].confident else None


# --- the article message ---------------------------------------------------------


def response_values(answer: Answer) -> dict[str, str]:
    """What the article responses (domain.yml) fill in: title, quote, link."""
    return {
        "article_title": answer.article.title,
        "article_quote": answer.quote,
        "article_url": answer.article.url,
    }


def article_card(answer: Answer) -> dict[str, Any]:
    """`custom` of the article message for the channels in CARD_CHANNELS (the widget's
    card). `language` is the article's, `passage` the quote."""
    article = answer.article
    return {
        "article": {
            "id": article.id,
            "topic": article.topic,
            "url": article.url,
            "title": article.title,
            "language": article.language,
            "passage": answer.quote,
        }
    }


def card_for(channel: str | None, answer: Answer) -> dict[str, Any] | None:
    return article_card(answer) if channel in CARD_CHANNELS else None


def article_slot(answer: Answer) -> dict[str, Any]:
    """What the conversation keeps of the article offered (no text of the customer)."""
    article = answer.article
    return {
        "id": article.id,
        "topic": article.topic,
        "language": article.language,
        "url": article.url,
        "title": article.title,
        "score": round(answer.score, 4),
    }


# --- the answer to "Did this answer your question?" --------------------------------


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def feedback_value(intent: str | None, entities: Sequence[Mapping[str, Any]]) -> bool | None:
    """Yes (True) / no (False) from a button's entity or a typed yes / no; None when
    the message says neither."""
    for entity in entities:
        if isinstance(entity, Mapping) and entity.get("entity") == HELPFUL_SLOT:
            found = _as_bool(entity.get("value"))
            if found is not None:
                return found
    return TYPED_ANSWERS.get(intent or "")


def answers_question(intent: str | None) -> bool:
    """Whether a message of `intent` answers "Did this answer your question?" (any
    other message drops the question: bot/dialogue/turn_state.py)."""
    return intent == FEEDBACK_INTENT or intent in TYPED_ANSWERS


def question_answered(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The customer's message the latest article answered: the user message before
    the latest ANSWER_ACTION (as stored: the tracker store has scrubbed it)."""
    answered = False
    for event in reversed(events):
        if event.get("event") == "action" and event.get("name") == ANSWER_ACTION:
            answered = True
        elif answered and event.get("event") == "user":
            text = str(event.get("text") or "")
            return text or None
    return None


def follows_unhelpful_article(events: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the latest action (the one now running follows it) is the feedback
    action and it set "not helpful": the handoff starting now is about that article."""
    not_helpful = False
    for event in reversed(events):
        if event.get("event") == "slot" and event.get("name") == HELPFUL_SLOT:
            not_helpful = not_helpful or event.get("value") is False
        elif event.get("event") == "action":
            return not_helpful and event.get("name") == FEEDBACK_ACTION
    return False
