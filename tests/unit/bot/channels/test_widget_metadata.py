"""What of a widget message's metadata reaches the assistant: the page's language,
the language picked in the menu and the customer's time zone, each a short string."""

from __future__ import annotations

from bot.channels.limits import allowed_metadata
from bot.channels.widget_state import support_hours
from bot.config.policy import get_policy
from tests.support.services import NOW


def test_the_widgets_keys_pass_and_nothing_else() -> None:
    sent = {
        "language": "fr",
        "chosen_language": "fr",
        "timezone": "America/Argentina/ComodRivadavia",  # the longest IANA name
        "session_id": "socketio:someone-else",
        "blob": "x" * 10_000,
    }
    assert allowed_metadata(sent) == {
        "language": "fr",
        "chosen_language": "fr",
        "timezone": "America/Argentina/ComodRivadavia",
    }


def test_long_or_non_text_values_are_dropped() -> None:
    sent = {"timezone": "Europe/" + "x" * 100, "chosen_language": ["fr"], "language": 3}
    assert allowed_metadata(sent) == {}


def test_the_hours_sent_to_the_widget_are_each_teams_periods_in_utc() -> None:
    hours = support_hours(NOW)
    assert set(hours) == {"it", "fr", "en"}
    for language, periods in hours.items():
        expected = get_policy().support_hours[language].openings(NOW)
        assert periods == [
            [opens.isoformat() + "Z", closes.isoformat() + "Z"] for opens, closes in expected
        ]
