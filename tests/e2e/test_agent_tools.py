"""The desk's agent tools over its HTTP API, with real Rasa, action server, desk and
database (#25): internal notes stay on the desk, canned replies are written by
supervisors and filled in per ticket, a claimed ticket moves to a colleague or back to
the queue with a notice to the customer, and an away agent is offered nothing new."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import HandoffTicket
from bot.services.handoff.notices import BACK_IN_QUEUE
from tests.support.desk_client import (
    marker,
    new_agent,
    open_widget_ticket,
    queued_rest_ticket,
    signed_in,
    ticket_quoting,
)
from tests.support.rasa_api import api_headers
from tests.support.servers import Assistant, Desk
from tests.support.widget_client import WidgetClient

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nina(assistant: Assistant, desk: Desk) -> Desk:
    return new_agent(assistant.env, desk, "nina", "Nina Rossi", "it")


@pytest.fixture(scope="module")
def paolo(assistant: Assistant, desk: Desk) -> Desk:
    return new_agent(assistant.env, desk, "paolo", "Paolo", "it")


@pytest.fixture
def customer(assistant: Assistant) -> Iterator[WidgetClient]:
    user = WidgetClient(assistant.rasa_url, language="it")
    user.say("ciao")
    user.turn()  # the greeting: the conversation exists
    yield user
    user.close()


def widget_ticket(
    assistant: Assistant, desk: Desk, agent: requests.Session, user: WidgetClient,
    first_name: str | None = None,
) -> str:  # fmt: skip
    """An Italian widget ticket for `user`: its desk URL."""
    reason = f"problema {marker()}"
    open_widget_ticket(assistant.env, user.session_id, reason, "it", first_name=first_name)
    return f"{desk.url}/api/tickets/{ticket_quoting(agent, desk, reason, 'it')['id']}"


def conversation_of(assistant: Assistant, ticket_id: int) -> str:
    """The ticket's conversation ID, as the database holds it (the desk never shows it)."""
    engine = sa.create_engine(assistant.env["DATABASE_URL"], future=True)
    try:
        with Session(engine) as session:
            return str(session.get(HandoffTicket, ticket_id).conversation_id)
    finally:
        engine.dispose()


def tracker_texts(assistant: Assistant, conversation: str) -> str:
    answer = requests.get(
        f"{assistant.rasa_url}/conversations/{quote(conversation, safe=':')}/tracker",
        headers=api_headers(assistant.env), timeout=30,
    )  # fmt: skip
    answer.raise_for_status()
    return str(answer.json()["events"])


def test_an_internal_note_stays_on_the_desk(
    assistant: Assistant, desk: Desk, nina: Desk, customer: WidgetClient
) -> None:
    agent = signed_in(nina)
    ticket_url = widget_ticket(assistant, desk, agent, customer)
    assert agent.post(f"{ticket_url}/claim", timeout=30).ok
    secret = f"NOTE-{marker()} customer sounded upset"
    added = agent.post(f"{ticket_url}/notes", json={"text": secret}, timeout=30)
    assert added.ok, added.text
    assert [(n["author"], n["text"]) for n in added.json()["notes"]] == [("Nina Rossi", secret)]
    assert agent.post(f"{ticket_url}/messages", json={"text": "Eccomi!"}, timeout=30).ok

    received = customer.turn()  # the join banner, then the agent's message
    assert [m.get("text") for m in received][-1] == "Eccomi!"
    assert secret not in str(received)
    assert secret not in str(customer.missed(0))  # what the widget fetches on return
    events = tracker_texts(assistant, customer.session_id)
    assert "Eccomi!" in events and secret not in events  # the right conversation
    shown = agent.get(ticket_url, timeout=30).json()
    assert [n["text"] for n in shown["notes"]] == [secret]
    assert secret not in str(shown["transcript"]) + shown["summary"]
    # a colleague of the team reads it
    assert secret in str(signed_in(desk).get(ticket_url, timeout=30).json()["notes"])


def test_a_note_never_reaches_a_rest_customer(assistant: Assistant, desk: Desk) -> None:
    who, ticket, agent = queued_rest_ticket(assistant, desk)
    ticket_url = f"{desk.url}/api/tickets/{ticket['id']}"
    assert agent.post(f"{ticket_url}/claim", timeout=30).ok
    secret = f"NOTE-{marker()}"
    assert agent.post(f"{ticket_url}/notes", json={"text": secret}, timeout=30).ok
    replies = assistant.send(who, "are you there?")
    assert secret not in str(replies)
    events = tracker_texts(assistant, conversation_of(assistant, ticket["id"]))
    assert "are you there?" in events and secret not in events  # the right conversation
    assert agent.post(f"{ticket_url}/handback", json={"note": "done"}, timeout=30).ok
    assert secret not in str(assistant.send(who, "thanks"))


def test_canned_replies_are_written_by_supervisors_and_filled_in_per_ticket(
    assistant: Assistant, desk: Desk, supervisor: Desk, nina: Desk, customer: WidgetClient
) -> None:
    boss, agent = signed_in(supervisor), signed_in(nina)
    title = f"Saluto {uuid.uuid4().hex[:6]}"
    refused = boss.post(
        f"{desk.url}/api/canned",
        json={"language": "it", "title": title, "text": "Ciao {nome}!"}, timeout=30,
    )  # fmt: skip
    assert refused.status_code == 400
    assert refused.json()["error"] == ("unknown variable {nome}: use {first_name} or {agent_name}")
    created = boss.post(
        f"{desk.url}/api/canned",
        json={"language": "it", "title": title, "text": "Ciao {first_name}, sono {agent_name}."},
        timeout=30,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    reply_id = created.json()["id"]
    # a plain agent uses them, and may not write them
    assert (
        agent.post(
            f"{desk.url}/api/canned", json={"language": "it", "title": "x", "text": "y"}, timeout=30
        ).status_code
        == 403
    )
    assert title in str(agent.get(f"{desk.url}/api/canned", timeout=30).json())

    ticket_url = widget_ticket(assistant, desk, agent, customer, first_name="Giulia")
    filled = agent.get(f"{ticket_url}/canned", timeout=30).json()["replies"]
    assert {"id": reply_id, "title": title, "text": "Ciao Giulia, sono Nina Rossi."} in filled

    edited = boss.post(
        f"{desk.url}/api/canned/{reply_id}",
        json={"title": title, "text": "Buongiorno {first_name}!"}, timeout=30,
    )  # fmt: skip
    assert edited.ok, edited.text
    filled = agent.get(f"{ticket_url}/canned", timeout=30).json()["replies"]
    assert "Buongiorno Giulia!" in [r["text"] for r in filled]
    assert boss.post(f"{desk.url}/api/canned/{reply_id}/delete", timeout=30).ok
    assert title not in str(agent.get(f"{ticket_url}/canned", timeout=30).json())
    # nothing was sent to the customer: canned replies only fill the message box
    assert customer.nothing_received()


def test_a_ticket_goes_to_a_colleague_then_back_to_the_queue(
    assistant: Assistant, desk: Desk, nina: Desk, paolo: Desk, customer: WidgetClient
) -> None:
    first, second = signed_in(nina), signed_in(paolo)
    ticket_url = widget_ticket(assistant, desk, first, customer)
    assert first.post(f"{ticket_url}/claim", timeout=30).ok
    assert customer.replies_until("custom:{'handoff': 'agent', 'agent': 'Nina Rossi'}")
    targets = first.get(f"{ticket_url}/transfer", timeout=30).json()["agents"]
    assert {"username": paolo.agent, "name": "Paolo"} in targets
    assert nina.agent not in str(targets)

    moved = first.post(f"{ticket_url}/transfer", json={"to": paolo.agent}, timeout=30)
    assert moved.json() == {"status": "assigned", "assigned_to": paolo.agent}, moved.text
    # the customer's banner names the new person, in the widget's language
    assert customer.replies_until("custom:{'handoff': 'agent', 'agent': 'Paolo'}")
    refused = first.post(f"{ticket_url}/messages", json={"text": "ancora io"}, timeout=30)
    assert refused.status_code == 409
    assert second.post(f"{ticket_url}/messages", json={"text": "Sono Paolo"}, timeout=30).ok
    assert customer.next()["text"] == "Sono Paolo"

    back = second.post(f"{ticket_url}/transfer", json={"to": None}, timeout=30)
    assert back.json() == {"status": "queued", "assigned_to": None}, back.text
    assert customer.replies_until("custom:{'handoff': 'queued', 'agent': None}")
    row = second.get(ticket_url, timeout=30).json()
    assert (row["status"], row["assigned_to"], row["queue_position"] >= 1) == ("queued", None, True)
    assert second.post(f"{ticket_url}/messages", json={"text": "x"}, timeout=30).status_code == 409


def test_an_away_agent_is_offered_no_new_ticket(
    assistant: Assistant, desk: Desk, nina: Desk, customer: WidgetClient
) -> None:
    away = new_agent(assistant.env, desk, "zoe", "Zoe", "it")
    agent, colleague = signed_in(away), signed_in(nina)
    ticket_url = widget_ticket(assistant, desk, agent, customer)
    ticket_id = int(ticket_url.rsplit("/", 1)[1])
    try:
        assert agent.post(f"{desk.url}/api/me/status", json={"status": "away"}, timeout=30).ok
        assert agent.get(f"{desk.url}/api/me", timeout=30).json()["status"] == "away"
        listed = agent.get(f"{desk.url}/api/tickets", timeout=30).json()["tickets"]
        assert ticket_id not in [t["id"] for t in listed]
        assert not [t for t in listed if t["status"] == "queued"]
        claim = agent.post(f"{ticket_url}/claim", timeout=30)
        assert claim.status_code == 409 and "away" in claim.json()["error"]
        # a colleague cannot hand it to an away agent either
        assert colleague.post(f"{ticket_url}/claim", timeout=30).ok
        assert away.agent not in str(colleague.get(f"{ticket_url}/transfer", timeout=30).json())
        handed = colleague.post(f"{ticket_url}/transfer", json={"to": away.agent}, timeout=30)
        assert handed.status_code == 409
        assert colleague.post(f"{ticket_url}/transfer", json={"to": None}, timeout=30).ok
    finally:
        assert agent.post(f"{desk.url}/api/me/status", json={"status": "available"}, timeout=30).ok
    listed = agent.get(f"{desk.url}/api/tickets", timeout=30).json()["tickets"]
    assert ticket_id in [t["id"] for t in listed]


def test_a_closed_conversation_is_found_again(assistant: Assistant, desk: Desk, nina: Desk) -> None:
    _, ticket, agent = queued_rest_ticket(assistant, desk)
    ticket_url = f"{desk.url}/api/tickets/{ticket['id']}"
    assert agent.post(f"{ticket_url}/claim", timeout=30).ok
    assert agent.post(f"{ticket_url}/handback", json={"note": "sorted"}, timeout=30).ok
    past = f"{desk.url}/api/tickets"
    day = ticket["created_at"][:10]
    for query in (
        {"status": "closed", "ticket": str(ticket["id"])},
        {"status": "closed", "ticket": f"#{ticket['id']}", "topic": ticket["topic"]},
        {"status": "closed", "day": day},
    ):
        rows = agent.get(past, params=query, timeout=30).json()["tickets"]
        assert ticket["id"] in [row["id"] for row in rows], query
        assert all(row["status"] == "closed" for row in rows)
    shown = agent.get(ticket_url, timeout=30).json()
    assert (shown["status"], shown["resolution_note"]) == ("closed", "sorted")
    # the Italian team does not find an English conversation
    italian = signed_in(nina).get(
        past, params={"status": "closed", "ticket": ticket["id"]}, timeout=30
    )
    assert italian.json()["tickets"] == []
    for name, value in (("ticket", "abc"), ("account", "12345"), ("day", "2026-13-01")):
        answer = agent.get(past, params={"status": "closed", name: value}, timeout=30)
        assert answer.status_code == 400 and f"'{name}'" in answer.json()["error"], answer.text


def test_a_rest_customer_is_told_in_words_when_the_ticket_moves(
    assistant: Assistant, desk: Desk, supervisor: Desk
) -> None:
    """Channels without the widget's banners get text: the agent-joined line for a
    colleague, a short "back in the queue" line in the ticket's language."""
    _, ticket, agent = queued_rest_ticket(assistant, desk)
    ticket_url = f"{desk.url}/api/tickets/{ticket['id']}"
    assert agent.post(f"{ticket_url}/claim", timeout=30).ok
    moved = agent.post(f"{ticket_url}/transfer", json={"to": supervisor.agent}, timeout=30)
    assert moved.ok, moved.text
    texts = tracker_texts(assistant, conversation_of(assistant, ticket["id"]))
    assert "Sofia from our support team has joined the chat." in texts
    back = signed_in(supervisor).post(f"{ticket_url}/transfer", json={"to": None}, timeout=30)
    assert back.ok, back.text
    assert BACK_IN_QUEUE["en"] in tracker_texts(assistant, conversation_of(assistant, ticket["id"]))
