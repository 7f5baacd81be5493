"""A widget that was away gets what it missed: every message the widget channel sends
carries its number in the conversation, and `missed_messages` on a new socket of the
same session (the secret) answers the ones after a number, in order; one real Rasa
server, the agent's message appended through Rasa's API as the desk does."""

from __future__ import annotations

import pytest

from tests.channels.conftest import Channels
from tests.support.rasa_api import send_as_bot
from tests.support.widget_client import WidgetClient as Widget

pytestmark = pytest.mark.slow


def test_messages_sent_while_the_widget_was_away_come_back_once_in_order(
    channels: Channels, widgets: list[Widget]
) -> None:
    first = Widget(channels.rasa_url, {})
    widgets.append(first)
    first.say("hello")
    greeting = first.turn()
    shown = len(greeting)
    assert [m["id"] for m in greeting] == list(range(1, shown + 1))
    first.close()  # the customer goes to another page

    away = ["Marie here: are you still there?", "I'll keep this chat open for you."]
    for text in away:
        send_as_bot(channels.rasa_url, channels.env, first.session_id, text)

    back = Widget(channels.rasa_url, {"session_secret": first.secret})
    widgets.append(back)
    assert back.session_id == first.session_id
    missed = back.missed(after=shown)
    assert [m["text"] for m in missed] == away
    assert [m["id"] for m in missed] == [shown + 1, shown + 2]
    assert back.missed(after=shown + 2) == []
    # from the start: the greeting too, so a widget with no history gets everything
    everything = back.missed(after=0)
    assert [m["id"] for m in everything] == list(range(1, shown + 3))
    assert [m["text"] for m in everything[:shown]] == [m["text"] for m in greeting]

    # and live again: the next message carries the next number
    send_as_bot(channels.rasa_url, channels.env, back.session_id, "Welcome back.")
    live = back.next()
    assert (live["id"], live["text"]) == (shown + 3, "Welcome back.")
