"""The memory of signed requests (bot/channels/replays.py): with Redis, what one Rasa
server accepted is a replay on every other; in process, for the one server there is."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from bot.channels.replays import SeenRequests


def test_servers_sharing_redis_each_drop_what_another_accepted(redis_url: str) -> None:
    async def run() -> list[bool]:
        first, second = SeenRequests(redis_url), SeenRequests(redis_url)
        signature = f"v0={secrets.token_hex(32)}"
        return [
            await first.first_time("slack", signature, 60),
            await second.first_time("slack", signature, 60),
            await first.first_time("slack", signature, 60),
            await second.first_time("twilio", signature, 60),  # another platform's
        ]

    assert asyncio.run(run()) == [True, False, False, True]


def test_concurrent_copies_of_one_request_pass_once(redis_url: str) -> None:
    async def run() -> list[bool]:
        servers = [SeenRequests(redis_url) for _ in range(4)]
        signature = secrets.token_hex(16)
        return list(
            await asyncio.gather(*(s.first_time("twilio", signature, 60) for s in servers * 5))
        )

    assert sorted(asyncio.run(run())) == [False] * 19 + [True]


@pytest.mark.parametrize("url", ["", "memory://"])
def test_in_process_a_signature_passes_again_once_its_window_is_over(url: str) -> None:
    async def run() -> list[bool]:
        seen = SeenRequests(url)
        answers = [
            await seen.first_time("slack", "sig", 1),
            await seen.first_time("slack", "sig", 1),
        ]
        await asyncio.sleep(1.1)
        return [*answers, await seen.first_time("slack", "sig", 1)]

    assert asyncio.run(run()) == [True, False, True]
