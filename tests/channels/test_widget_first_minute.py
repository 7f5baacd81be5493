"""What the widget channel tells a customer besides replies, over a real socket.io
connection to a real Rasa server: the teams' hours on session_confirm, the language
picked in the menu answering from the next message, the language of each reply,
the place in the queue pushed live (and to nobody else), and after hours when the
team is back."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.config.policy import load_policy
from bot.services.handoff import tickets as handoff
from bot.services.handoff.back_at import team_back_sentence
from bot.services.runtime import utcnow
from tests.channels.conftest import Channels
from tests.support.desk_client import open_widget_ticket, ticket_id
from tests.support.environment import ROOT
from tests.support.replies import identify
from tests.support.widget_client import WidgetClient as Widget

pytestmark = pytest.mark.slow

PUSH_TIMEOUT = 15.0  # the server looks every 2 s; a busy machine may take longer
POLICY = load_policy(ROOT / "bot" / "policy.yml")  # what the channels' server reads


@pytest.fixture
def widgets(channels: Channels) -> Iterator[list[Widget]]:
    opened: list[Widget] = []
    yield opened
    for widget in opened:
        widget.close()


def opened(
    widgets: list[Widget], channels: Channels, request: dict | None = None, language: str = "en"
) -> Widget:
    widget = Widget(channels.rasa_url, request or {}, language=language)
    widgets.append(widget)
    return widget


def change_ticket(channels: Channels, ticket_id: int, how: str) -> None:
    """Claim or close a ticket as the desk would, straight in the servers' database."""
    engine = sa.create_engine(channels.env["DATABASE_URL"], future=True)
    try:
        with Session(engine) as session:
            handoff.claim(session, ticket_id, "marie", utcnow())
            if how == "close":
                handoff.close(session, ticket_id, "marie", "", utcnow())
    finally:
        engine.dispose()


def test_session_confirm_carries_each_teams_opening_periods(
    channels: Channels, widgets: list[Widget]
) -> None:
    hours = opened(widgets, channels).confirmation["support_hours"]
    assert set(hours) == {"it", "fr", "en"}
    now = utcnow()
    for language, periods in hours.items():
        assert periods, f"{language}: no opening in the next 7 days"
        expected = POLICY.support_hours[language].openings(now)
        read = [
            tuple(datetime.fromisoformat(moment.removesuffix("Z")) for moment in period)
            for period in periods
        ]
        assert read == expected
        assert all(moment.endswith("Z") for period in periods for moment in period)


def test_the_language_picked_in_the_menu_answers_the_next_message(
    channels: Channels, widgets: list[Widget]
) -> None:
    widget = opened(widgets, channels, language="en")
    widget.say("hello")
    greeting = widget.next()
    assert identify(greeting["text"]) == ("utter_greet", "en")
    assert greeting["lang"] == "en"
    # the customer picks Français, then writes English: the answer is French
    widget.say("hello there", metadata={"language": "fr", "chosen_language": "fr"})
    reply = widget.next()
    assert identify(reply["text"]) == ("utter_greet", "fr")
    assert reply["lang"] == "fr"
    # from then on the usual rules: a short English word keeps the conversation French
    widget.say("hello", metadata={"language": "fr"})
    again = widget.next()
    assert identify(again["text"]) == ("utter_greet", "fr") and again["lang"] == "fr"


def test_the_place_in_the_queue_is_pushed_live_and_to_nobody_else(
    channels: Channels, widgets: list[Widget]
) -> None:
    ahead, mine, other = (opened(widgets, channels) for _ in range(3))
    for widget in (ahead, mine, other):  # on joining: not waiting
        assert widget.next_waiting(PUSH_TIMEOUT) == {"position": 0, "minutes": 0, "in_hours": True}
    in_hours = POLICY.support_hours["it"].is_open(utcnow())
    open_widget_ticket(channels.env, ahead.session_id)
    open_widget_ticket(channels.env, mine.session_id)
    first = ahead.next_waiting(PUSH_TIMEOUT)["position"]  # 1 unless others still wait
    assert first >= 1
    state = mine.next_waiting(PUSH_TIMEOUT)
    assert state["position"] == first + 1 and state["in_hours"] is in_hours
    per_customer = POLICY.queue_minutes_per_customer  # no closed Italian tickets here yet
    assert state["minutes"] == ((first + 1) * per_customer if in_hours else 0)

    # a reload while waiting: the place at once, on the new socket
    reloaded = opened(widgets, channels, {"session_secret": mine.secret})
    assert reloaded.next_waiting(PUSH_TIMEOUT)["position"] == first + 1

    # the one ahead is taken: everyone behind moves up, without asking
    change_ticket(channels, ticket_id(channels.env, ahead.session_id), "claim")
    assert ahead.next_waiting(PUSH_TIMEOUT)["position"] == 0
    assert mine.next_waiting(PUSH_TIMEOUT)["position"] == first
    assert reloaded.next_waiting(PUSH_TIMEOUT)["position"] == first

    change_ticket(channels, ticket_id(channels.env, mine.session_id), "close")
    assert mine.next_waiting(PUSH_TIMEOUT)["position"] == 0
    # nothing changed for the conversation without a ticket, and nothing of others reached it
    with pytest.raises(queue.Empty):
        other.next_waiting(3.0)


def test_after_hours_the_reply_says_when_the_team_is_back(
    channels: Channels, widgets: list[Widget]
) -> None:
    """Whatever the hour the test runs at: in hours the customer is queued; out of them
    the reply says when the Italian team opens, in the time zone the widget sent."""
    widget = opened(widgets, channels, language="it")
    zone = "America/New_York"
    metadata = {"language": "it", "timezone": zone}
    widget.say("vorrei parlare con una persona", metadata=metadata)
    widget.turn()
    now = utcnow()
    widget.say("/talk_to_human", metadata=metadata)
    texts = [message.get("text", "") for message in widget.turn()]
    names = [found[0] for found in map(identify, texts) if found]
    hours = POLICY.support_hours["it"]
    if hours.is_open(now) and hours.is_open(now + timedelta(minutes=1)):
        assert "utter_handoff_queued" in names, texts
        return
    assert names[-1] == "utter_handoff_after_hours", texts
    assert texts[-1] == team_back_sentence(hours, now, "it", zone), texts
    assert texts[-1].endswith("(ora locale).")
