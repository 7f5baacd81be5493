"""The widget's socket.io sessions: a conversation ID (it is in tickets and webhook
payloads) is not enough to join a conversation, receive its replies or write in it;
only the session secret the widget keeps is."""

from __future__ import annotations

import threading

import pytest
import socketio

from tests.channels.conftest import Channels
from tests.support.widget_client import WidgetClient as Widget

pytestmark = pytest.mark.slow


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
