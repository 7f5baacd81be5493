"""The mail queue and its worker, against a real aiosmtpd server and real databases
(SQLite file and PostgreSQL): the reply never waits for the mail server, queued mail
survives a restart and an SMTP outage, and an unknown email costs the same database
work (and log lines) as a known one."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import AuditEntry, OutboxMail, ResetToken, VerificationChallenge
from bot.services.identity.password_reset import redeem_token, request_reset
from bot.services.identity.verification import start_verification
from bot.services.mail.queue import EXPIRED, PENDING, SENT, MailQueue, SmtpMailer
from bot.services.mail.worker import LEASE, MailWorker, retry_delay
from tests.support.servers import free_port
from tests.support.services import NOW, POLICY
from tests.unit.bot.services.mail.test_mail import Collector

SENDER = "support@example.com"
RESET_URL = "https://support.example.com/reset-password"
QUEUE = MailQueue(kept_in_outbox=False)  # MAIL_BACKEND=smtp


class SlowRelay(Collector):
    """An SMTP relay that holds every DATA command until `release` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.got_data = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        self.got_data.set()
        while not self.release.is_set():
            await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def smtp_relay(handler: Collector, port: int | None = None) -> Iterator[int]:
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def transport(port: int) -> SmtpMailer:
    return SmtpMailer("127.0.0.1", port, False, "", "", SENDER, timeout=5)


def rows(session: Session) -> list[OutboxMail]:
    session.expire_all()
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def reset(session: Session, conversation: str, email: str, at: datetime = NOW) -> None:
    request_reset(session, QUEUE, conversation, email, "en", at, RESET_URL, policy=POLICY)


# --- the reply does not wait ------------------------------------------------------


def test_the_reply_returns_before_the_smtp_server_has_answered(
    factory: sessionmaker, session: Session
) -> None:
    relay = SlowRelay()
    with smtp_relay(relay) as port:
        stop = threading.Event()
        worker = MailWorker(factory, transport(port))
        thread = threading.Thread(target=worker.run_forever, args=(stop, 0.05), daemon=True)
        thread.start()
        try:
            reset(session, "conv-1", "active@example.com", datetime.utcnow())
            start_verification(
                session, QUEUE, "conv-2", "monthly@example.com", "fr", datetime.utcnow(),
                policy=POLICY,
            )  # fmt: skip
            # both requests are answered; the relay has not said a word yet
            assert relay.got_data.wait(5), "the worker never reached the relay"
            assert relay.received == []
            relay.release.set()
            deadline = time.monotonic() + 10
            while len(relay.received) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            relay.release.set()
            stop.set()
            thread.join(10)
    assert sorted(e.rcpt_tos[0] for e in relay.received) == [
        "active@example.com",
        "monthly@example.com",
    ]
    sent = rows(session)
    assert [row.status for row in sent] == [SENT, SENT]
    # what the mails carried (link, code, full address) is gone from the database
    assert all(row.body == "" and row.to_address.endswith("***@example.com") for row in sent)


# --- restarts and outages ---------------------------------------------------------


def test_a_row_left_pending_by_a_restart_is_sent_by_the_next_worker(
    factory: sessionmaker, session: Session
) -> None:
    reset(session, "conv-1", "active@example.com")
    reset(session, "conv-2", "monthly@example.com")
    # the first worker claimed the second row, then its process died mid-send
    [_, claimed] = rows(session)
    claimed.attempts, claimed.next_try_at = 1, NOW + LEASE
    session.commit()

    collector = Collector()
    with smtp_relay(collector) as port:
        restarted = MailWorker(factory, transport(port), clock=lambda: NOW + timedelta(seconds=1))
        assert restarted.run_once() == 1  # the unclaimed row goes at once
        after_lease = MailWorker(factory, transport(port), clock=lambda: NOW + LEASE)
        assert after_lease.run_once() == 1  # the abandoned one once its lease is over
        assert after_lease.run_once() == 0  # and nothing twice

    assert [e.rcpt_tos for e in collector.received] == [
        ["active@example.com"],
        ["monthly@example.com"],
    ]
    assert [row.status for row in rows(session)] == [SENT, SENT]


def test_smtp_down_is_retried_with_backoff_and_nothing_is_lost(
    factory: sessionmaker, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    reset(session, "conv-1", "active@example.com")
    port = free_port()  # nobody listens here yet
    clock = {"now": NOW}
    worker = MailWorker(factory, transport(port), clock=lambda: clock["now"])

    for attempt in (1, 2, 3):
        assert worker.run_once() == 0
        [row] = rows(session)
        assert (row.status, row.attempts, row.last_error) == (
            PENDING, attempt, "ConnectionRefusedError",
        )  # fmt: skip
        assert row.next_try_at == clock["now"] + retry_delay(attempt)
        assert "token=" in row.body  # the link is still there to send
        assert worker.run_once() == 0  # not before its time
        clock["now"] = row.next_try_at

    collector = Collector()
    with smtp_relay(collector, port):
        assert worker.run_once() == 1
    [token] = re.findall(r"token=([\w-]+)", collector.only_message().get_content())
    assert redeem_token(session, token, clock["now"]) is not None
    assert "active@example.com" not in caplog.text and "token=" not in caplog.text


def test_a_mail_not_sent_before_its_code_expires_is_dropped(
    factory: sessionmaker, session: Session
) -> None:
    start_verification(session, QUEUE, "conv-1", "active@example.com", "en", NOW, policy=POLICY)
    late = NOW + timedelta(minutes=POLICY.otp_ttl_minutes)
    collector = Collector()
    with smtp_relay(collector) as port:
        assert MailWorker(factory, transport(port), clock=lambda: late).run_once() == 0
    assert collector.received == []
    [row] = rows(session)
    assert (row.status, row.body) == (EXPIRED, "")


# --- the same work for unknown emails ---------------------------------------------


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def table_counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in (OutboxMail, ResetToken, VerificationChallenge, AuditEntry)
    }


@pytest.mark.parametrize(
    ("known", "unknown"),
    [
        ("active@example.com", "nobody@example.com"),
        ("AC-100001", "AC-999999"),
        ("marco_demo", "nobody_demo"),
    ],
)
def test_an_unknown_identifier_runs_the_same_statements_and_writes_the_same_rows(
    factory: sessionmaker, known: str, unknown: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    engine = factory.kw["bind"]
    seen: dict[str, tuple[list[str], dict[str, int], list[str]]] = {}
    for n, identifier in enumerate((known, unknown, known, unknown)):
        caplog.clear()
        with factory() as session:
            before = table_counts(session)
        with factory() as session, recorded_statements(engine) as statements:
            start_verification(session, QUEUE, f"v-{n}", identifier, "en", NOW, policy=POLICY)
            if "@" in identifier:
                reset(session, f"r-{n}", identifier)
        with factory() as session:
            after = table_counts(session)
        written = {table: after[table] - before[table] for table in after}
        logged = [record.getMessage() for record in caplog.records]
        seen[identifier] = (statements, written, logged)

    known_statements, known_rows, known_logs = seen[known]
    unknown_statements, unknown_rows, unknown_logs = seen[unknown]
    assert unknown_statements == known_statements
    assert unknown_rows == known_rows
    assert known_rows["mail_outbox"] == (2 if "@" in known else 1)
    assert unknown_logs == known_logs  # one and the same line for whoever reads the logs
