"""Signed platform requests seen before, so a replayed one is dropped.

Slack signs a timestamp with each request (Rasa accepts it for 5 minutes either
side of now) and Twilio signs no time at all: a captured request, sent again with
its signature, was processed again (a second user message, a second reply sent).
Each channel remembers the signatures it accepted for as long as they stay valid.

Where: in Redis when the lock store is Redis (LOCK_STORE_URL=redis://, which every
set-up of several Rasa servers has: bot/ops/cluster.py), so each server sees what the
others accepted; otherwise in this process, the only Rasa server of the embedded
profile (in-memory locks serve one process only).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from urllib.parse import urlsplit

from bot.config.settings import get_settings

KEY_PREFIX = "replay:"


class SeenRequests:
    """`first_time(kind, signature, seconds)`: True the first time a signature comes
    within `seconds` of it, False for every repeat (atomically, across servers)."""

    def __init__(self, redis_url: str = "") -> None:
        self._redis = None
        if urlsplit(redis_url).scheme == "redis":
            from redis.asyncio import Redis

            self._redis = Redis.from_url(redis_url)
        # kind -> key -> expiry (monotonic); one window per kind, so insertion order
        # is expiry order and the expired ones are at the front
        self._local: dict[str, OrderedDict[str, float]] = {}

    async def first_time(self, kind: str, signature: str, seconds: int) -> bool:
        key = f"{KEY_PREFIX}{kind}:{hashlib.sha256(signature.encode()).hexdigest()}"
        if self._redis is not None:
            return bool(await self._redis.set(key, b"1", nx=True, ex=seconds))
        seen = self._local.setdefault(kind, OrderedDict())
        now = time.monotonic()
        while seen and next(iter(seen.values())) <= now:
            seen.popitem(last=False)
        if key in seen:
            return False
        seen[key] = now + seconds
        return True


def seen_requests() -> SeenRequests:
    """The store for this server's settings."""
    return SeenRequests(get_settings().lock_store_url)
