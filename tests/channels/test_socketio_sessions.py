"""The widget's socket.io sessions: a conversation ID (it is in tickets and webhook
payloads) is not enough to join a conversation, receive its replies or write in it;
only the session secret the widget keeps is."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import pytest
import socketio

from tests.channels.conftest import REPLY_TIMEOUT, Channels
from tests.support.replies import identify

pytestmark = pytest.mark.slow

QUIET = 3.0  # seconds in which a reply for another conversation would have arrived


class Widget:
    """A socket.io client that connects as the widget does."""

    def __init__(self, rasa_url: str, request: dict) -> None:
        self.received: queue.Queue[dict] = queue.Queue()
        self.confirmed: queue.Queue[object] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.received.put)
        self.client.on("session_confirm", self.confirmed.put)
        self.client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"])
        self.client.emit("session_request", request)
        confirmation = self.confirmed.get(timeout=REPLY_TIMEOUT)
        if not isinstance(confirmation, dict):  # Rasa's own answer: the bare session id
            confirmation = {"session_id": confirmation}
        self.session_id = str(confirmation["session_id"])
        self.secret = str(confirmation.get("session_secret") or "")

    def say(self, text: str, **extra: str) -> None:
        self.client.emit("user_uttered", {"message": text, "metadata": {"language": "en"}, **extra})

    def reply(self) -> str:
        name, _ = identify(self.received.get(timeout=REPLY_TIMEOUT)["text"]) or ("?", "")
        return name

    def nothing_received(self) -> bool:
        try:
            self.received.get(timeout=QUIET)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        # the close packet goes at once; joining the long-poll reader takes up to the
        # ping interval (25 s), so that part runs in the background
        threading.Thread(target=self.client.disconnect, daemon=True).start()


@pytest.fixture
def widgets(channels: Channels) -> Iterator[list[Widget]]:
    opened: list[Widget] = []
    yield opened
    for widget in opened:
        widget.close()


def test_a_new_visitor_gets_a_secret_and_a_namespaced_conversation(
    channels: Channels, widgets: list[Widget]
) -> None:
    first = Widget(channels.rasa_url, {})
    widgets.append(first)
    assert first.session_id.startswith("socketio:")
    assert len(first.secret) >= 43 and first.secret not in first.session_id
    first.say("hello")
    assert first.reply() == "utter_greet"

    # a reload: the same secret joins the same conversation
    again = Widget(channels.rasa_url, {"session_secret": first.secret})
    widgets.append(again)
    assert again.session_id == first.session_id


@pytest.mark.parametrize(
    "request_of",
    [
        lambda victim: {"session_id": victim.session_id},
        lambda victim: {"session_secret": victim.session_id},
        lambda victim: {"session_id": victim.session_id, "session_secret": victim.session_id},
        lambda victim: {"session_secret": victim.session_id.removeprefix("socketio:")},
    ],
    ids=["as-session-id", "as-secret", "both", "bare-hash-as-secret"],
)
def test_knowing_a_conversation_id_does_not_join_it(
    channels: Channels, widgets: list[Widget], request_of: object
) -> None:
    victim = Widget(channels.rasa_url, {})
    widgets.append(victim)
    attacker = Widget(channels.rasa_url, request_of(victim))  # type: ignore[operator]
    widgets.append(attacker)
    assert attacker.session_id != victim.session_id  # a new conversation of its own

    victim.say("hello")
    assert victim.reply() == "utter_greet"
    assert attacker.nothing_received()  # none of the victim's replies

    # writing with the victim's ID in the message goes to the attacker's conversation
    attacker.say("hello", session_id=victim.session_id)
    assert attacker.reply() == "utter_greet"
    assert victim.nothing_received()


def test_a_message_naming_a_conversation_without_a_session_is_ignored(
    channels: Channels, widgets: list[Widget]
) -> None:
    victim = Widget(channels.rasa_url, {})
    widgets.append(victim)
    client = socketio.Client(reconnection=False)
    client.connect(channels.rasa_url, socketio_path="/socket.io", transports=["polling"])
    try:  # no session_request: straight to the victim's conversation
        client.emit("user_uttered", {"message": "thank you", "session_id": victim.session_id})
        victim.say("hello")
        # the victim's conversation has only its own message: no thanks answered first
        assert victim.reply() == "utter_greet"
        assert victim.nothing_received()
    finally:
        threading.Thread(target=client.disconnect, daemon=True).start()
