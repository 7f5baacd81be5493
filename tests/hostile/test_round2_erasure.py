"""Erasure against the running assistant (real Rasa + action servers, REST, SQLite):
an account whose username is a substring of another customer's ("marco" in
"marco_demo"), then one named like the events' JSON keys ("event"), erased with
`python -m bot erase` as an operator runs it; the other customer's conversation,
and a bystander's, stay whole."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.e2e.test_stored_conversations import names, stored_events
from tests.support.environment import ROOT
from tests.support.servers import Assistant

ERASED = "AC-100013"  # an account no other flow test uses


@pytest.fixture
def renamed(assistant: Assistant) -> Iterator[sa.Engine]:
    """The assistant's account database; the erased account's username put back after."""
    engine = sa.create_engine(assistant.env["DATABASE_URL"], future=True)
    yield engine
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE accounts SET username = NULL WHERE public_id = :p"), {"p": ERASED}
        )
    engine.dispose()


def identify_as(assistant: Assistant, who: str, identifier: str) -> None:
    assert names(assistant, who, "is my account still active?")[-1] == "utter_ask_identifier"
    assert names(assistant, who, identifier) == ["utter_code_sent", "utter_ask_otp_code"]


@pytest.mark.parametrize("username", ["marco", "event"])
def test_erasing_a_customer_leaves_the_one_whose_name_contains_theirs(
    assistant: Assistant, renamed: sa.Engine, username: str
) -> None:
    with renamed.begin() as connection:
        connection.execute(
            sa.text("UPDATE accounts SET username = :u WHERE public_id = :p"),
            {"u": username, "p": ERASED},
        )
    customer, handoff, other, bystander = (f"rest-{uuid.uuid4().hex[:10]}" for _ in range(4))
    identify_as(assistant, customer, username)
    # the handoff form keeps the identifier sealed in the tracker store
    assistant.send(handoff, "i can't log in to my account")
    assert names(assistant, handoff, "/talk_to_human")[-1] == "utter_ask_handoff_identifier"
    assert names(assistant, handoff, username) == ["utter_ask_handoff_card_last4"]
    identify_as(assistant, other, "marco_demo")
    assistant.send(bystander, f"marco_demo told me about {username} and the text event")
    kept = {who: stored_events(assistant, who) for who in (other, bystander)}
    assert all(kept.values())

    erased = subprocess.run(
        [sys.executable, "-m", "bot", "erase", "--account", ERASED, "--yes"],
        cwd=ROOT, env=assistant.env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert erased.returncode == 0, erased.stderr
    assert stored_events(assistant, customer) == stored_events(assistant, handoff) == []
    for who, events in kept.items():
        assert stored_events(assistant, who) == events, erased.stdout
    # and the other customer's conversation still goes on
    assert names(assistant, other, "hello")
