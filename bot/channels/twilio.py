"""Twilio SMS and WhatsApp: Rasa's channel, with signature check and API URL.

One channel serves both: Twilio posts SMS and WhatsApp messages the same way, a
WhatsApp sender being `whatsapp:+39...`. Replies to a WhatsApp sender go from
`whatsapp:<TWILIO_NUMBER>`, replies to an SMS sender from `TWILIO_NUMBER`.

SMS and WhatsApp have no buttons: a reply's buttons become its options, one per line
under the text, to be typed back (each title is something the assistant understands:
"Yes", "4", "Talk to a person"). Rasa's default sent each button as a message of its
own, "1: Yes (/satisfaction{...})", showing the payload and inviting a "1" that means
the first option, not a rating of 1.

Rasa 3.6 does not check `X-Twilio-Signature` at all; here a request without a valid
one is refused with 403. Twilio signs the URL it calls plus the sorted form fields
with the auth token; that URL is the one the request came in on, with `http` or
`https` (TLS usually ends at a proxy in front of Rasa, which must keep the Host).
Twilio signs no time, so a captured request stays valid: a signature seen before
(a replay) is answered like any message and not processed again, for
REPLAY_SECONDS (bot/channels/replays.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.twilio import TwilioInput as RasaTwilioInput
from rasa.core.channels.twilio import TwilioOutput as RasaTwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels.api_url import ApiUrlFromCredentials
from bot.channels.namespace import PlatformRecipients, namespaced_messages
from bot.channels.options import text_with_options
from bot.channels.replays import seen_requests
from bot.channels.routes import handler_name

logger = logging.getLogger(__name__)
# twilio's HTTP client logs every API request and response at INFO (a dozen lines)
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

TWILIO_API_URL = "https://api.twilio.com"
WHATSAPP = "whatsapp:"
# how long an accepted signature is remembered; Twilio's own retries come within minutes
REPLAY_SECONDS = 24 * 60 * 60


class TwilioOutput(PlatformRecipients, RasaTwilioOutput):
    """Rasa's Twilio output, talking to `api_url`, replying on WhatsApp from WhatsApp."""

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        twilio_number: str | None,
        api_url: str = TWILIO_API_URL,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        self.api.base_url = api_url

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """One message: the text with the buttons' titles as options to type."""
        await self.send_text_message(recipient_id, text_with_options(text, buttons), **kwargs)

    async def _send_message(self, message_data: dict[str, Any]) -> Any:
        sender = str(message_data.get("from_") or "")
        if str(message_data.get("to")).startswith(WHATSAPP) and not sender.startswith(WHATSAPP):
            message_data = {**message_data, "from_": WHATSAPP + sender}
        return await super()._send_message(message_data)


class TwilioInput(ApiUrlFromCredentials, RasaTwilioInput):
    """Rasa's Twilio input; refuses requests without a valid `X-Twilio-Signature`."""

    api_url: str = TWILIO_API_URL

    def get_output_channel(self) -> TwilioOutput:
        return TwilioOutput(self.account_sid, self.auth_token, self.twilio_number, self.api_url)

    def is_signed(self, request: Request) -> bool:
        """Whether `X-Twilio-Signature` signs this request's URL and form fields."""
        signature = request.headers.get("X-Twilio-Signature", "")
        validator = RequestValidator(self.auth_token or "")
        urls = {request.url, "https:" + request.url.split(":", 1)[1]}
        return any(validator.validate(url, request.form, signature) for url in urls)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(namespaced_messages(self.name(), on_new_message))
        seen = seen_requests()

        @blueprint.middleware("request")
        async def check_signature(request: Request) -> HTTPResponse | None:
            # every route but the health check, whatever the path's spelling or method
            if handler_name(request) == "health":
                return None
            if not self.is_signed(request):
                logger.warning("Twilio request without a valid X-Twilio-Signature refused")
                return response.text("invalid X-Twilio-Signature", status=403)
            signature = request.headers.get("X-Twilio-Signature", "")
            if await seen.first_time("twilio", signature, REPLAY_SECONDS):
                return None
            logger.warning("Twilio request replayed dropped")
            return response.text("", status=204)  # what Rasa answers a message

        return blueprint
