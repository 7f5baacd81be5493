"""Two Rasa servers on shared PostgreSQL, Redis and RabbitMQ: nothing lost or crossed."""

from __future__ import annotations

import asyncio
import json
import secrets
from concurrent.futures import ThreadPoolExecutor

import aio_pika

from tests.scaleout.conftest import Cluster
from tests.support.environment import RABBITMQ_URL

CONVERSATIONS = 24
IN_TURN = ["hello", "how do I reset my password", "thanks", "what can you do"]
AT_ONCE = ["hi there", "ok thank you"]  # sent to both servers at the same moment


def _user_and_bot_turns(tracker: dict) -> list[tuple[str, int]]:
    """Each user message with the number of bot messages after it (before the next)."""
    turns: list[tuple[str, int]] = []
    for event in tracker["events"]:
        if event["event"] == "user":
            turns.append((event["text"], 0))
        elif event["event"] == "bot" and turns:
            text, replies = turns[-1]
            turns[-1] = (text, replies + 1)
    return turns


def _converse(cluster: Cluster, conversation: str) -> None:
    for number, message in enumerate(IN_TURN):  # alternate between the servers
        assert cluster.send(cluster.servers[number % 2], conversation, message)
    with ThreadPoolExecutor(2) as pool:
        sent = [
            pool.submit(cluster.send, server, conversation, message)
            for server, message in zip(cluster.servers, AT_ONCE, strict=True)
        ]
        assert all(future.result() for future in sent)


def test_two_servers_keep_every_conversation_whole_and_in_order(cluster: Cluster) -> None:
    conversations = [f"consistency-{secrets.token_hex(4)}-{n}" for n in range(CONVERSATIONS)]
    with ThreadPoolExecutor(8) as pool:
        for outcome in [pool.submit(_converse, cluster, c) for c in conversations]:
            outcome.result()
    for number, conversation in enumerate(conversations):
        tracker = cluster.tracker(cluster.rest_conversation(conversation), server=number % 2)
        turns = _user_and_bot_turns(tracker)
        texts = [text for text, _ in turns]
        assert texts[: len(IN_TURN)] == IN_TURN, conversation  # each once, in order
        assert sorted(texts[len(IN_TURN) :]) == sorted(AT_ONCE), conversation
        assert all(replies >= 1 for _, replies in turns), (conversation, turns)


def _events_in_queue(queue: str, conversation: str) -> list[dict]:
    async def read() -> list[dict]:
        events = []
        connection = await aio_pika.connect(RABBITMQ_URL)
        async with connection:
            channel = await connection.channel()
            declared = await channel.declare_queue(queue, durable=True, passive=True)
            while message := await declared.get(no_ack=False, fail=False):
                event = json.loads(message.body)
                if event.get("sender_id") == conversation:
                    events.append(event)
                await message.ack()
        return events

    return asyncio.run(read())


def test_the_event_broker_receives_the_conversations_events(cluster: Cluster) -> None:
    conversation = f"broker-{secrets.token_hex(4)}"
    cluster.send(cluster.servers[0], conversation, "hello")
    cluster.send(cluster.servers[1], conversation, "how do I reset my password")
    published = _events_in_queue(cluster.queue, cluster.rest_conversation(conversation))
    user_texts = [event["text"] for event in published if event["event"] == "user"]
    assert user_texts == ["hello", "how do I reset my password"]
    assert sum(event["event"] == "bot" for event in published) >= 2
    tracker = cluster.tracker(cluster.rest_conversation(conversation))
    stored = [event["event"] for event in tracker["events"]]
    assert [event["event"] for event in published] == stored  # every event, once, in order


def test_the_event_broker_gets_no_card_number_email_or_code(cluster: Cluster) -> None:
    conversation = f"broker-secrets-{secrets.token_hex(4)}"
    secrets_typed = ["mario.rossi@libero.it", "4111 1111 1111 1111", "4111111111111111"]
    cluster.send(cluster.servers[0], conversation, "my email is mario.rossi@libero.it")
    cluster.send(cluster.servers[1], conversation, "my card is 4111 1111 1111 1111")
    events = _events_in_queue(cluster.queue, cluster.rest_conversation(conversation))
    published = json.dumps(events)
    assert "libero.it" in published  # the events are there, masked
    assert not [secret for secret in secrets_typed if secret in published]


def test_haproxy_sends_one_conversation_to_one_server(cluster: Cluster) -> None:
    def served() -> dict[str, int]:
        stats = cluster.haproxy_stats()
        return {
            server: int(values["stot"])
            for (backend, server), values in stats.items()
            if backend == "rasa_servers" and server.startswith("rasa")
        }

    for conversation in (f"sticky-{secrets.token_hex(4)}-{n}" for n in range(6)):
        before = served()
        for message in ("hello", "thanks", "what can you do", "bye"):
            assert cluster.send(cluster.proxy, conversation, message)
        after = served()
        grew = {server: after[server] - before[server] for server in after}
        assert sorted(grew.values()) == [0, 4], grew  # all four on one server
