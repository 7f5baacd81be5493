"""What a message may carry into the assistant, on every channel: one rule, one place.

- A request body is at most MAX_REQUEST_BYTES (Rasa's HTTP server and the socket.io
  packets alike): Sanic's default took 100 MB, and whatever a body held was stored.
- Metadata keeps only the keys the assistant reads (METADATA_KEYS: the page's
  language, the language picked in the widget's menu, the customer's time zone),
  each a short string. Rasa stores a message's metadata with its event
  and again in the `session_started_metadata` slot, so 2 MB sent became 8 MB stored.
- A text longer than MAX_MESSAGE_CHARS is not processed: the customer is told, in
  the page's or the conversation's language, to shorten it (the widget's box holds
  as many characters). The text stays with the customer; nothing of it is stored.

`bounded_messages` applies the last two to every message a channel hands Rasa.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.config.settings import FALLBACK_LANGUAGE
from bot.dialogue.conversation_language import (
    CHOSEN_KEY,
    HINT_KEY,
    LANGUAGE_SLOT,
    language_after,
)
from bot.nlu.language_detection import LanguageIdentifier
from bot.services.dates import TIMEZONE_KEY

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

MAX_MESSAGE_CHARS = 5000
MAX_REQUEST_BYTES = 256 * 1024  # a 5000-character message, JSON-escaped, with room to spare
# what the assistant reads of a message's metadata
METADATA_KEYS = (HINT_KEY, CHOSEN_KEY, TIMEZONE_KEY)
# a language tag ("fr-CA", "zh-Hant-TW") fits, and every IANA zone name (32 at most)
MAX_METADATA_VALUE_CHARS = 35
DETECTION_CHARS = 1000  # enough of a text to tell its language
RASA_APP = "rasa_server"  # the Sanic app rasa.server.create_app builds

TOO_LONG = {
    "it": "Il tuo messaggio è troppo lungo: accorcialo a {limit} caratteri al massimo e "
    "invialo di nuovo.",
    "fr": "Votre message est trop long : raccourcissez-le à {limit} caractères au maximum "
    "et envoyez-le à nouveau.",
    "en": "Your message is too long: please shorten it to {limit} characters at most and "
    "send it again.",
}


def allowed_metadata(metadata: Any) -> dict[str, str]:
    """The keys the assistant reads, when each is a short string; nothing else."""
    if not isinstance(metadata, dict):
        return {}
    return {
        key: value
        for key in METADATA_KEYS
        if isinstance(value := metadata.get(key), str) and len(value) <= MAX_METADATA_VALUE_CHARS
    }


def too_long_text(language: str) -> str:
    return TOO_LONG.get(language, TOO_LONG[FALLBACK_LANGUAGE]).format(limit=MAX_MESSAGE_CHARS)


async def _conversation_language(sender_id: str) -> str | None:
    """The conversation's language slot, when the conversation has been stored."""
    from sanic import Sanic
    from sanic.exceptions import SanicException

    try:
        app = Sanic.get_app(RASA_APP)
    except SanicException:  # not in the Rasa server (the conversation is not stored here)
        return None
    agent = getattr(app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return None
    tracker = await agent.tracker_store.retrieve(sender_id)
    return tracker.get_slot(LANGUAGE_SLOT) if tracker is not None else None


async def reply_language(message: UserMessage) -> str:
    """The language the conversation would take after this message
    (bot/dialogue/conversation_language.py), from its stored language, the page's hint
    and what the text's start is written in."""
    detected = LanguageIdentifier().detect((message.text or "")[:DETECTION_CHARS])
    return language_after(
        await _conversation_language(str(message.sender_id)),
        detected if detected.code else None,
        message.metadata,
    )


def bounded_messages(on_new_message: OnNewMessage) -> OnNewMessage:
    """`on_new_message` for messages whose metadata is cut to the allowed keys and
    whose text is within MAX_MESSAGE_CHARS; a longer text gets the too-long reply."""

    async def handle(message: UserMessage) -> Any:
        message.metadata = allowed_metadata(message.metadata)
        if len(message.text or "") <= MAX_MESSAGE_CHARS:
            return await on_new_message(message)
        logger.info("A message of %d characters answered with the length limit", len(message.text))
        text = too_long_text(await reply_language(message))
        await message.output_channel.send_response(str(message.sender_id), {"text": text})
        return None

    return handle
