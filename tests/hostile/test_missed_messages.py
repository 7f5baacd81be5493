"""Attacks on the widget's catch-up (`missed_messages`, bot/channels/socketio.py), against
one real Rasa server (tests/channels/conftest.py): the conversation read is always the
one the socket's session secret gave it, never one a request names.

- A socket with no session gets an error, whatever conversation it names.
- Knowing a conversation ID (it is in tickets and webhooks) in any field of
  session_request gives a new conversation of one's own: none of the victim's messages.
- `after` is a number from 0 to 2**31 - 1; anything else (text, negative, huge, bool,
  float, an operator object) gets a clear error, never another conversation's rows or
  a stack trace, and the server answers the next request as usual.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import socketio

from tests.channels import conftest as channel_servers
from tests.channels.conftest import Channels
from tests.support.rasa_api import send_as_bot
from tests.support.widget_client import REPLY_TIMEOUT
from tests.support.widget_client import WidgetClient as Widget

pytestmark = pytest.mark.slow
channels = channel_servers.channels  # the fixture: one Rasa server with every channel on

SECRET_TEXT = "Marie here: your new plan starts on Monday."


@pytest.fixture
def victim(channels: Channels) -> Iterator[Widget]:
    """A customer whose conversation holds an agent's message."""
    widget = Widget(channels.rasa_url, {})
    widget.say("hello")
    widget.turn()
    send_as_bot(channels.rasa_url, channels.env, widget.session_id, SECRET_TEXT)
    assert widget.next()["text"] == SECRET_TEXT
    yield widget
    widget.close()


def test_a_socket_without_a_session_reads_nothing(channels: Channels, victim: Widget) -> None:
    client = socketio.Client(reconnection=False)
    client.connect(channels.rasa_url, socketio_path="/socket.io", transports=["polling"])
    try:
        for request in ({"after": 0}, {"after": 0, "session_id": victim.session_id}):
            answer = client.call("missed_messages", request, timeout=REPLY_TIMEOUT)
            assert answer == {"error": "send session_request first"}
    finally:
        threading.Thread(target=client.disconnect, daemon=True).start()


@pytest.mark.parametrize(
    "request_of",
    [
        lambda victim: {"session_id": victim.session_id},
        lambda victim: {"session_secret": victim.session_id},
        lambda victim: {"session_secret": victim.session_id.removeprefix("socketio:")},
        lambda victim: {"session_secret": victim.session_id.removeprefix("socketio:") * 2},
    ],
    ids=["as-session-id", "as-secret", "bare-hash-as-secret", "hash-padded-to-a-secret"],
)
def test_knowing_a_conversation_id_reads_none_of_its_messages(
    channels: Channels, victim: Widget, request_of: object
) -> None:
    attacker = Widget(channels.rasa_url, request_of(victim))  # type: ignore[operator]
    try:
        assert attacker.session_id != victim.session_id
        assert attacker.missed(0) == []
        answer = attacker.call(
            "missed_messages", {"after": 0, "session_id": victim.session_id}
        )  # a conversation named in the request is not read either
        assert answer == {"messages": []}
    finally:
        attacker.close()
    assert SECRET_TEXT in [m["text"] for m in victim.missed(0)]  # the owner still can


@pytest.mark.parametrize(
    "data",
    [
        None,
        "0",
        [0],
        {"after": "0"},
        {"after": -1},
        {"after": 2**31},
        {"after": 10**90},  # longer numbers: python-socketio drops the packet itself
        {"after": True},
        {"after": 0.5},
        {"after": None},
        {"after": {"$gt": 0}},
        {"after": "0 OR 1=1"},
    ],
    ids=repr,
)
def test_a_malformed_request_gets_a_clear_error(victim: Widget, data: object) -> None:
    answer = victim.call("missed_messages", data)
    assert answer == {"error": "after: a message id from 0 to 2147483647"}
    assert SECRET_TEXT in [m["text"] for m in victim.missed(0)]  # and the next one works
