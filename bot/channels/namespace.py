"""Sender IDs namespaced by channel (bot/services/conversation_ids.py), on both sides.

In: `namespaced_messages` wraps the `on_new_message` Rasa gives a channel's
blueprint, so every message's sender becomes `<channel>:<platform id>` and its
input channel is the channel itself (never a value from the request).
Every message then goes through `bounded_messages` (bot/channels/limits.py).
Out: `PlatformRecipients` strips the prefix again before a reply goes to the
platform, also for agent messages sent with Rasa's `output_channel=latest`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.channels.limits import bounded_messages
from bot.services.conversation_ids import namespaced, platform_id

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def namespaced_messages(
    channel: str,
    on_new_message: OnNewMessage,
    output: Callable[[OutputChannel], OutputChannel] | None = None,
) -> OnNewMessage:
    """`on_new_message` for messages of `channel`; `output`, when given, replaces the
    message's output channel (one that knows the namespace)."""
    bounded = bounded_messages(on_new_message)

    async def handle(message: UserMessage) -> Any:
        message.sender_id = namespaced(channel, str(message.sender_id))
        message.input_channel = channel
        if output is not None:
            message.output_channel = output(message.output_channel)
        return await bounded(message)

    return handle


class PlatformRecipients:
    """Mixin for an output channel (put it before Rasa's class): a response to
    `<channel>:<id>` goes to the platform's `<id>`."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        channel = self.name()  # type: ignore[attr-defined]  # the output channel's own
        await super().send_response(platform_id(channel, recipient_id), message)  # type: ignore[misc]
