"""Slack: Rasa's channel, with a configurable API URL and a plain-text URL challenge.

Rasa checks the signing secret (`X-Slack-Signature`, v0 HMAC-SHA256 over
`v0:<X-Slack-Request-Timestamp>:<body>`, at most 5 minutes old) and answers 400
when it does not match. A signed request that comes again within that window
(a replay: the same signature) is answered 200 and not processed again
(bot/channels/replays.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.api_url import ApiUrlFromCredentials
from bot.channels.namespace import PlatformRecipients, namespaced_messages
from bot.channels.replays import seen_requests
from bot.channels.routes import handler_name

logger = logging.getLogger(__name__)

SLACK_API_URL = "https://slack.com/api/"
# Rasa accepts a request timestamped up to 5 minutes either side of now
SIGNATURE_VALID_SECONDS = 2 * 5 * 60


class SlackOutput(PlatformRecipients, SlackBot):
    """Rasa's Slack output, talking to `api_url`."""

    def __init__(
        self,
        token: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
        proxy: str | None = None,
        api_url: str = SLACK_API_URL,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, proxy=proxy, base_url=api_url)


class SlackInput(ApiUrlFromCredentials, RasaSlackInput):
    """Rasa's Slack input, replying through `SlackOutput`."""

    api_url: str = SLACK_API_URL

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> SlackOutput:
        return SlackOutput(
            self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(namespaced_messages(self.name(), on_new_message))
        seen = seen_requests()

        @blueprint.middleware("request")
        async def drop_replays(request: Request) -> HTTPResponse | None:
            # Rasa checks the signature again and refuses a bad one with its own 400
            if handler_name(request) != "webhook" or not self.is_request_from_slack_authentic(
                request
            ):
                return None
            signature = request.headers.get("X-Slack-Signature", "")
            if await seen.first_time("slack", signature, SIGNATURE_VALID_SECONDS):
                return None
            logger.warning("Slack request replayed within its signature window dropped")
            return response.text("")  # 200: Slack must not send it again

        @blueprint.middleware("request")
        async def url_verification(request: Request) -> HTTPResponse | None:
            # Rasa answers Slack's challenge as a JSON string ("abc", with quotes),
            # which Slack no longer accepts; Slack's documented answer is plain text.
            if request.method != "POST" or request.content_type != "application/json":
                return None
            try:
                body = json.loads(request.body)
            except ValueError:
                return None
            if not isinstance(body, dict) or body.get("type") != "url_verification":
                return None
            if not self.is_request_from_slack_authentic(request):
                return response.text("invalid X-Slack-Signature", status=400)
            return response.text(str(body.get("challenge", "")))

        return blueprint
