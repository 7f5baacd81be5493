"""The chat widget's socket.io channel: Rasa's, with one message per bot response.

Rasa's socket.io output splits texts on blank lines, sends custom payloads as a
separate emit whose keys become emit arguments, and drops a response's metadata.
The widget needs each response whole, so this output emits exactly one
`bot_uttered` per response:

    {"text": str, "quick_replies": [{"title": str, "payload": str}],
     "custom": {...}}           # keys present only when the response has them

`custom` carries handoff state for the widget's banner, e.g.
{"handoff": "queued" | "agent" | "ended", "agent": "Marie"}.
The output keeps the channel name "socketio", so `output_channel=latest` on Rasa's
HTTP API (used by the agent desk) finds it.
"""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.shared_sockets import share_sockets
from bot.settings import get_settings

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5000  # longer messages are cut, not refused: nothing the user typed is lost


def widget_message(message: dict[str, Any]) -> dict[str, Any]:
    """The one payload the widget receives for a Rasa response dict."""
    payload: dict[str, Any] = {}
    if message.get("text"):
        payload["text"] = message["text"]
    buttons = message.get("quick_replies") or message.get("buttons") or []
    if buttons:
        payload["quick_replies"] = [
            {"title": button["title"], "payload": button["payload"]} for button in buttons
        ]
    if message.get("custom"):
        payload["custom"] = message["custom"]
    for key in ("image", "attachment"):
        if message.get(key):
            payload[key] = message[key]
    return payload


def clean_text(raw: Any) -> str:
    """The user's text as a string, at most MAX_MESSAGE_CHARS long."""
    text = raw if isinstance(raw, str) else ""
    return text[:MAX_MESSAGE_CHARS]


class WidgetOutput(SocketIOOutput):
    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        payload = widget_message(message)
        if payload:
            await self._send_message(recipient_id, payload)


class WidgetInput(SocketIOInput):
    """Rasa's socket.io input with `WidgetOutput` for replies and agent messages."""

    def get_output_channel(self) -> WidgetOutput | None:
        if self.sio is None:
            return None
        return WidgetOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by super().blueprint
        # Rasa builds the server with cors_allowed_origins=[] (no Origin check at all):
        # only the configured site origins may open a socket (ALLOWED_ORIGINS).
        sio.eio.cors_allowed_origins = list(get_settings().allowed_origins)
        share_sockets(sio, get_settings().socketio_manager_url)  # several Rasa servers

        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict) or not data.get("session_id"):
                logger.warning("socket.io message without a session_id ignored")
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            message = UserMessage(
                clean_text(data.get("message")),
                WidgetOutput(sio, self.bot_message_evt),
                str(data["session_id"]),
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            await on_new_message(message)

        async def session_request(sid: str, data: Any) -> None:
            # Rasa 3.6 calls sio.enter_room() without await; in python-socketio 5.12+
            # it is a coroutine, so the socket never joined the session's room and
            # replies and agent messages addressed to the session got lost.
            data = data if isinstance(data, dict) else {}
            session_id = str(data.get("session_id") or uuid.uuid4().hex)
            result = sio.enter_room(sid, session_id, namespace=self.namespace)
            if inspect.isawaitable(result):
                await result
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        # these replace the handlers Rasa registered for the same events
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return blueprint
