"""The widget's screenshot upload: `POST /webhooks/socketio/screenshots` on Rasa.

The body is the image's bytes and nothing else (no form, no file name, no type that
is read); the header `X-Widget-Session` carries the widget's session secret, the
same one the socket.io channel confirms (bot/channels/socketio.py), so the upload
lands in the conversation that secret names and nowhere else: no ticket, sender
or conversation in the request is read. Answers (JSON, CORS for ALLOWED_ORIGINS):

    201 {"status": "stored", "id": n}
    401 {"error": "session"}        no secret, or not one the widget would send
    409 {"error": "no_live_chat"}   the conversation is not with an agent right now
    429 {"error": "too_many"}       the ticket has its MAX_PER_TICKET screenshots
    429 {"error": "too_often"}      ATTEMPTS uploads tried in WINDOW_SECONDS (refused
                                    ones too: decoding costs a core for a moment)
    413 {"error": "too_large"}      over MAX_BYTES
    415 {"error": "not_an_image"}   not a PNG or a JPEG (by its bytes)
    422 {"error": "too_many_pixels" | "unreadable"}
    408 {"error": "timeout"}        the body took longer than READ_SECONDS
    503 {"error": "unavailable"}    the database failed; try again

Why HTTP and not a socket.io binary event: the socket.io server takes packets of at
most MAX_REQUEST_BYTES (256 KB) from every socket; a 5 MB event would need that
limit raised for every packet of every visitor (text messages included), and a
large event would hold up the agent's messages queued behind it on the same
connection. This route alone takes MAX_BYTES, streamed, refused before a byte of
the body is read when the session, the live chat or the declared length is wrong,
and gives the widget an HTTP status to explain. The session check is the socket's
own (the secret's keyed hash is the conversation ID).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sqlalchemy.exc import SQLAlchemyError

from bot.config.settings import get_settings
from bot.db.session import session_scope
from bot.services.runtime import utcnow
from bot.services.screenshots import records
from bot.services.screenshots.images import MAX_BYTES, ImageRefused, Refusal, clean_image

logger = logging.getLogger(__name__)

UPLOAD_PATH = "/screenshots"
SESSION_HEADER = "X-Widget-Session"
READ_SECONDS = 60  # a 5 MB body on a slow phone line; then the connection is freed
# a body up to this size is read to its end before a 413, so the client gets the answer
# (closing on unread bytes resets the connection); a larger one is cut off at once
DRAIN_BYTES = 2 * MAX_BYTES
DECODING = 1  # images decoded at once per server: memory and CPU stay bounded
ATTEMPTS = 30  # uploads one conversation may try per WINDOW_SECONDS, on each server
WINDOW_SECONDS = 600
STATUS = {
    Refusal.TOO_LARGE: 413,
    Refusal.NOT_AN_IMAGE: 415,
    Refusal.TOO_MANY_PIXELS: 422,
    Refusal.UNREADABLE: 422,
}

ConversationOf = Callable[[Any], str | None]


class AttemptWindow:
    """Uploads tried per conversation in the last `seconds` (this server's count: a
    customer on a live chat still cannot keep a core busy with refused images)."""

    def __init__(self, limit: int = ATTEMPTS, seconds: float = WINDOW_SECONDS) -> None:
        self.limit, self.seconds = limit, seconds
        self.tries: dict[str, deque[float]] = {}

    def take(self, key: str, now: float) -> bool:
        """Count one try; False when the conversation has had its `limit` already."""
        if len(self.tries) > 10_000:  # forget conversations idle for a whole window
            self.tries = {k: t for k, t in self.tries.items() if t and t[-1] > now - self.seconds}
        times = self.tries.setdefault(key, deque())
        while times and times[0] <= now - self.seconds:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True


def _error(status: int, code: str) -> Any:
    return response.json({"error": code}, status=status)


def declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    return int(raw) if raw is not None and raw.isascii() and raw.isdigit() else None


async def read_body(request: Request) -> bytes | None:
    """The body, or None when it is longer than MAX_BYTES (read on up to DRAIN_BYTES)."""
    stream = request.stream
    if stream is None:
        return b""
    stream.request_max_size = DRAIN_BYTES  # Sanic lifts it for streamed routes
    kept = bytearray()
    total = 0
    while True:
        chunk = await stream.read()
        if chunk is None:
            break
        total += len(chunk)
        if total <= MAX_BYTES:
            kept += chunk
    return bytes(kept) if total <= MAX_BYTES else None


async def refuse_after_reading(request: Request, status: int, code: str) -> Any:
    """The refusal, once a body of at most DRAIN_BYTES is read (and dropped): a client
    still sending when the connection closes would see a reset, not the answer."""
    length = declared_length(request)
    if length is not None and length <= DRAIN_BYTES:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(read_body(request), READ_SECONDS)
    return _error(status, code)


def _check_live(conversation_id: str) -> None:
    with session_scope() as session:
        records.live_ticket(session, conversation_id)


def _store(conversation_id: str, body: bytes) -> tuple[int, int, str]:
    image = clean_image(body)
    with session_scope() as session:
        row = records.attach(session, conversation_id, image, get_settings().upload_dir, utcnow())
        return row.id, row.ticket_id, row.media_type


def add_upload_route(blueprint: Blueprint, conversation_of: ConversationOf) -> None:
    """The upload route on the widget channel's blueprint; `conversation_of` gives the
    conversation of a presented session secret (None: not a well-formed secret)."""
    decoding = asyncio.Semaphore(DECODING)
    attempts = AttemptWindow()

    async def upload_screenshot(request: Request) -> Any:
        conversation_id = conversation_of(request.headers.get(SESSION_HEADER))
        if conversation_id is None:
            return _error(401, "session")
        if not attempts.take(conversation_id, time.monotonic()):
            return await refuse_after_reading(request, 429, "too_often")
        try:
            await asyncio.to_thread(_check_live, conversation_id)
        except records.NoLiveChat:
            return await refuse_after_reading(request, 409, "no_live_chat")
        except records.TooMany:
            return await refuse_after_reading(request, 429, "too_many")
        except SQLAlchemyError as error:
            logger.warning("screenshot not taken: %s", type(error).__name__)
            return await refuse_after_reading(request, 503, "unavailable")
        length = declared_length(request)
        if length is not None and length > DRAIN_BYTES:
            return _error(413, Refusal.TOO_LARGE.value)
        try:
            body = await asyncio.wait_for(read_body(request), READ_SECONDS)
        except asyncio.TimeoutError:
            return _error(408, "timeout")
        if body is None:
            return _error(413, Refusal.TOO_LARGE.value)
        try:
            async with decoding:
                shot, ticket, media_type = await asyncio.to_thread(_store, conversation_id, body)
        except ImageRefused as refused:
            logger.info("screenshot refused: %s", refused.refusal.value)
            return _error(STATUS[refused.refusal], refused.refusal.value)
        except records.NoLiveChat:  # the agent closed the ticket meanwhile
            return _error(409, "no_live_chat")
        except records.TooMany:
            return _error(429, "too_many")
        except (SQLAlchemyError, OSError) as error:
            logger.warning("screenshot not stored: %s", type(error).__name__)
            return _error(503, "unavailable")
        logger.info("screenshot %d stored for ticket %d (%s)", shot, ticket, media_type)
        return response.json({"status": "stored", "id": shot}, status=201)

    blueprint.add_route(upload_screenshot, UPLOAD_PATH, methods=["POST"], stream=True)
