"""Retention (`python -m bot retention`) and erasure (`python -m bot erase`) on the real
account database and Rasa's tracker-store table, SQLite and PostgreSQL.

The tracker rows are written by Rasa's own SQLTrackerStore schema (our subclass), so
the commands are tested against the table Rasa really uses."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import (
    Account,
    AuditEntry,
    HandoffTicket,
    InsightConversation,
    OutboxMail,
    ResetToken,
    VerificationChallenge,
)
from bot.services.insights.figures import refresh
from bot.services.insights.outcomes import Windows
from bot.services.privacy import audit
from bot.services.privacy.erasure import erase_account, find_account
from bot.services.privacy.redaction import conversation_key
from bot.services.privacy.retention import apply_retention
from bot.services.privacy.tracker_events import EVENTS
from tests.support.environment import ROOT, rasa_events_table
from tests.support.services import KNOWLEDGE_BASE_POLICY, NOW

DAY = 86400.0


@pytest.fixture
def tracker(database_url: str) -> Iterator[Engine]:
    """Rasa's events table, beside the account tables of the test's own database."""
    with rasa_events_table(database_url) as engine:
        yield engine


def add_events(engine: Engine, sender: str, *events: tuple[str, float, dict]) -> None:
    with engine.begin() as connection:
        for type_name, at, data in events:
            connection.execute(
                EVENTS.insert().values(
                    sender_id=sender,
                    type_name=type_name,
                    timestamp=at,
                    data=json.dumps({"event": type_name, "timestamp": at, **data}),
                )
            )


def senders(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")
        ).all()
    return {sender: count for sender, count in rows}


def unix(moment: datetime) -> float:
    return (moment - datetime(1970, 1, 1)).total_seconds()


def test_retention_deletes_what_is_older_than_the_policy(
    factory: sessionmaker, tracker: Engine
) -> None:
    now = unix(NOW)
    add_events(tracker, "rest:old", ("user", now - 40 * DAY, {"text": "ciao"}))
    add_events(
        tracker,
        "socketio:long",
        ("session_started", now - 50 * DAY, {}),
        ("user", now - 50 * DAY, {"text": "first visit"}),
        ("session_started", now - 1 * DAY, {}),
        ("user", now - 1 * DAY, {"text": "back again"}),
    )
    add_events(tracker, "telegram:42", ("user", now - 2 * DAY, {"text": "recent"}))
    with factory() as session:
        account = session.scalar(select(Account).where(Account.public_id == "AC-100001"))
        old, fresh = NOW - timedelta(days=40), NOW - timedelta(days=1)
        for created in (old, fresh):
            session.add(OutboxMail(created_at=created, to_address="x@example.com", subject="s",
                                   body="b"))  # fmt: skip
            session.add(VerificationChallenge(
                conversation_key="k", account_id=account.id, code_hash="h", created_at=created,
                expires_at=created + timedelta(minutes=10),
            ))  # fmt: skip
            session.add(ResetToken(account_id=account.id, token_hash=f"t{created}",
                                   created_at=created, expires_at=created))  # fmt: skip
        session.commit()

        report = apply_retention(session, tracker, NOW, KNOWLEDGE_BASE_POLICY)
        session.commit()
        assert (report.conversations, report.events) == (1, 3)
        assert (report.outbox_mails, report.challenges, report.reset_tokens) == (1, 1, 1)
        assert "removed 1 conversation(s)" in str(report)
        for model in (OutboxMail, VerificationChallenge, ResetToken):
            assert [row.created_at for row in session.scalars(select(model))] == [fresh]
    # the idle conversation is gone; the live one keeps its current session only
    assert senders(tracker) == {"socketio:long": 2, "telegram:42": 1}


def test_erase_removes_every_conversation_and_row_that_names_the_account(
    factory: sessionmaker, tracker: Engine
) -> None:
    """Linked by a challenge (conversation hash), a reset request (audit row naming the
    email), a verified ticket, or an older event holding the account ID; a stranger's
    conversation and another account's rows stay."""
    now = unix(NOW)
    verified, reset, desk, legacy, stranger = (
        "socketio:aaa", "rest:bbb", "slack:T1:U2", "old-format-id", "telegram:999"
    )  # fmt: skip
    for sender in (verified, reset, desk, stranger):
        add_events(tracker, sender, ("user", now, {"text": "hello"}))
    add_events(tracker, legacy, ("slot", now, {"name": "verified_account", "value": "ac-100003"}))
    with factory() as session:
        account = find_account(session, "Sub.Expired@example.com", None)
        other = find_account(session, None, "ac-100001")
        assert account is not None and other is not None and account.public_id == "AC-100003"
        session.add(VerificationChallenge(
            conversation_key=conversation_key(verified), account_id=account.id, code_hash="h",
            created_at=NOW, expires_at=NOW,
        ))  # fmt: skip
        audit.record(session, "password_reset_requested", reset, account.email, now=NOW)
        audit.record(session, "password_reset_requested", stranger, other.email, now=NOW)
        for conversation, account_id in ((desk, account.id), (stranger, other.id)):
            session.add(HandoffTicket(
                conversation_id=conversation, channel="rest", language="en", topic="general",
                summary="s", created_at=NOW, updated_at=NOW, account_id=account_id,
            ))  # fmt: skip
        session.add(ResetToken(account_id=account.id, token_hash="t", created_at=NOW,
                               expires_at=NOW))  # fmt: skip
        for to in (account.email, other.email):
            session.add(OutboxMail(created_at=NOW, to_address=to, subject="s", body="b"))
        session.commit()

        report = erase_account(session, tracker, account)
        session.commit()
        assert report.conversations == 4 and report.tickets == 1 and report.outbox_mails == 1
        assert "@" not in str(report) and "AC-" not in str(report)
        assert set(senders(tracker)) == {stranger}
        assert session.scalars(select(ResetToken)).all() == []
        assert session.scalars(select(VerificationChallenge)).all() == []
        assert [t.conversation_id for t in session.scalars(select(HandoffTicket))] == [stranger]
        assert [m.to_address for m in session.scalars(select(OutboxMail))] == [other.email]
        assert len(session.scalars(select(AuditEntry)).all()) == 1


def test_insights_read_the_events_written_after_the_newest_were_erased(
    factory: sessionmaker, tracker: Engine
) -> None:
    """SQLite hands the erased newest rows' ids to the next events: the Insights reader,
    already past those ids, must still read them (bot/services/insights/figures.py)."""
    now = unix(NOW)
    windows = Windows(quiet=timedelta(minutes=60), resolution=timedelta(hours=24))

    def read_insights(session: Session) -> int:
        with tracker.connect() as connection:
            return refresh(session, connection, windows, NOW + timedelta(minutes=5))

    add_events(tracker, "telegram:999", ("user", now - 60, {"text": "hello"}))
    for sender, retention in (("rest:erased", False), ("rest:pruned", True)):
        add_events(tracker, sender, ("slot", now - 50, {"name": "verified_account",
                                                         "value": "AC-100003"}))  # fmt: skip
        with factory() as session:
            assert read_insights(session) >= 1
            if retention:  # the conversation left behind by the policy's window
                report = apply_retention(session, tracker, NOW + timedelta(days=90),
                                         KNOWLEDGE_BASE_POLICY)  # fmt: skip
            else:
                report = erase_account(session, tracker, find_account(session, None, "ac-100003"))
            session.commit()
            assert report.events >= 1
            add_events(tracker, f"{sender}-next", ("user", now - 40, {"text": "ciao"}))
            assert read_insights(session) == 1
            keys = [row.conversation_key for row in session.scalars(select(InsightConversation))]
            assert conversation_key(f"{sender}-next") in keys


def run_cli(database_url: str, tracker_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": database_url, "TRACKER_STORE_URL": tracker_url, "PATH": "/usr/bin"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_commands_print_counts_only(factory: sessionmaker, tracker: Engine) -> None:
    database_url = str(factory.kw["bind"].url.render_as_string(hide_password=False))
    tracker_url = str(tracker.url.render_as_string(hide_password=False))
    add_events(tracker, "rest:x", ("slot", unix(NOW), {"name": "verified_account",
                                                       "value": "AC-100004"}))  # fmt: skip
    erased = run_cli(database_url, tracker_url, "erase", "--email", "suspended@example.com")
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.startswith("erased 1 conversation(s)") and "@" not in erased.stdout
    unknown = run_cli(database_url, tracker_url, "erase", "--account", "AC-999999")
    assert unknown.returncode == 1 and "no account matches" in unknown.stderr
    kept = run_cli(database_url, tracker_url, "retention")
    assert kept.returncode == 0 and kept.stdout.startswith("removed 0 conversation(s)")
    with Session(factory.kw["bind"]) as session:
        assert session.scalar(select(Account).where(Account.public_id == "AC-100004"))
