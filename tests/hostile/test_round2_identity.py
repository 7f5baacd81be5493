"""Issue #22, second round, against the real servers: the code lock as an oracle of
who is whom, and card numbers and codes typed with unusual separators in a handoff.

Real Rasa server, action server, desk and helpdesk (the session's `assistant`); the
stored data are read as an operator with a copy of the databases would read them.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
import sqlalchemy as sa

from bot.services.conversation_ids import namespaced
from tests.support.desk_client import signed_in
from tests.support.helpdesk import Helpdesk
from tests.support.replies import identify
from tests.support.searchable import card_pattern, code_pattern, searchable
from tests.support.servers import Assistant, Desk

pytestmark = pytest.mark.slow

STATUS = "is my account still active?"
WRONG = "000000"


def sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def replies(assistant: Assistant, who: str, message: str) -> list[str]:
    return [r.get("text", "") for r in assistant.send(who, message)]


def names(texts: list[str]) -> list[str]:
    return [(identify(text) or ("?" + text, ""))[0] for text in texts]


def probe(assistant: Assistant, identifier: str) -> list[list[str]]:
    """A new conversation gives `identifier` and three wrong codes: every reply's text."""
    who = sender("probe")
    assert names(replies(assistant, who, STATUS))[-1] == "utter_ask_identifier"
    told = [replies(assistant, who, identifier)]
    told += [replies(assistant, who, WRONG) for _ in range(3)]
    return told


def lock(assistant: Assistant, identifier: str) -> None:
    """Ten wrong codes at `identifier` (the per-account hourly limit), three per
    conversation, as a guesser who shares them out would type them."""
    wrong = 0
    while wrong < 10:
        who = sender("guesser")
        replies(assistant, who, STATUS)
        assert "utter_ask_otp_code" in names(replies(assistant, who, identifier))
        for _ in range(3):
            said = names(replies(assistant, who, WRONG))
            wrong += 1
            if "utter_ask_otp_code" not in said:
                break


def test_the_lock_does_not_tell_whether_two_identifiers_are_one_account(
    assistant: Assistant,
) -> None:
    """Ten wrong codes at AC-100010, then its email; and the same with two identifiers
    that name no account: the probes are told word for word the same. (AC-100010 is
    no other end-to-end test's: the lock lasts the hour.)"""
    lock(assistant, "AC-100010")
    same_account = probe(assistant, "conflict@example.com")
    lock(assistant, "AC-999910")
    no_account = probe(assistant, "nobody.round2@example.com")

    assert same_account == no_account
    assert [names(turn) for turn in same_account] == [
        ["utter_code_sent", "utter_ask_otp_code"],
        ["utter_code_wrong", "utter_ask_otp_code"],
        ["utter_code_wrong", "utter_ask_otp_code"],
        ["utter_code_locked"],
    ]


NBSP = "\u00a0"
CARD = "4111111111111111"  # passes the Luhn check, as real numbers do
AMEX = "378282246310005"
FORMS = [
    ("4111.1111.1111.1111", "482.913"),
    ("4111/1111/1111/1111", "482-913"),
    ("4111_1111_1111_1111", "482 - 913"),
    ("4111  1111  1111  1111", f"482{NBSP}913"),
    (f"4111{NBSP}1111{NBSP}1111{NBSP}1111", "482-913"),
    ("4111 - 1111 - 1111 - 1111", "482.913"),
    ("3782.822463.10005", "482_913"),
]


def tracker_events(assistant: Assistant, who: str) -> str:
    engine = sa.create_engine(assistant.env["TRACKER_STORE_URL"], future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :who"),
            {"who": namespaced("rest", who)},
        ).scalars()
        stored = "\n".join(rows)
    engine.dispose()
    assert stored, "nothing stored: the search would prove nothing"
    return stored


def ticket_row(assistant: Assistant, who: str) -> tuple[int, str]:
    engine = sa.create_engine(assistant.env["DATABASE_URL"], future=True)
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT id, summary, transcript FROM handoff_tickets WHERE conversation_id = :who"
            ),
            {"who": namespaced("rest", who)},
        ).one()
    engine.dispose()
    return row.id, f"{row.summary} {row.transcript}"


def webhook_bodies(helpdesk: Helpdesk, ticket_id: int) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        bodies = [
            body.decode() for _, body, _ in helpdesk.received
            if json.loads(body)["ticket"]["id"] == ticket_id
        ]  # fmt: skip
        if bodies:
            return "\n".join(bodies)
        time.sleep(0.3)
    raise AssertionError(f"the helpdesk received no ticket {ticket_id}")


@pytest.mark.parametrize(("card", "code"), FORMS)
def test_a_card_number_and_code_with_any_separators_reach_no_store_ticket_or_webhook(
    assistant: Assistant, desk: Desk, helpdesk: Helpdesk, card: str, code: str
) -> None:
    who = sender("rest-sep")
    assert names(replies(assistant, who, "i need to talk to a human"))[-1] == (
        "utter_ask_handoff_reason"
    )
    replies(assistant, who, f"you charged my card {card} twice, and the code {code} failed")
    replies(assistant, who, f"it is {card}; the code was {code}")
    assert "utter_handoff_queued" in names(replies(assistant, who, "/talk_to_human"))

    digits = AMEX if card.startswith("3782") else CARD
    secrets = {"card number": card_pattern(digits), "code": code_pattern("482913")}
    ticket_id, ticket = ticket_row(assistant, who)
    agent = signed_in(desk)
    shown = agent.get(f"{desk.url}/api/tickets/{ticket_id}", timeout=10).json()
    live = agent.get(f"{desk.url}/api/tickets/{ticket_id}/messages", timeout=10).json()
    places = {
        "tracker store": tracker_events(assistant, who),
        "ticket row": ticket,
        "desk ticket": json.dumps(shown),
        "desk live view": json.dumps(live),
        "helpdesk webhook": webhook_bodies(helpdesk, ticket_id),
    }
    leaks = [
        f"{place}: the {name}"
        for place, text in places.items()
        for name, secret in secrets.items()
        if secret.search(searchable(text))
    ]
    assert leaks == []


def test_a_username_typed_in_the_handoff_is_stored_only_sealed(assistant: Assistant) -> None:
    """The from_text mapping sets the identifier slot to the typed text before the form
    seals it: no slot event in the store holds the plain value."""
    who = sender("rest-sealed")
    replies(assistant, who, "i need to talk to a human")
    replies(assistant, who, "my invoice of Rossi Impianti is wrong")
    replies(assistant, who, "marco_demo")
    stored = [json.loads(line) for line in tracker_events(assistant, who).splitlines()]
    slots = {
        str(event.get("value"))
        for event in stored
        if event.get("event") == "slot"
        and event.get("name") in ("handoff_reason", "handoff_identifier")
        and event.get("value") is not None
    }
    assert slots, "the form set no detail: the search would prove nothing"
    assert all(value.startswith("sealed:") for value in slots), slots
