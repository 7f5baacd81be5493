"""Attacks through the metadata the widget sends with each message (the menu's
`chosen_language`, the customer's `timezone`), against one real Rasa server
(tests/channels/conftest.py): junk never switches a conversation's language, a time
zone that is no IANA name is never opened as a path (the reply falls back to the
team's time), and the server answers the next message as usual.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.config.policy import load_policy
from bot.services.handoff.back_at import team_back_sentence
from bot.services.runtime import utcnow
from tests.channels import conftest as channel_servers
from tests.channels.conftest import Channels
from tests.support.environment import ROOT
from tests.support.replies import identify
from tests.support.widget_client import WidgetClient as Widget

pytestmark = pytest.mark.slow
channels = channel_servers.channels  # the fixture: one Rasa server with every channel on

JUNK_LANGUAGES = ["de", "../fr", "fr" * 40, ["fr"], {"$ne": "en"}, 1, None, "fr\u0000en"]
JUNK_ZONES = ["../../../../etc/passwd", "Europe/Rome\u0000x", "x" * 5000, {"zone": "Europe/Rome"}]


@pytest.fixture
def widget(channels: Channels) -> Iterator[Widget]:
    opened = Widget(channels.rasa_url, {}, language="en")
    yield opened
    opened.close()


def test_a_junk_language_pick_never_switches_the_conversation(widget: Widget) -> None:
    widget.say("hello")
    assert identify(widget.next()["text"]) == ("utter_greet", "en")
    for junk in JUNK_LANGUAGES:
        widget.say("hello there", metadata={"language": "en", "chosen_language": junk})
        assert identify(widget.next()["text"]) == ("utter_greet", "en"), junk


@pytest.mark.parametrize("junk", JUNK_ZONES, ids=["path", "nul", "long", "object"])
def test_a_time_zone_that_is_no_zone_gives_the_teams_time(widget: Widget, junk: object) -> None:
    hours = load_policy(ROOT / "bot" / "policy.yml").support_hours["en"]
    widget.say("I want to talk to a person", metadata={"language": "en"})
    widget.turn()
    now = utcnow()
    widget.say("/talk_to_human", metadata={"language": "en", "timezone": junk})
    texts = [message.get("text", "") for message in widget.turn()]
    if hours.is_open(now):  # in hours: queued, nothing to say about when the team is back
        assert identify(texts[-1]) == ("utter_handoff_queued", "en"), texts
        return
    assert texts[-1] == team_back_sentence(hours, now, "en"), (junk, texts)
    assert texts[-1].endswith("(London time)."), texts
