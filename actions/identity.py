"""Password reset and one-time-code verification: forms and their actions.

Every reply here is the same whether or not an account matches. The `verified`
slot is set only by `validate_code_form` after a correct code (it has no slot
mapping from user input), and every sensitive action re-checks the database.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import asks_for, leave_form
from actions.parse_data import entity_value, identifier_in
from actions.verified_conversation import check_typed_code, verification_conversation
from bot.config.policy import get_policy
from bot.config.settings import get_settings
from bot.db.session import session_scope
from bot.dialogue.form_exits import FormExit, form_exit
from bot.services.form_slots import CODE_ACCEPTED, CODE_STOPPED, OTP_SLOT
from bot.services.identity.password_reset import request_reset
from bot.services.identity.verification import VerificationStatus, start_verification
from bot.services.runtime import mail_queue, utcnow
from bot.services.topics import Topic

MAX_IDENTIFIER_LENGTH = 254


def _entity(tracker: Tracker, *names: str) -> str | None:
    return entity_value(tracker.latest_message or {}, *names)


def _language(tracker: Tracker) -> str | None:
    return tracker.get_slot("language")


class ValidateResetForm(FormValidationAction):
    """The email for a reset link; "cancel" or another request leaves the form."""

    def name(self) -> str:
        return "validate_reset_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        leaving = (
            form_exit(latest)
            if asks_for(tracker, "reset_email") and _entity(tracker, "email") is None
            else None
        )
        if leaving is None:
            return await super().run(dispatcher, tracker, domain)
        if leaving is FormExit.STOP:
            dispatcher.utter_message(response="utter_reset_stopped")
        # another request: the rules answer it as if the question had not been asked
        return leave_form(self.form_name(), ["reset_email"], then_listen=leaving is FormExit.STOP)

    def validate_reset_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not asks_for(tracker, "reset_email"):
            return {"reset_email": None}
        email = _entity(tracker, "email")
        if email is None:
            dispatcher.utter_message(response="utter_reset_email_invalid")
            return {"reset_email": None}
        return {"reset_email": email}


class ActionRequestReset(Action):
    def name(self) -> str:
        return "action_request_reset"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        email = tracker.get_slot("reset_email")
        if email:
            with session_scope() as session:
                request_reset(
                    session, mail_queue(), tracker.sender_id, email, _language(tracker), utcnow(),
                    get_settings().reset_page_url,
                )  # fmt: skip
        dispatcher.utter_message(
            response="utter_reset_requested",
            reset_ttl_minutes=get_policy().reset_token_ttl_minutes,
        )
        return [SlotSet("reset_email", None)]


class ValidateVerifyForm(FormValidationAction):
    def name(self) -> str:
        return "validate_verify_form"

    def validate_identifier(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not asks_for(tracker, "identifier"):
            return {"identifier": None}
        identifier = identifier_in(tracker.latest_message or {})
        if not identifier or len(identifier) > MAX_IDENTIFIER_LENGTH:
            return {"identifier": None}  # the form asks again
        return {"identifier": identifier}


class ActionSendCode(Action):
    def name(self) -> str:
        return "action_send_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        identifier = tracker.get_slot("identifier")
        if identifier:
            with session_scope() as session:
                start_verification(
                    session,
                    mail_queue(),
                    verification_conversation(tracker),
                    identifier,
                    _language(tracker),
                    utcnow(),
                )
        policy = get_policy()
        dispatcher.utter_message(
            response="utter_code_sent",
            otp_length=policy.otp_length,
            otp_ttl_minutes=policy.otp_ttl_minutes,
        )
        # the identifier is not kept: the challenge in the database remembers the account
        return [SlotSet("identifier", None), SlotSet(OTP_SLOT, None)]


class ValidateCodeForm(FormValidationAction):
    def name(self) -> str:
        return "validate_code_form"

    def validate_otp_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not asks_for(tracker, OTP_SLOT):
            return {OTP_SLOT: None}
        result = check_typed_code(tracker, _entity(tracker, "otp_code") or str(value or ""))
        if result.public_id is not None:
            dispatcher.utter_message(response="utter_verified")
            return {OTP_SLOT: CODE_ACCEPTED, "verified": True, "verified_account": result.public_id}
        if result.status is VerificationStatus.WRONG:
            dispatcher.utter_message(
                response="utter_code_wrong", attempts_left=result.attempts_left
            )
            return {OTP_SLOT: None}
        dispatcher.utter_message(response="utter_code_locked")
        return {
            OTP_SLOT: CODE_STOPPED,
            "verified": False,
            "verified_account": None,
            "handoff_topic": Topic.VERIFICATION_FAILED.value,  # if they take the offered person
        }
