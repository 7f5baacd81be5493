"""Conversation IDs: `<channel>:<platform id>`, one namespace per input channel.

Every input channel (bot/channels/) puts its own name in front of the ID its
platform gives (a Telegram chat, a phone number, a REST caller's `sender`), so no
channel can name a conversation of another: a REST caller who sends
`"sender": "whatsapp:+39..."` talks in `rest:whatsapp:+39...`, never in the
WhatsApp customer's `twilio:whatsapp:+39...`.
"""

from __future__ import annotations

SEPARATOR = ":"


def namespaced(channel: str, platform_id: str) -> str:
    """The conversation ID of `platform_id` on `channel`; always prefixed, even when
    `platform_id` already looks namespaced (a caller may choose it)."""
    return f"{channel}{SEPARATOR}{platform_id}"


def platform_id(channel: str, conversation_id: str) -> str:
    """The platform's ID of a conversation of `channel` (the recipient of a reply).

    An ID without the prefix is returned as is: conversations started before IDs
    were namespaced still get their replies.
    """
    return conversation_id.removeprefix(f"{channel}{SEPARATOR}")


def belongs_to(conversation_id: str, channel: str | None) -> bool:
    """Whether `conversation_id` is in `channel`'s namespace."""
    return bool(channel) and conversation_id.startswith(f"{channel}{SEPARATOR}")
