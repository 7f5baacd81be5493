"""The trained assistant keeps its conversation state without the action server.

The model runs in this process with bot/rasa/patches/hot_path.py installed, as
`python -m bot serve rasa` does, and with an action endpoint that records every
call and fills nothing: the language and "not understood twice" behaviour must
come from the Rasa process itself, with no action call for them (a message not
understood calls the help centre's search, nothing else).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.utils.endpoints import EndpointConfig
from threadpoolctl import threadpool_info, threadpool_limits

from bot.rasa.patches.hot_path import close_kept_sessions
from bot.rasa.patches.registry import install_all, restore_all
from bot.rasa.server import one_blas_thread
from tests.support.action_endpoint import ActionEndpoint
from tests.support.replies import identify

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def endpoint() -> Iterator[ActionEndpoint]:
    server = ActionEndpoint()
    yield server
    server.close()


@pytest.fixture(scope="module")
def agent(model_path: Path, endpoint: ActionEndpoint) -> Iterator[Agent]:
    blas_threads = {pool["prefix"]: pool["num_threads"] for pool in threadpool_info()}
    one_blas_thread()
    install_all()
    try:
        yield Agent.load(str(model_path), action_endpoint=EndpointConfig(endpoint.url))
    finally:
        restore_all()
        threadpool_limits(limits=blas_threads)
        asyncio.run(close_kept_sessions())


def replies(agent: Agent, sender: str, text: str, **metadata: str) -> list[tuple[str, str]]:
    channel = CollectingOutputChannel()
    message = UserMessage(text, channel, sender, metadata=metadata or None)
    asyncio.run(agent.handle_message(message))
    return [identify(answer.get("text", "")) for answer in channel.messages]  # type: ignore[misc]


def test_numpy_products_run_on_one_thread(agent: Agent) -> None:
    # OpenBLAS's spinning threads cost a third of the server's CPU at the same turns/s
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


@pytest.mark.parametrize(
    ("message", "language"), [("ciao", "it"), ("bonjour", "fr"), ("hello", "en")]
)
def test_greeting_in_the_users_language_without_an_action_call(
    agent: Agent, endpoint: ActionEndpoint, message: str, language: str
) -> None:
    endpoint.calls.clear()
    assert replies(agent, uuid.uuid4().hex, message) == [("utter_greet", language)]
    assert endpoint.calls == []


def test_page_hint_and_stickiness_without_an_action_call(
    agent: Agent, endpoint: ActionEndpoint
) -> None:
    endpoint.calls.clear()
    who = uuid.uuid4().hex
    assert replies(agent, who, "ok", language="fr-FR")[0][1] == "fr"
    assert {language for _, language in replies(agent, who, "thanks")} == {"fr"}
    assert replies(agent, who, "can you speak italian please?") == [
        ("utter_language_changed", "it")
    ]
    assert endpoint.calls == []


def test_second_misunderstanding_is_known_without_a_state_action_call(
    agent: Agent, endpoint: ActionEndpoint
) -> None:
    """A message not understood goes to the help centre first (one call, the search,
    which answers here with nothing); "not understood twice" is the Rasa process's
    own: no call for the conversation's state. The replies: tests/e2e/test_help_centre.py
    and test_rest_conversation.py."""
    endpoint.calls.clear()
    who = uuid.uuid4().hex
    replies(agent, who, "buongiorno")
    replies(agent, who, "xxxxx yyyy")
    replies(agent, who, "kkkkkk")
    tracker = asyncio.run(agent.tracker_store.retrieve(who))
    assert tracker is not None and tracker.get_slot("repeated_fallback") is True
    assert replies(agent, who, "grazie mille")[0] == ("utter_thank", "it")
    assert endpoint.calls == ["action_answer_from_help_centre"] * 2


def test_a_turn_that_needs_an_action_still_calls_the_action_server(
    agent: Agent, endpoint: ActionEndpoint
) -> None:
    endpoint.calls.clear()
    replies(agent, uuid.uuid4().hex, "is the service down right now?")
    # the flow's action, then the satisfaction question's; never the per-turn state
    assert endpoint.calls == ["action_service_status", "action_ask_satisfaction"]


def test_action_calls_reuse_one_connection(agent: Agent, endpoint: ActionEndpoint) -> None:
    """Rasa alone opens a new connection (and looks `localhost` up) for each call."""
    endpoint.calls.clear()
    endpoint.connections.clear()

    async def three_customers() -> None:
        for _ in range(3):
            message = UserMessage(
                "is the service down right now?", CollectingOutputChannel(), uuid.uuid4().hex
            )
            await agent.handle_message(message)

    asyncio.run(three_customers())
    assert endpoint.calls == ["action_service_status", "action_ask_satisfaction"] * 3
    assert len(set(endpoint.connections)) == 1
