"""Which channels `python -m bot serve rasa` switches on, from credentials.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.channels.credentials import active_credentials, write_active_credentials
from bot.config.settings import CHANNEL_VARIABLES, PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "credentials.yml"
ALWAYS_ON = {"bot.channels.socketio.WidgetInput"}
REST = "bot.channels.rest.RestInput"
REST_TOKEN = {"REST_TOKEN": "t" * 32}
PLATFORMS = {
    "bot.channels.telegram.TelegramInput": "TELEGRAM_",
    "bot.channels.slack.SlackInput": "SLACK_",
    "bot.channels.facebook.FacebookInput": "FACEBOOK_",
    "bot.channels.twilio.TwilioInput": "TWILIO_",
}


def variables(prefix: str) -> dict[str, str]:
    """The required variables of a platform (the optional *_API_URL left out)."""
    return {
        name: f"value-of-{name}"
        for name in CHANNEL_VARIABLES
        if name.startswith(prefix) and not name.endswith("_API_URL")
    }


def test_with_no_channel_variable_only_socketio_is_on() -> None:
    assert set(active_credentials(TEMPLATE, {})) == ALWAYS_ON


def test_rest_is_on_outside_demo_mode_only_with_its_token() -> None:
    assert REST not in active_credentials(TEMPLATE, {"REST_TOKEN": ""})
    with_token = active_credentials(TEMPLATE, REST_TOKEN)
    assert set(with_token) == ALWAYS_ON | {REST}
    assert yaml.safe_load(with_token[REST])[REST] == {"token": "${REST_TOKEN}"}
    # demo mode: open without a token (and with one, the token is required)
    demo = active_credentials(TEMPLATE, {}, demo=True)
    assert set(demo) == ALWAYS_ON | {REST}
    assert yaml.safe_load(demo[REST])[REST] == {"token": None}
    assert set(active_credentials(TEMPLATE, REST_TOKEN, demo=True)) == ALWAYS_ON | {REST}


@pytest.mark.parametrize(("key", "prefix"), PLATFORMS.items())
def test_a_platform_is_on_only_when_all_its_variables_are_set(key: str, prefix: str) -> None:
    complete = variables(prefix)
    assert len(complete) >= 2
    assert set(active_credentials(TEMPLATE, complete)) == ALWAYS_ON | {key}
    for missing in complete:
        for unset in ({}, {missing: ""}):
            environ = {**{k: v for k, v in complete.items() if k != missing}, **unset}
            assert set(active_credentials(TEMPLATE, environ)) == ALWAYS_ON, missing


def test_optional_api_url_defaults_to_the_platform(tmp_path: Path) -> None:
    environ = variables("TWILIO_")
    default = active_credentials(TEMPLATE, environ)["bot.channels.twilio.TwilioInput"]
    assert "api_url: https://api.twilio.com\n" in default
    overridden = active_credentials(TEMPLATE, {**environ, "TWILIO_API_URL": "http://x"})
    assert "api_url: ${TWILIO_API_URL}\n" in overridden["bot.channels.twilio.TwilioInput"]


def test_written_file_keeps_placeholders_and_names_the_channels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = {**variables("SLACK_"), **variables("TELEGRAM_"), **REST_TOKEN}
    path = write_active_credentials(TEMPLATE, environ, tmp_path)

    text = path.read_text(encoding="utf-8")
    assert not any(value in text for value in environ.values())  # no secret on disk
    written = yaml.load(text, Loader=yaml.BaseLoader)  # as text: ${VAR}s stay unexpanded
    assert written["bot.channels.slack.SlackInput"]["slack_token"] == "${SLACK_BOT_TOKEN}"
    assert set(written) == ALWAYS_ON | {
        REST,
        "bot.channels.slack.SlackInput",
        "bot.channels.telegram.TelegramInput",
    }
    assert written["bot.channels.socketio.WidgetInput"]["session_persistence"] == "true"
    assert capsys.readouterr().out == "channels: rest, socketio, telegram, slack\n"
    # the same channels give the same file; other channels another one
    assert write_active_credentials(TEMPLATE, environ, tmp_path) == path
    assert write_active_credentials(TEMPLATE, {}, tmp_path) != path
