"""Rasa's RabbitMQ event broker, configured from one URL (EVENT_BROKER_URL).

endpoints.yml always names this class; with EVENT_BROKER_URL empty it gives Rasa no
broker (Rasa's own `pika` type cannot be switched off by a setting). Every event of
every conversation is published to a fanout exchange named like the queue
(EVENT_BROKER_QUEUE), so two deployments sharing one RabbitMQ with different queue
names never receive each other's events.
"""

from __future__ import annotations

from asyncio import AbstractEventLoop
from typing import Any
from urllib.parse import unquote, urlsplit

from rasa.core.brokers.pika import PikaEventBroker
from rasa.utils.endpoints import EndpointConfig

DEFAULT_PORT = 5672
CONNECTION_ATTEMPTS = 3  # start-up checks reachability first; do not wait 100 s for a dead one


def broker_arguments(url: str, queue: str) -> dict[str, Any]:
    """PikaEventBroker's arguments for an amqp:// URL (user and password in it)."""
    parts = urlsplit(url)
    return {
        "host": url,
        "username": unquote(parts.username or "guest"),
        "password": unquote(parts.password or "guest"),
        "port": parts.port or DEFAULT_PORT,
        "queues": [queue],
        "exchange_name": queue,
        "connection_attempts": CONNECTION_ATTEMPTS,
        "retry_delay_in_seconds": 1,
    }


class SettingsEventBroker(PikaEventBroker):
    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig | None, event_loop: AbstractEventLoop | None = None
    ) -> PikaEventBroker | None:
        url = ((broker_config.url if broker_config else None) or "").strip()
        if broker_config is None or not url:
            return None
        queue = str(broker_config.kwargs.get("queue") or "rasa_events")
        broker = cls(**broker_arguments(url, queue), event_loop=event_loop)
        await broker.connect()
        return broker
