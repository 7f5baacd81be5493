"""REST for integrations: Rasa's channel, namespaced and behind a bearer token.

With REST_TOKEN set every request must carry `Authorization: Bearer <REST_TOKEN>`;
anything else gets 401 and is not processed. Without REST_TOKEN the channel is
open in demo mode (DEMO=true, as the quick start uses it) and, outside demo mode,
not mounted at all (bot/channels/credentials.py; were it mounted, it would refuse
every request). Either way the caller's `sender`
stays in the `rest:` namespace, and `input_channel` in the body is ignored (Rasa
would take it as the conversation's channel).
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel
from rasa.core.channels.rest import QueueOutputChannel
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.namespace import OnNewMessage, namespaced_messages
from bot.channels.rest_body import refuse_malformed_body
from bot.config.settings import get_settings

logger = logging.getLogger(__name__)

BEARER = "Bearer "


def has_token(request: Request, token: str) -> bool:
    """Whether the request's Authorization header is `Bearer <token>` (constant time)."""
    header = request.headers.get("Authorization", "")
    if not token or not header.startswith(BEARER):
        return False
    return hmac.compare_digest(header[len(BEARER) :].encode(), token.encode())


class OneMessagePerResponse(CollectingOutputChannel):
    """Rasa's REST collector, but a response with a text and a `custom` payload (and
    nothing else) is one message, as the widget gets it: the help centre's article
    is {"text": title, quote and link, "custom": {"article": {...}}} (README)."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        super().__init__()
        self.messages = messages  # the list Rasa's route answers with

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        others = ("buttons", "quick_replies", "image", "attachment", "elements")
        if (
            message.get("text")
            and message.get("custom")
            and not any(message.get(key) for key in others)
        ):
            one = self._message(recipient_id, text=message["text"], custom=message["custom"])
            await self._persist_message(one)
            return
        await super().send_response(recipient_id, message)


def one_message_per_response(output: OutputChannel) -> OutputChannel:
    """The collector of a plain (not streamed) REST request, wrapped."""
    if isinstance(output, CollectingOutputChannel) and not isinstance(output, QueueOutputChannel):
        return OneMessagePerResponse(output.messages)
    return output


class RestInput(RasaRestInput):
    """Rasa's REST input; with `require_token` (outside demo mode) every request
    needs `token`, and with no token set every request is refused."""

    def __init__(self, token: str = "", require_token: bool = True) -> None:
        super().__init__()
        self.token = token
        self.require_token = require_token

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        token = str((credentials or {}).get("token") or "")
        return cls(token, require_token=bool(token) or not get_settings().demo)

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(
            namespaced_messages(self.name(), on_new_message, one_message_per_response)
        )

        @blueprint.middleware("request")
        async def check_token(request: Request) -> HTTPResponse | None:
            # every route of the channel, whatever the path's spelling or method
            if not self.require_token or has_token(request, self.token):
                return None
            logger.warning("REST request without the REST_TOKEN refused")
            return response.json(
                {"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"}
            )

        # then the body, so a caller without the token learns nothing about it
        blueprint.middleware("request")(refuse_malformed_body)
        return blueprint
