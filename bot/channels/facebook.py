"""Facebook Messenger: Rasa's channel, with a configurable Graph API URL, 403s, and
every button shown.

The routes are Rasa's, rewritten because Rasa builds its Graph API client inside
the webhook route, and answers a bad signature or verify token with status 200.
Here a POST must carry `X-Hub-Signature-256` (HMAC-SHA256 of the body with the app
secret); otherwise 403. Meta sends it on every webhook; the SHA-1 `X-Hub-Signature`
it also sends is not enough alone.

Buttons: Messenger's button template holds at most 3, each titled in at most 20
characters, and Rasa sent a reply with more as bare text (the not-understood menu and
the login checklist have 5 options, the rating 5). Such a reply goes as quick replies
(up to 10 here, titles cut to 20 characters) under the text with every option's full
title on a line, so nothing is lost and each option is one tap or can be typed.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fbmessenger import MessengerClient
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import Messenger, MessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.api_url import ApiUrlFromCredentials
from bot.channels.namespace import PlatformRecipients, namespaced_messages
from bot.channels.options import button_titles, text_with_options

logger = logging.getLogger(__name__)

FACEBOOK_API_URL = "https://graph.facebook.com"
SIGNATURE_HEADER = "X-Hub-Signature-256"
TEMPLATE_BUTTONS = 3  # Messenger's button template
TITLE_CHARS = 20  # a button's or a quick reply's title on Messenger
QUICK_REPLIES = 10  # fbmessenger refuses more


def messenger_client(page_access_token: str, api_url: str) -> MessengerClient:
    """fbmessenger's client, sending to `api_url` (with fbmessenger's API version)."""
    client = MessengerClient(page_access_token)
    client.graph_url = f"{api_url.rstrip('/')}/v{client.api_version}"
    return client


def is_signed(app_secret: str, body: bytes, headers: Any) -> bool:
    """Whether the body carries Meta's SHA-256 signature."""
    signature = headers.get(SIGNATURE_HEADER) or ""
    digest = hmac.new(app_secret.encode(), body, "sha256").hexdigest()
    return hmac.compare_digest(signature.encode(), f"sha256={digest}".encode())


def short_title(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def fits_template(buttons: list[dict[str, Any]]) -> bool:
    titles = button_titles(buttons)
    return len(buttons) <= TEMPLATE_BUTTONS and all(len(title) <= TITLE_CHARS for title in titles)


def quick_replies(buttons: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Each button as a quick reply: a short title, the button's payload (or its title,
    which is what a customer would type)."""
    replies = [
        {"title": short_title(title), "payload": str(button.get("payload") or title)}
        for button, title in zip(buttons, button_titles(buttons), strict=True)
        if title
    ]
    return replies[:QUICK_REPLIES]


class FacebookOutput(PlatformRecipients, MessengerBot):
    """Rasa's Messenger output, replying to the platform's ID of a conversation."""

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        if fits_template(buttons):
            await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
            return
        options = text_with_options(text, buttons)
        replies = quick_replies(buttons)
        if not replies:
            await self.send_text_message(recipient_id, options, **kwargs)
            return
        # not **kwargs: Rasa passes the whole message, its own `quick_replies` key too
        await self.send_quick_replies(recipient_id, options, replies)


class FacebookInput(ApiUrlFromCredentials, RasaFacebookInput):
    """Rasa's Facebook input, sending through the Graph API at `api_url`."""

    api_url: str = FACEBOOK_API_URL

    def get_output_channel(self) -> FacebookOutput:
        return FacebookOutput(messenger_client(self.fb_access_token, self.api_url))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        fb_webhook = Blueprint("fb_webhook", __name__)

        @fb_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if hmac.compare_digest(token.encode(), self.fb_verify.encode()):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("Facebook webhook verification with a wrong verify token")
            return response.text("invalid verify token", status=403)

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not is_signed(self.fb_secret, request.body, request.headers):
                logger.warning("Facebook webhook with a wrong signature refused")
                return response.text("invalid signature", status=403)
            # Rasa's Messenger builds its own MessengerBot for each message: replaced
            messages = namespaced_messages(
                self.name(), on_new_message, lambda _: self.get_output_channel()
            )
            messenger = Messenger(self.fb_access_token, messages)
            messenger.client = messenger_client(self.fb_access_token, self.api_url)
            await messenger.handle(request.json, self.get_metadata(request))
            return response.text("success")

        return fb_webhook
