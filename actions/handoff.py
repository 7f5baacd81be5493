"""Handing the conversation to a person: collect what they need, check identity,
open the ticket, pause the bot (support policies §3). Rules live in bot/services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import asks_for
from actions.parse_data import entity_value, identifier_in, intent_name
from actions.reply_language import reply_language
from actions.verified_conversation import (
    check_typed_code,
    verification_conversation,
    verified_account,
)
from bot.config.policy import get_policy
from bot.config.settings import get_settings
from bot.db.models import HandoffTicket
from bot.db.session import session_scope
from bot.nlu.entity_rules import has_card_number
from bot.nlu.typed_answers import SKIP_ALL, SKIP_ONE, typed_skip
from bot.services.account.answers import TOPIC_BY_TASK, Task
from bot.services.dates import TIMEZONE_KEY
from bot.services.form_slots import (
    CARD_SLOT,
    CODE_FAILED,
    CODE_VERIFIED,
    HANDOFF_CODE_SLOT,
    SEALED_SLOTS,
)
from bot.services.handoff.back_at import team_back_sentence
from bot.services.handoff.details import (
    MAX_DETAIL_CHARS,
    SKIPPED,
    TOPIC_BY_INTENT,
    Detail,
    card_last4,
    details_to_ask,
    identified_account,
    needs_code,
    products_in,
)
from bot.services.handoff.tickets import (
    HandoffRequest,
    UnhelpfulArticle,
    Verification,
    open_ticket,
    record_delivery,
    transcript_from_events,
    webhook_payload,
)
from bot.services.handoff.webhook import DeliveryResult, deliver_in_background
from bot.services.help_centre.answering import (
    HANDOFF_ARTICLE_SLOT,
    follows_unhelpful_article,
    question_answered,
)
from bot.services.identity.sealing import seal, unseal
from bot.services.identity.verification import VerificationStatus, start_verification_for
from bot.services.runtime import mail_queue, utcnow
from bot.services.topics import Topic


def slot_name(detail: Detail) -> str:
    """The form's slot for a detail: `handoff_<detail>`."""
    return f"handoff_{detail.value}"


CODE_SLOT = HANDOFF_CODE_SLOT
DETAIL_SLOTS = [slot_name(detail) for detail in Detail]
# Free text and emails wait in the tracker store between turns: sealed (bot/services/sealing).
SEALED_DETAILS = SEALED_SLOTS
LOGIN_INTENTS = ("cannot_login", "forgot_login_email")
# Answers that skip: "no" skips one question, asking for a person again skips all;
# skip words typed in any language do the same (typed_skip).
SKIP_INTENTS = {"deny": SKIP_ONE, "talk_to_human": SKIP_ALL}


def _topic(tracker: Tracker) -> Topic:
    """What the person will help with: a flow's topic, the pending task, or the login trouble."""
    explicit = tracker.get_slot("handoff_topic")
    if explicit in Topic._value2member_map_:
        return Topic(explicit)
    task = tracker.get_slot("pending_task")
    if task in Task._value2member_map_:
        return TOPIC_BY_TASK[Task(task)]
    recent = [
        intent_name(event.get("parse_data") or {})
        for event in tracker.events[-30:]
        if event.get("event") == "user"
    ]
    if recent and recent[-1] in TOPIC_BY_INTENT:
        return TOPIC_BY_INTENT[recent[-1]]
    if any(intent in LOGIN_INTENTS for intent in recent):
        return Topic.LOST_ACCOUNT
    return Topic.GENERAL


class ActionStartHandoff(Action):
    """Fix the topic and clear earlier answers; the form asks the questions next."""

    def name(self) -> str:
        return "action_start_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff_intro")
        events: list[EventType] = [SlotSet("handoff_topic", _topic(tracker).value)]
        events += _cleared(tracker, [*DETAIL_SLOTS, CODE_SLOT])
        if not follows_unhelpful_article(tracker.events):
            # only a handoff asked for with "no, it did not answer" carries the article
            events += _cleared(tracker, [HANDOFF_ARTICLE_SLOT])
        return events


def _details(tracker: Tracker, values: dict[str, Any]) -> dict[str, Any]:
    """Detail name -> what the customer typed (unsealed), or SKIPPED, or None."""
    return {
        name.removeprefix("handoff_"): unseal(value, tracker.sender_id)
        for name, value in values.items()
    }


def _sealed(tracker: Tracker, slot: str, value: str | None) -> str | None:
    return seal(value, tracker.sender_id) if value and slot in SEALED_DETAILS else value


def _latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def _cleared(tracker: Tracker, slots: list[str]) -> list[EventType]:
    """Reset the slots that hold something (no events for empty ones)."""
    return [SlotSet(slot, None) for slot in slots if tracker.get_slot(slot) is not None]


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        topic = Topic(tracker.get_slot("handoff_topic") or Topic.GENERAL.value)
        verified = bool(tracker.get_slot("verified"))
        # after an article that did not help, the question is the reason: not asked again
        known_reason = bool(tracker.get_slot(HANDOFF_ARTICLE_SLOT))
        slots = [slot_name(d) for d in details_to_ask(topic, verified, known_reason)]
        if needs_code(topic, verified):
            slots.append(CODE_SLOT)
        return slots

    # --- shared ----------------------------------------------------------------

    def _skip(self, tracker: Tracker, slot: str) -> dict[str, Any] | None:
        """Slots to fill with SKIPPED when the answer is a skip, else None."""
        intent = intent_name(tracker.latest_message or {}) or ""
        skip = typed_skip(_latest_text(tracker)) or SKIP_INTENTS.get(intent)
        if skip == SKIP_ALL:
            # the question being answered holds the raw text of this message: skip it too
            unanswered = [n for n in [*DETAIL_SLOTS, CODE_SLOT] if not tracker.get_slot(n)]
            return {name: SKIPPED for name in [slot, *unanswered]}
        if skip == SKIP_ONE:
            return {slot: SKIPPED}
        return None

    async def _accept(
        self,
        slot: str,
        value: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Keep a valid answer (or skip), then send the code once the details are in."""
        if not asks_for(tracker, slot):
            return {slot: None}  # the message that opened the form answers nothing
        skipped = self._skip(tracker, slot)
        if skipped is None and value is None:
            dispatcher.utter_message(response="utter_handoff_detail_invalid")
            return {slot: None}
        filled = skipped or {slot: _sealed(tracker, slot, value)}
        return {**filled, **await self._maybe_send_code(filled, dispatcher, tracker, domain)}

    async def _maybe_send_code(
        self,
        filled: dict[str, Any],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        required = await self.required_slots([], dispatcher, tracker, domain)
        if CODE_SLOT not in required or filled.get(CODE_SLOT):
            return {}
        values = {name: filled.get(name, tracker.get_slot(name)) for name in DETAIL_SLOTS}
        if any(values[name] is None for name in required if name != CODE_SLOT):
            return {}  # more questions first
        details = _details(tracker, values)
        with session_scope() as session:
            account, identified = identified_account(session, details)
            if identified:
                # what was typed keys the per-account limits when it names no account
                typed = [details.get("account_id"), details.get("identifier")]
                subject = next((value for value in typed if value and value != SKIPPED), None)
                start_verification_for(
                    session, mail_queue(), verification_conversation(tracker), account,
                    tracker.get_slot("language"), utcnow(), subject=subject,
                )  # fmt: skip
        if not identified:
            return {CODE_SLOT: SKIPPED}  # nothing to send a code for: every identity skipped
        policy = get_policy()
        dispatcher.utter_message(
            response="utter_code_sent",
            otp_length=policy.otp_length,
            otp_ttl_minutes=policy.otp_ttl_minutes,
        )
        return {}

    # --- one validator per question ----------------------------------------------

    def _text(self, tracker: Tracker, value: Any) -> str | None:
        text = str(value or "").strip()
        return text[:MAX_DETAIL_CHARS] if text else None

    async def validate_handoff_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self._accept(
            "handoff_reason", self._text(tracker, value), dispatcher, tracker, domain
        )

    async def validate_handoff_identifier(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = identifier_in(tracker.latest_message or {})
        if found is None and has_card_number(_latest_text(tracker)):
            return {"handoff_identifier": None}  # warned (action_track_conversation); asked again
        return await self._accept("handoff_identifier", found, dispatcher, tracker, domain)

    async def _accept_entity(
        self,
        slot: str,
        entity: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """The slot takes the entity the NLU found in the answer, never the raw text."""
        found = entity_value(tracker.latest_message or {}, entity)
        return await self._accept(slot, found, dispatcher, tracker, domain)

    async def validate_handoff_account_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self._accept_entity(
            "handoff_account_id", "account_id", dispatcher, tracker, domain
        )

    async def validate_handoff_billing_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self._accept_entity(
            "handoff_billing_email", "email", dispatcher, tracker, domain
        )

    async def extract_handoff_card_last4(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The slot's custom mapping: four digits or None, never the raw text."""
        if not asks_for(tracker, CARD_SLOT):
            return {}
        return {CARD_SLOT: card_last4(_latest_text(tracker))}

    async def validate_handoff_card_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if asks_for(tracker, CARD_SLOT) and has_card_number(_latest_text(tracker)):
            return {CARD_SLOT: None}  # warned (action_track_conversation); asked again
        four = value if isinstance(value, str) and value.isdigit() and len(value) == 4 else None
        return await self._accept(CARD_SLOT, four, dispatcher, tracker, domain)

    async def validate_handoff_billing_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self._accept(
            "handoff_billing_address", self._text(tracker, value), dispatcher, tracker, domain
        )

    async def validate_handoff_products(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = self._text(tracker, value) or ""
        named = products_in(text)
        return await self._accept(
            "handoff_products", ", ".join(named) if named else None, dispatcher, tracker, domain
        )

    async def validate_handoff_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not asks_for(tracker, CODE_SLOT):
            return {CODE_SLOT: None}
        skipped = self._skip(tracker, CODE_SLOT)
        if skipped is not None:
            return skipped
        code = entity_value(tracker.latest_message or {}, "otp_code") or str(value or "")
        result = check_typed_code(tracker, code)
        if result.public_id is not None:
            dispatcher.utter_message(response="utter_handoff_verified")
            return {
                CODE_SLOT: CODE_VERIFIED,
                "verified": True,
                "verified_account": result.public_id,
            }
        if result.status is VerificationStatus.WRONG:
            dispatcher.utter_message(
                response="utter_code_wrong", attempts_left=result.attempts_left
            )
            return {CODE_SLOT: None}
        dispatcher.utter_message(response="utter_handoff_code_failed")
        return {CODE_SLOT: CODE_FAILED}


def _verification(tracker: Tracker, topic: Topic, verified_account_id: int | None) -> Verification:
    if verified_account_id is not None:
        return Verification.VERIFIED
    code = tracker.get_slot(CODE_SLOT)
    if topic is Topic.VERIFICATION_FAILED:
        return Verification.NOT_ATTEMPTED
    if code == CODE_FAILED:
        return Verification.FAILED
    return Verification.SKIPPED if code in (SKIPPED, None) else Verification.FAILED


def _record_webhook(ticket_id: int) -> Callable[[DeliveryResult], None]:
    def record(result: DeliveryResult) -> None:
        with session_scope() as session:
            record_delivery(session, ticket_id, result.delivered, result.attempts)

    return record


def _unhelpful_article(tracker: Tracker) -> UnhelpfulArticle | None:
    """The help-centre article the customer said did not answer, and their question."""
    article = tracker.get_slot(HANDOFF_ARTICLE_SLOT)
    if not isinstance(article, dict):
        return None
    return UnhelpfulArticle(
        question=question_answered(tracker.events) or "",
        article_id=str(article.get("id") or ""),
        title=str(article.get("title") or ""),
        url=str(article.get("url") or ""),
    )


class ActionHandoff(Action):
    """Open the ticket, then pause the bot while a person is on the way."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = get_settings()
        now = utcnow()
        topic = Topic(tracker.get_slot("handoff_topic") or Topic.GENERAL.value)
        language = reply_language(tracker)
        details = _details(
            tracker,
            {slot: tracker.get_slot(slot) for slot in DETAIL_SLOTS if tracker.get_slot(slot)},
        )
        with session_scope() as session:
            verified_id = verified_account(session, tracker, now)
            request = HandoffRequest(
                conversation_id=tracker.sender_id,
                channel=tracker.get_latest_input_channel() or "unknown",
                language=language,
                topic=topic,
                details=details,
                verification=_verification(tracker, topic, verified_id),
                transcript=transcript_from_events(tracker.events),
                verified_account_id=verified_id,
                unhelpful_article=_unhelpful_article(tracker),
            )
            outcome = open_ticket(session, request, now, webhook_enabled=bool(settings.webhook_url))
            payload = None
            if outcome.created and settings.webhook_url:
                payload = webhook_payload(session.get(HandoffTicket, outcome.ticket_id))
        if payload is not None:
            deliver_in_background(
                settings.webhook_url, settings.webhook_secret, payload,
                max_attempts=get_policy().webhook_max_attempts,
                on_done=_record_webhook(outcome.ticket_id),
            )  # fmt: skip
        done = ["handoff_topic", "pending_task", HANDOFF_ARTICLE_SLOT, *DETAIL_SLOTS, CODE_SLOT]
        events = _cleared(tracker, done)
        if not outcome.in_hours:
            dispatcher.utter_message(response="utter_handoff_after_hours")
            # the widget sends the customer's time zone with each message
            zone = (tracker.latest_message.get("metadata") or {}).get(TIMEZONE_KEY)
            hours = get_policy().support_hours[language]
            dispatcher.utter_message(text=team_back_sentence(hours, now, language, zone))
            return events
        dispatcher.utter_message(
            response="utter_handoff_queued", queue_position=outcome.queue_position
        )
        return [*events, ConversationPaused()]
