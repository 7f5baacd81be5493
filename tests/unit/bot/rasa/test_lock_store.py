"""The lock store two Rasa servers share: one holder at a time, first come first served.

Two processes (as two servers) with their own store take the same conversation's lock
many times at once against the real Redis; inside the lock each does a slow
read-modify-write of a counter. With Rasa 3.6's RedisLockStore two holders overlap
(both read "no tickets" and take ticket 0) and counts are lost.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import secrets
from typing import Any

import redis

from bot.rasa.lock_store import RedisTicketLockStore

ENTRIES_PER_PROCESS = 40


def _store(redis_url: str) -> Any:
    from urllib.parse import urlsplit

    parts = urlsplit(redis_url)
    return RedisTicketLockStore(
        host=parts.hostname or "localhost", port=parts.port or 6379, db=int(parts.path[1:] or 1)
    )


async def _hammer(redis_url: str, conversation: str) -> None:
    store = _store(redis_url)
    client = redis.Redis.from_url(redis_url)

    async def one() -> None:
        async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.005):
            if client.incr(f"{conversation}:inside") > 1:
                client.incr(f"{conversation}:overlaps")
            value = int(client.get(f"{conversation}:counter") or 0)
            await asyncio.sleep(0.002)
            client.set(f"{conversation}:counter", value + 1)
            client.decr(f"{conversation}:inside")

    await asyncio.gather(*(one() for _ in range(ENTRIES_PER_PROCESS)))


def _server(redis_url: str, conversation: str, start: Any) -> None:
    start.wait()
    asyncio.run(_hammer(redis_url, conversation))


def test_two_servers_never_hold_one_conversation_at_once(redis_url: str) -> None:
    conversation = f"lock-test-{secrets.token_hex(4)}"
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    servers = [context.Process(target=_server, args=(redis_url, conversation, start)) for _ in "ab"]
    for server in servers:
        server.start()
    start.set()
    client = redis.Redis.from_url(redis_url)
    try:
        for server in servers:
            server.join(timeout=120)
            assert server.exitcode == 0, "a server failed or hung waiting for the lock"
        assert int(client.get(f"{conversation}:overlaps") or 0) == 0
        assert int(client.get(f"{conversation}:counter") or 0) == 2 * ENTRIES_PER_PROCESS
        # nothing left behind once every holder is done
        assert client.keys(f"*{conversation}*queue") == []
    finally:
        for server in servers:
            if server.is_alive():
                server.kill()
        client.delete(*client.keys(f"*{conversation}*") or [conversation])


def test_waiters_are_served_in_the_order_they_arrived(redis_url: str) -> None:
    conversation = f"order-test-{secrets.token_hex(4)}"
    served: list[int] = []

    async def run() -> None:
        store = _store(redis_url)
        async with store.lock(conversation):  # connected, scripts loaded
            pass

        async def one(number: int) -> None:
            await asyncio.sleep(number * 0.02)  # arrive in this order
            async with store.lock(conversation, wait_time_in_seconds=0.005):
                served.append(number)
                await asyncio.sleep(0.03)

        await asyncio.gather(*(one(n) for n in range(8)))

    asyncio.run(run())
    assert served == list(range(8))
