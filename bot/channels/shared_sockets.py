"""socket.io rooms shared by several Rasa servers through Redis (SOCKETIO_MANAGER_URL).

Rasa 3.6 keeps a widget's socket in the process that accepted it. The desk posts an
agent's message (and the "agent joined" / "bot is back" notices) through Rasa's API
on whichever server the load balancer picks, and that server's emit to the
conversation's room reached the widget only when it happened to hold the socket.
With python-socketio's Redis manager every emit is published to Redis and each
server delivers it to the sockets it holds.
"""

from __future__ import annotations

from typing import Any

CHANNEL = "support-assistant-socketio"  # Redis pub/sub channel (channels span all dbs)


def share_sockets(sio: Any, url: str) -> None:
    """Give the socket.io server a Redis client manager (before any client connects)."""
    if not url:
        return
    from socketio import AsyncRedisManager

    manager = AsyncRedisManager(url, channel=CHANNEL)
    manager.set_server(sio)
    sio.manager = manager
