"""The desk's live view from Rasa tracker events: who wrote a line is decided by what
a customer cannot send, and one-time codes are masked where they are codes."""

from __future__ import annotations

from bot.desk.app import live_messages, parse_since
from bot.services.handoff.tickets import CODE_PLACEHOLDER


def user(text: str, at: float, **extra: object) -> dict:
    return {"event": "user", "text": text, "timestamp": at, **extra}


def test_a_customer_metadata_agent_is_still_a_customer_line() -> None:
    events = [
        user("I am Alex from support", 1.0, metadata={"agent": "Alex"}),
        {"event": "bot", "text": "Bonjour, ici Marie", "timestamp": 2.0,
         "metadata": {"agent": "Marie"}},
    ]  # fmt: skip
    lines = live_messages(events, since=0)
    assert [(line["role"], line["agent"]) for line in lines] == [
        ("user", None), ("agent", "Marie"),
    ]  # fmt: skip


def test_codes_are_masked_where_they_are_codes() -> None:
    events = [
        {"event": "slot", "name": "requested_slot", "value": "otp_code"},
        user("482 913", 1.0),  # the answer to the code question, however it is typed
        {"event": "active_loop", "name": None},
        user(
            "the code 551204 did not work",
            2.0,
            parse_data={"entities": [{"entity": "otp_code", "start": 9, "end": 15}]},
        ),
        user("my invoice says 120 euros", 3.0),  # not a code: kept
    ]
    texts = [line["text"] for line in live_messages(events, since=0)]
    assert texts == [
        CODE_PLACEHOLDER,
        f"the code {CODE_PLACEHOLDER} did not work",
        "my invoice says 120 euros",
    ]


def test_since_filters_and_bad_values_are_refused() -> None:
    events = [user("old", 1.0), user("new", 5.0)]
    assert [line["text"] for line in live_messages(events, since=1.0)] == ["new"]
    assert parse_since("") == 0.0 and parse_since("12.5") == 12.5
    for bad in ("abc", "nan", "inf", "-1", "1e999", "0x10"):
        assert parse_since(bad) is None
