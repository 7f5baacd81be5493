"""Erasure finds an account's conversations by exact values, never by substring: two
customers whose usernames are substrings of each other and of the events' JSON keys
("marco" inside "marco_demo", "event", "text"), erased one at a time, leave the other's
conversations, tickets, audit rows and review messages as they were. SQLite and
PostgreSQL, Rasa's own events table."""

from __future__ import annotations

import asyncio
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.db.models import Account, AuditEntry, HandoffTicket, InsightReviewMessage
from bot.rasa.tracker_store import ScrubbingSQLTrackerStore
from bot.services.identity.sealing import seal
from bot.services.insights.figures import refresh
from bot.services.insights.misunderstood import label
from bot.services.insights.outcomes import Windows
from bot.services.privacy import audit
from bot.services.privacy.erasure import CONFIRM_ABOVE_CONVERSATIONS, erase_account, find_account
from bot.services.privacy.redaction import conversation_key, subject_key
from tests.support.environment import ROOT, rasa_events_table
from tests.support.services import NOW
from tests.unit.bot.services.privacy.test_retention_and_erasure import add_events, senders, unix

# account ID -> username: each a substring of another or of the events' JSON keys
USERNAMES = {"AC-100001": "marco", "AC-100009": "marco_demo", "AC-100002": "event",
             "AC-100004": "text"}  # fmt: skip


@pytest.fixture
def tracker(database_url: str) -> Iterator[Engine]:
    with rasa_events_table(database_url) as engine:
        yield engine


def said(username: str, at: float) -> tuple[str, float, dict]:
    """A fallback message naming `username` as the NLU reads it (entity), as older rows
    were stored (no link recorded)."""
    entity = {"entity": "username", "value": username, "start": 10, "end": 10 + len(username)}
    parse = {"intent": {"name": "nlu_fallback", "confidence": 0.2}, "entities": [entity],
             "text": f"username: {username}"}  # fmt: skip
    return ("user", at, {"text": f"username: {username}", "parse_data": parse})


def seed(factory: sessionmaker, tracker: Engine) -> None:
    """Per account: a conversation naming its username, a ticket, an audit row; plus a
    bystander who types every username in free text (no entity)."""
    now = unix(NOW)
    for username in USERNAMES.values():
        add_events(tracker, f"rest:{username}", said(username, now - 60),
                   ("slot", now - 59, {"name": "identifier", "value": username}))  # fmt: skip
    free_text = {"text": "marco_demo said event text, marco agreed"}
    add_events(tracker, "rest:bystander", ("user", now - 60, free_text))
    with factory() as session:
        for public_id, username in USERNAMES.items():
            session.execute(
                update(Account).where(Account.public_id == public_id).values(username=username)
            )
            account = find_account(session, None, public_id)
            session.add(HandoffTicket(
                conversation_id=f"rest:{username}", channel="rest", language="en",
                topic="general", summary="s", created_at=NOW, updated_at=NOW,
                account_id=account.id,
            ))  # fmt: skip
            audit.record(session, "code_sent", f"rest:{username}", account.email, now=NOW)
        session.commit()


def test_erasing_a_customer_leaves_the_one_whose_name_contains_theirs(
    factory: sessionmaker, tracker: Engine
) -> None:
    seed(factory, tracker)
    everyone = set(senders(tracker))
    with factory() as session:
        for public_id, gone in (("AC-100001", {"rest:marco"}),
                                ("AC-100002", {"rest:marco", "rest:event"})):  # fmt: skip
            report = erase_account(session, tracker, find_account(session, None, public_id))
            session.commit()
            assert set(senders(tracker)) == everyone - gone, str(report)
        tickets = {t.conversation_id for t in session.scalars(select(HandoffTicket))}
        assert tickets == {"rest:marco_demo", "rest:text"}
        kept = {row.conversation_key for row in session.scalars(select(AuditEntry))}
        assert kept == {conversation_key("rest:marco_demo"), conversation_key("rest:text")}


def test_the_review_messages_and_file_lines_of_the_erased_conversations_go(
    factory: sessionmaker, tracker: Engine, tmp_path: Path
) -> None:
    seed(factory, tracker)
    review_file = tmp_path / "nlu_review.yml"
    windows = Windows(quiet=timedelta(minutes=60), resolution=timedelta(hours=24))
    with factory() as session:
        with tracker.connect() as connection:
            refresh(session, connection, windows, NOW + timedelta(minutes=5))
        session.commit()
        ids = list(session.scalars(select(InsightReviewMessage.id)))
        assert len(ids) == len(USERNAMES) + 1
        label(session, ids, "greet", by="sup", now=NOW, review_file=review_file)
        session.commit()
        before = {row.text for row in session.scalars(select(InsightReviewMessage))}
        erase_account(session, tracker, find_account(session, None, "AC-100001"),
                      review_file=review_file)  # fmt: skip
        session.commit()
        after = {row.text for row in session.scalars(select(InsightReviewMessage))}
    assert before - after == {"username: marco"}
    lines = yaml.safe_load(review_file.read_text(encoding="utf-8"))
    assert sorted(entry["text"] for entry in lines) == sorted(after)
    assert review_file.read_text(encoding="utf-8").startswith("# Misunderstood")


def test_erasure_by_email_finds_the_conversations_where_it_was_masked(
    factory: sessionmaker, tracker: Engine, database_url: str
) -> None:
    """Both addresses are stored as "m***@example.com": the link the tracker store
    records (keyed hash of the address) tells them apart; the mask never does."""
    store = ScrubbingSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")),
                                     host=database_url)  # fmt: skip
    addresses = {"rest:marco-mail": "marco@example.com", "rest:mara-mail": "mara@example.com"}

    async def play(sender: str, email: str) -> None:
        tracker_ = await store.get_or_create_tracker(sender)
        entity = {"entity": "email", "value": email, "start": 12, "end": 12 + len(email)}
        parse = {"intent": {"name": "give_email", "confidence": 0.9}, "entities": [entity]}
        tracker_.update(UserUttered(f"my email is {email}", parse["intent"], [entity], parse))
        tracker_.update(ActionExecuted("action_listen"))
        await store.save(tracker_)

    for sender, email in addresses.items():
        asyncio.run(play(sender, email))
    store.engine.dispose()
    with factory() as session:
        for public_id, email in (("AC-100001", addresses["rest:marco-mail"]),
                                 ("AC-100009", addresses["rest:mara-mail"])):  # fmt: skip
            session.execute(update(Account).where(Account.public_id == public_id)
                            .values(email=email))  # fmt: skip
        session.commit()
        assert set(senders(tracker)) == set(addresses)
        report = erase_account(session, tracker, find_account(session, "Marco@Example.com", None))
        session.commit()
    assert set(senders(tracker)) == {"rest:mara-mail"}, str(report)
    assert subject_key("marco@example.com") != subject_key("mara@example.com")


def erase_cli(
    factory: sessionmaker, tracker: Engine, *args: str, stdin: int = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    env = {
        "DATABASE_URL": factory.kw["bind"].url.render_as_string(hide_password=False),
        "TRACKER_STORE_URL": tracker.url.render_as_string(hide_password=False),
        "PATH": "/usr/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "erase", *args], cwd=ROOT, env=env, stdin=stdin,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_erasing_many_conversations_asks_first_and_refuses_without_an_answer(
    factory: sessionmaker, tracker: Engine
) -> None:
    many = CONFIRM_ABOVE_CONVERSATIONS + 1
    for number in range(many):
        add_events(tracker, f"rest:many-{number}", said("marco_demo", unix(NOW)))
    add_events(tracker, "rest:other", said("someone_else", unix(NOW)))
    with factory() as session:
        session.execute(update(Account).where(Account.public_id == "AC-100001")
                        .values(username="someone_else"))  # fmt: skip
        session.commit()

    refused = erase_cli(factory, tracker, "--account", "AC-100009")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip().splitlines() == [
        f"will erase {many} conversation(s) ({many} tracker events), 0 ticket(s), 0 audit "
        "row(s), 0 misunderstood message(s): more than "
        f"{CONFIRM_ABOVE_CONVERSATIONS}, confirm at a terminal or pass --yes; nothing erased"
    ]
    assert len(senders(tracker)) == many + 1

    # at a terminal: the counts, then y/N; "n" keeps everything
    for answer, left in ((b"n\n", many + 1), (b"y\n", 1)):
        controller, terminal = pty.openpty()
        os.write(controller, answer)
        asked = erase_cli(factory, tracker, "--account", "AC-100009", stdin=terminal)
        os.close(terminal)
        os.close(controller)
        assert f"will erase {many} conversation(s)" in asked.stdout + asked.stderr
        assert len(senders(tracker)) == left, asked.stdout + asked.stderr
    assert asked.returncode == 0 and "erased 11 conversation(s)" in asked.stdout
    assert set(senders(tracker)) == {"rest:other"}


def test_yes_erases_without_asking(factory: sessionmaker, tracker: Engine) -> None:
    many = CONFIRM_ABOVE_CONVERSATIONS + 1
    for number in range(many):
        add_events(tracker, f"rest:many-{number}", said("marco_demo", unix(NOW)))
    erased = erase_cli(factory, tracker, "--account", "AC-100009", "--yes")
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.startswith(f"erased {many} conversation(s)")
    assert senders(tracker) == {}


def test_a_sealed_handoff_identifier_links_its_conversation(
    factory: sessionmaker, tracker: Engine, database_url: str
) -> None:
    """The handoff form stores the identifier sealed: the store opens it for the link."""
    store = ScrubbingSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")),
                                     host=database_url)  # fmt: skip

    async def play(sender: str, username: str) -> None:
        tracker_ = await store.get_or_create_tracker(sender)
        tracker_.update(SlotSet("handoff_identifier", seal(username, sender)))
        await store.save(tracker_)

    for sender, username in (("rest:sealed-marco", "marco"), ("rest:sealed-other", "marco_demo")):
        asyncio.run(play(sender, username))
    store.engine.dispose()
    with factory() as session:
        session.execute(update(Account).where(Account.public_id == "AC-100001")
                        .values(username="marco"))  # fmt: skip
        session.commit()
        erase_account(session, tracker, find_account(session, None, "AC-100001"))
        session.commit()
    assert set(senders(tracker)) == {"rest:sealed-other"}
