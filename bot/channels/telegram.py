"""Telegram: Rasa's channel, with a secret-token check and a configurable API URL.

Telegram does not sign updates; instead, `setWebhook` takes a `secret_token` that
Telegram then sends with every update in `X-Telegram-Bot-Api-Secret-Token`. The
secret is derived from the bot's access token (no extra setting), registered with
the webhook at start-up, and updates without it are refused with 403.

`/webhooks/telegram/set_webhook` (registering again, after a failure at start-up)
needs the same secret in the same header: without it anyone could make the server
call Telegram, and Rasa's handler answered a refusal with a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.namespace import PlatformRecipients, namespaced_messages
from bot.channels.routes import handler_name

logger = logging.getLogger(__name__)

TELEGRAM_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
API_TIMEOUT_SECONDS = 10
WITHOUT_SECRET = frozenset({"health"})  # Rasa's handler that reads nothing
SET_WEBHOOK = "set_webhook"  # Rasa's handler, replaced by `register_webhook`


def webhook_secret(access_token: str) -> str:
    """The webhook's secret token: 64 hex characters (Telegram allows [A-Za-z0-9_-])."""
    return hashlib.sha256(f"telegram-webhook:{access_token}".encode()).hexdigest()


class TelegramOutput(PlatformRecipients, RasaTelegramOutput):
    """Rasa's Telegram output, talking to `api_url`."""

    def __init__(self, access_token: str, api_url: str = TELEGRAM_API_URL) -> None:
        # Bot's own __init__: Rasa's passes the token only, with no way to set the server
        Bot.__init__(
            self,
            access_token,
            server=TelegramAPIServer.from_base(api_url),
            timeout=API_TIMEOUT_SECONDS,
        )
        self.secret_token = webhook_secret(access_token)

    async def set_webhook(self, url: str) -> bool:
        """Register `url` together with the secret token the input checks.

        aiogram 2.15 predates `secret_token`, so the API method is called directly.
        """
        return bool(
            await self.request("setWebhook", {"url": url, "secret_token": self.secret_token})
        )


class TelegramInput(RasaTelegramInput):
    """Rasa's Telegram input; refuses updates without the webhook's secret token."""

    def __init__(
        self,
        access_token: str | None,
        verify: str | None,
        webhook_url: str | None,
        api_url: str = TELEGRAM_API_URL,
    ) -> None:
        super().__init__(access_token, verify, webhook_url)
        self.api_url = api_url

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None  # Rasa's call above raises
        return cls(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
            credentials.get("api_url") or TELEGRAM_API_URL,
        )

    def get_output_channel(self) -> TelegramOutput:
        # Rasa's version also sets the webhook here, with asyncio.run() while the
        # server is being built: start-up then needs the internet, a failure stops the
        # server, and the bot's HTTP session is left on a closed event loop.
        return TelegramOutput(self.access_token or "", self.api_url)

    async def register_webhook(self) -> bool:
        """Tell Telegram where to send updates; a failure is logged, not fatal."""
        if not self.webhook_url:
            return False
        bot = self.get_output_channel()
        try:
            await bot.set_webhook(self.webhook_url)
            logger.info("Telegram webhook registered")
            return True
        except Exception as error:  # offline, bad token, ...: the server still runs
            # the class name only: aiohttp messages may contain the URL, with the token
            logger.warning(
                "Telegram webhook not registered (%s); GET /webhooks/telegram/set_webhook "
                "with the %s header retries",
                type(error).__name__,
                SECRET_HEADER,
            )
            return False
        finally:
            await bot.session.close()  # not bot.close(): aiogram 2 deprecates that name

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(namespaced_messages(self.name(), on_new_message))
        secret = webhook_secret(self.access_token or "").encode()

        @blueprint.middleware("request")
        async def check_secret_token(request: Request) -> HTTPResponse | None:
            # by the handler the router chose, not by the path: no spelling skips it
            if handler_name(request) in WITHOUT_SECRET:
                return None
            if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret):
                logger.warning("Telegram request without the webhook's secret token refused")
                return response.text("invalid secret token", status=403)
            if handler_name(request) == SET_WEBHOOK:
                if await self.register_webhook():
                    return response.text("webhook registered")
                return response.text("webhook not registered", status=502)
            return None

        @blueprint.listener("after_server_start")
        async def set_webhook(_app: Sanic, _loop: Any) -> None:
            await self.register_webhook()

        return blueprint
