"""The chat widget's socket.io channel: Rasa's, with one message per bot response.

Rasa's socket.io output splits texts on blank lines, sends custom payloads as a
separate emit whose keys become emit arguments, and drops a response's metadata.
The widget needs each response whole, so this output emits exactly one
`bot_uttered` per response:

    {"text": str, "quick_replies": [{"title": str, "payload": str}],
     "custom": {...}}           # keys present only when the response has them

`custom` carries handoff state for the widget's banner, e.g.
{"handoff": "queued" | "agent" | "ended", "agent": "Marie"}.
`lang` is the language of the text (it, fr or en) when a sentence is long enough to
tell, so a screen reader reads it with the right voice.
`id` is the message's number in the conversation (1, 2, 3...): each message is
stored before it is sent (bot/services/delivery.py), and a widget that was away
asks for what it missed with `missed_messages {"after": <last id shown>}`, answered
(socket.io acknowledgement) with `{"messages": [<payloads with ids>]}` for the
conversation the socket's session was confirmed for, or `{"error": str}`. If the
database cannot take the message it is still sent live, without an `id`.
The output keeps the channel name "socketio", so `output_channel=latest` on Rasa's
HTTP API (used by the agent desk) finds it.

Sessions: a conversation ID appears in tickets and webhook payloads, so knowing
one must not be enough to join it. The widget keeps a random session secret
(`session_request {"session_secret": ...}`; the server makes one when none or a
malformed one comes); the conversation ID is `socketio:` + a keyed hash of the
secret, and the socket joins the room of that ID, where replies and agent
messages go. `session_confirm {"session_id", "session_secret", "support_hours"}`
answers (support hours and the `waiting` event: bot/channels/widget_state.py). Messages
go to the conversation the socket's session was confirmed for; a `session_id` in
the message is ignored, and a client that presents a conversation ID as its secret
gets a new conversation of its own.

Screenshots (during a live chat with an agent) come by HTTP on this channel's
blueprint, authenticated by the same secret: bot/channels/screenshot_upload.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.limits import MAX_REQUEST_BYTES, bounded_messages
from bot.channels.screenshot_upload import add_upload_route
from bot.channels.shared_sockets import share_sockets
from bot.channels.widget_state import (
    WAITING_EVT,
    WaitingWatcher,
    support_hours,
    waiting_state,
)
from bot.config.keys import WIDGET_SESSIONS, derive_key
from bot.config.settings import get_settings
from bot.db.session import session_scope
from bot.dialogue.conversation_language import sentence_language
from bot.services import delivery
from bot.services.conversation_ids import namespaced
from bot.services.runtime import utcnow

logger = logging.getLogger(__name__)

SECRET_BYTES = 32
# what the server makes (token_urlsafe(32): 43 characters, 256 bits); a widget may
# send its own of at least as many characters of the same alphabet
SESSION_SECRET = re.compile(r"[A-Za-z0-9_-]{43,128}")
CONVERSATION_ID_HEX = 32  # 128 bits of the keyed hash
MISSED_MESSAGES_EVT = "missed_messages"
MAX_MESSAGE_ID = 2**31 - 1  # the column's range: a larger "after" is no number we gave


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
    language = sentence_language(payload["text"]) if payload.get("text") else None
    if language:
        payload["lang"] = language
    return payload


def clean_text(raw: Any) -> str:
    """The user's text as a string (its length is checked by bot/channels/limits.py)."""
    return raw if isinstance(raw, str) else ""


def session_secret(presented: Any) -> str:
    """The presented secret when it is well formed, else a new random one."""
    if isinstance(presented, str) and SESSION_SECRET.fullmatch(presented):
        return presented
    return secrets.token_urlsafe(SECRET_BYTES)


def conversation_id(secret: str, key: bytes) -> str:
    """`socketio:` + the keyed hash of the session secret: whoever knows the ID still
    cannot compute the secret, which is what joins the conversation."""
    digest = hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()
    return namespaced(WidgetInput.name(), digest[:CONVERSATION_ID_HEX])


def presented_conversation(presented: Any, key: bytes) -> str | None:
    """The conversation of a presented secret, or None when it is not one the widget
    would send (an HTTP request gets no new conversation: it is refused)."""
    if isinstance(presented, str) and SESSION_SECRET.fullmatch(presented):
        return conversation_id(presented, key)
    return None


def after_id(data: Any) -> int | None:
    """The `after` of a missed_messages request: a message number (0: from the start)."""
    after = data.get("after", 0) if isinstance(data, dict) else None
    if isinstance(after, int) and not isinstance(after, bool) and 0 <= after <= MAX_MESSAGE_ID:
        return after
    return None


async def numbered(conversation_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with its number once stored; as it is if the database failed (the
    customer still gets it live: a message is never held back for want of a number)."""

    def store() -> int:
        with session_scope() as session:
            return delivery.record(session, conversation_id, payload, utcnow())

    try:
        return {**payload, "id": await asyncio.to_thread(store)}
    except (SQLAlchemyError, delivery.DeliveryError) as error:
        logger.warning("widget message sent without being stored: %s", type(error).__name__)
        return payload


async def missed_since(conversation_id: str, after: int) -> list[dict[str, Any]]:
    def read() -> list[dict[str, Any]]:
        with session_scope() as session:
            return delivery.missed(session, conversation_id, after)

    return await asyncio.to_thread(read)


class WidgetOutput(SocketIOOutput):
    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        payload = widget_message(message)
        if payload:
            await self._send_message(recipient_id, await numbered(recipient_id, payload))


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
        sio.eio.max_http_buffer_size = MAX_REQUEST_BYTES  # engine.io's default: 1 MB
        bounded = bounded_messages(on_new_message)
        share_sockets(sio, get_settings().socketio_manager_url)  # several Rasa servers

        key = derive_key(WIDGET_SESSIONS)

        async def handle_message(sid: str, data: Any) -> None:
            session = await sio.get_session(sid, namespace=self.namespace)
            sender_id = session.get("conversation_id")
            if not sender_id or not isinstance(data, dict):
                logger.warning("socket.io message before session_confirm ignored")
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
                sender_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            await bounded(message)

        async def session_request(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            secret = session_secret(data.get("session_secret"))
            sender_id = conversation_id(secret, key)
            session = await sio.get_session(sid, namespace=self.namespace)
            previous = session.get("conversation_id")
            if previous and previous != sender_id:
                await _awaited(sio.leave_room(sid, previous, namespace=self.namespace))
            await sio.save_session(sid, {"conversation_id": sender_id}, namespace=self.namespace)
            # Rasa 3.6 calls sio.enter_room() without await; in python-socketio 5.12+
            # it is a coroutine, so the socket never joined the session's room and
            # replies and agent messages addressed to the session got lost.
            await _awaited(sio.enter_room(sid, sender_id, namespace=self.namespace))
            confirmation = {
                "session_id": sender_id,
                "session_secret": secret,
                "support_hours": support_hours(utcnow()),
            }
            await sio.emit("session_confirm", confirmation, room=sid, namespace=self.namespace)
            waiting = await waiting_state(sender_id)
            if waiting is not None:  # a reload: the place in the queue (or none) at once
                await sio.emit(WAITING_EVT, waiting.as_dict(), room=sid, namespace=self.namespace)

        reading: set[str] = set()  # sockets with a missed_messages request in progress

        async def missed_messages(sid: str, data: Any = None) -> dict[str, Any]:
            """What the socket's own conversation was sent after `after`: the session
            (from the secret) names the conversation, never the request."""
            session = await sio.get_session(sid, namespace=self.namespace)
            sender_id = session.get("conversation_id")
            if not sender_id:
                return {"error": "send session_request first"}
            after = after_id(data)
            if after is None:
                return {"error": f"after: a message id from 0 to {MAX_MESSAGE_ID}"}
            if sid in reading:  # one at a time per socket: a flood waits for nothing
                return {"error": "a request is already in progress"}
            reading.add(sid)
            try:
                return {"messages": await missed_since(sender_id, after)}
            except SQLAlchemyError as error:
                logger.warning("missed messages not read: %s", type(error).__name__)
                return {"error": "try again later"}
            finally:
                reading.discard(sid)

        watcher = WaitingWatcher(sio, self.namespace, namespaced(self.name(), ""))

        @blueprint.listener("after_server_start")
        async def start_waiting_watcher(app: Any, _loop: Any) -> None:
            app.ctx.waiting_watcher = asyncio.create_task(watcher.run())

        @blueprint.listener("before_server_stop")
        async def stop_waiting_watcher(app: Any, _loop: Any) -> None:
            task = getattr(app.ctx, "waiting_watcher", None)
            if task is not None:
                task.cancel()

        # these replace the handlers Rasa registered for the same events
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        sio.on(MISSED_MESSAGES_EVT, missed_messages, namespace=self.namespace)
        add_upload_route(blueprint, lambda presented: presented_conversation(presented, key))
        return blueprint


async def _awaited(result: Any) -> None:
    """python-socketio's room methods are coroutines in some versions, not in others."""
    if inspect.isawaitable(result):
        await result
