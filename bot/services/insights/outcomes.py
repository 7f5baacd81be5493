"""What a conversation came to, from Rasa's events: the rules of the Insights page.

A conversation is one Rasa session of one sender. Its events are folded, one at a
time and in order, into an `InsightConversation` row of facts (no text, no sender ID);
`outcome` then reads the facts as of a moment:

- handed off: a ticket was opened for a person (`action_handoff`);
- resolved: a flow finished (an answer, a reset link, the login checklist, a
  help-centre article...) and the customer confirmed (thanks, yes, "it helped" or
  "it answered my question"), or did not ask again, in this session or a new one,
  within the resolution window (24 hours as shipped);
- misunderstood: otherwise, if the last message was not understood (`nlu_fallback`);
- abandoned: otherwise;
- in progress: not settled yet (recent activity, or a flow end still in its window).

The README's "Insights" section defines every figure built on these.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.config.policy import Policy
from bot.db.models import InsightConversation
from bot.nlu.typed_answers import SATISFACTION_INTENT

FALLBACK_INTENT = "nlu_fallback"
# Actions after which the customer's question has had its answer.
FLOW_ENDS = frozenset(
    {
        "action_account_answer",
        "action_login_help",
        "action_request_reset",
        "action_service_status",
        "utter_faq",
        "utter_forgot_login_email",
    }
)
HANDOFF_ACTION = "action_handoff"
CONFIRMING_INTENTS = frozenset({"thank", "affirm"})
# A help-centre article given (its slot set with a value) ends a flow too; the yes / no
# to "did this answer your question?" is its own intent and slot
# (named here once; bot/services/help_centre/answering.py uses them).
ARTICLE_SLOT, ARTICLE_HELPFUL_SLOT, ARTICLE_FEEDBACK_INTENT = (
    "help_article", "article_helpful", "article_feedback",
)  # fmt: skip
# Messages that ask nothing new: they do not reopen a finished flow.
SMALL_TALK_INTENTS = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", SATISFACTION_INTENT, ARTICLE_FEEDBACK_INTENT}
)
AGENT_SLOT = "agent_name"  # set by the desk when an agent claims the ticket
TOPIC_SLOT = "handoff_topic"
LANGUAGE_SLOT = "language"
HELPED_SLOT = "satisfaction_helped"  # the satisfaction question's yes/no
RATING_SLOT = "satisfaction_rating"  # and its optional 1-5
DEFAULT_TOPIC = "general"


class Outcome(str, enum.Enum):
    RESOLVED = "resolved"
    HANDED_OFF = "handed_off"
    MISUNDERSTOOD = "misunderstood"
    ABANDONED = "abandoned"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class Windows:
    """How long before a conversation counts as over, and a flow end as resolved."""

    quiet: timedelta
    resolution: timedelta

    @classmethod
    def from_policy(cls, policy: Policy) -> Windows:
        return cls(
            quiet=timedelta(minutes=policy.insights_quiet_minutes),
            resolution=timedelta(hours=policy.insights_resolution_hours),
        )


def event_time(event: Mapping[str, Any]) -> datetime:
    """An event's Unix timestamp as naive UTC, like every date we store."""
    stamp = float(event.get("timestamp") or 0)
    return datetime.fromtimestamp(stamp, timezone.utc).replace(tzinfo=None)


def channel_of(sender_id: str) -> str:
    """The channel a namespaced conversation ID belongs to (`rest:a` -> `rest`)."""
    prefix, separator, _ = sender_id.partition(":")
    return prefix[:32] if separator else "unknown"


def new_conversation(key: str, channel: str, started_at: datetime) -> InsightConversation:
    return InsightConversation(
        conversation_key=key,
        started_at=started_at,
        last_event_at=started_at,
        channel=channel,
        user_messages=0,
        fallbacks=0,
        ended_on_fallback=False,
        intents={},
        confirmed=False,
        came_back=False,
        in_form=False,
    )


def asks_something(event: Mapping[str, Any]) -> bool:
    """A user message with a new question (not thanks, yes, no, hello or goodbye)."""
    return event.get("event") == "user" and intent_of(event) not in SMALL_TALK_INTENTS


def intent_of(event: Mapping[str, Any]) -> str:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    return str(intent.get("name") or FALLBACK_INTENT)[:64]


def _user_message(row: InsightConversation, event: Mapping[str, Any]) -> None:
    intent = intent_of(event)
    row.user_messages += 1
    row.intents = {**row.intents, intent: row.intents.get(intent, 0) + 1}  # a new dict: JSON
    row.ended_on_fallback = intent == FALLBACK_INTENT
    if intent == FALLBACK_INTENT:
        row.fallbacks += 1
    if row.flow_finished_at is None:
        return
    if intent in CONFIRMING_INTENTS:
        row.confirmed = True
    elif intent not in SMALL_TALK_INTENTS:  # asked again: the flow did not settle it
        row.flow_finished_at = None
        row.confirmed = False


def _slot(row: InsightConversation, name: str, value: Any, at: datetime) -> None:
    if name == LANGUAGE_SLOT and isinstance(value, str) and len(value) == 2:
        row.language = value
    elif name == TOPIC_SLOT and isinstance(value, str) and value:
        row.handoff_topic = value[:64]
    elif name == AGENT_SLOT and value and row.handed_off_at and row.agent_claimed_at is None:
        row.agent_claimed_at = at
    elif name in (HELPED_SLOT, RATING_SLOT, ARTICLE_SLOT) and not row.user_messages:
        return  # Rasa copying an earlier session's slots into a new one: no new answer
    elif name == ARTICLE_SLOT and value and row.handed_off_at is None:
        row.flow_finished_at = at  # answered from the help centre
        row.confirmed = False
    elif name == ARTICLE_HELPFUL_SLOT and row.flow_finished_at is not None:
        if value is True:
            row.confirmed = True
        elif value is False:  # it did not answer: not resolved (a person is offered)
            row.flow_finished_at = None
            row.confirmed = False
    elif name == HELPED_SLOT and isinstance(value, bool):
        row.helped = value
    elif name == RATING_SLOT and isinstance(value, (int, float)) and 1 <= value <= 5:
        row.rating = int(value)


def is_agent_message(event: Mapping[str, Any]) -> bool:
    """A bot event the desk wrote for an agent (bot/desk/app.py `send_message`: the
    agent's name in its metadata, through Rasa's JWT-protected API only)."""
    return bool((event.get("metadata") or {}).get("agent"))


def apply_event(row: InsightConversation, event: Mapping[str, Any]) -> None:
    """Fold one of the conversation's events (Rasa's event dict) into its facts."""
    at = event_time(event)
    row.last_event_at = max(row.last_event_at, at)
    kind = event.get("event")
    if kind == "user":
        _user_message(row, event)
    elif kind == "action":
        name = event.get("name")
        if name in FLOW_ENDS and row.handed_off_at is None:
            row.flow_finished_at = at
            row.confirmed = False
        elif name == HANDOFF_ACTION and row.handed_off_at is None:
            row.handed_off_at = at
            row.handoff_topic = row.handoff_topic or DEFAULT_TOPIC
    elif kind == "slot":
        _slot(row, str(event.get("name")), event.get("value"), at)
    elif kind == "bot" and is_agent_message(event) and row.agent_claimed_at:
        row.first_agent_reply_at = row.first_agent_reply_at or at
    elif kind == "active_loop":
        row.in_form = bool(event.get("name"))
    elif kind == "resume" and row.agent_claimed_at and row.handed_back_at is None:
        row.handed_back_at = at


def came_back_within(previous: InsightConversation, asked_at: datetime, windows: Windows) -> bool:
    """Whether a question in a new session reopens the previous session's flow end."""
    finished = previous.flow_finished_at
    return (
        finished is not None
        and not previous.confirmed
        and previous.helped is not True
        and asked_at - finished < windows.resolution
    )


def outcome(row: InsightConversation, now: datetime, windows: Windows) -> Outcome:
    """What the conversation came to, as of `now` (naive UTC)."""
    if row.handed_off_at is not None:
        return Outcome.HANDED_OFF
    finished = row.flow_finished_at
    if finished is not None and not row.came_back and row.helped is not False:
        if row.confirmed or row.helped is True or now - finished >= windows.resolution:
            return Outcome.RESOLVED
        return Outcome.IN_PROGRESS
    if now - row.last_event_at < windows.quiet:
        return Outcome.IN_PROGRESS
    return Outcome.MISUNDERSTOOD if row.ended_on_fallback else Outcome.ABANDONED
