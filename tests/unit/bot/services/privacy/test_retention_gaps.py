"""`python -m bot retention` prunes what it used to keep for ever: closed handoff tickets
(their transcripts), the audit log and the labelled review file, each after its window
in bot/policy.yml; what is younger, and open tickets, stay. SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.db.models import AuditEntry, HandoffTicket, InsightReviewMessage, TicketStatus
from bot.services.insights.misunderstood import label
from bot.services.privacy import audit
from tests.support.environment import ROOT, rasa_events_table
from tests.support.services import POLICY


@pytest.fixture
def tracker(database_url: str) -> Iterator[Engine]:
    with rasa_events_table(database_url) as engine:
        yield engine


def ticket(conversation: str, at: datetime, closed: bool) -> HandoffTicket:
    return HandoffTicket(
        conversation_id=conversation, channel="rest", language="en", topic="general",
        summary="s", transcript=[{"from": "customer", "text": "my card was charged twice"}],
        created_at=at, updated_at=at, closed_at=at if closed else None,
        status=(TicketStatus.CLOSED if closed else TicketStatus.QUEUED).value,
    )  # fmt: skip


def test_retention_prunes_closed_tickets_the_audit_log_and_the_review_file(
    factory: sessionmaker, tracker: Engine, tmp_path: Path
) -> None:
    now = datetime.utcnow()
    old_ticket = now - timedelta(days=POLICY.ticket_retention_days + 1)
    old_audit = now - timedelta(days=POLICY.audit_retention_days + 1)
    old_label = now - timedelta(days=POLICY.review_file_retention_days + 1)
    review_file = tmp_path / "nlu_review.yml"
    with factory() as session:
        session.add_all([ticket("rest:old-closed", old_ticket, closed=True),
                         ticket("rest:old-open", old_ticket, closed=False),
                         ticket("rest:new-closed", now, closed=True)])  # fmt: skip
        for at, conversation in ((old_audit, "rest:a"), (now, "rest:b")):
            audit.record(session, "code_sent", conversation, "x@example.com", now=at)
        for at, text_ in ((old_label, "old question"), (now, "new question")):
            row = InsightReviewMessage(at=now, channel="rest", text=text_,
                                       predicted_intent="nlu_fallback", confidence=0.1)  # fmt: skip
            session.add(row)
            session.flush()
            label(session, [row.id], "greet", by="sup", now=at, review_file=review_file)
        session.commit()

    env = {
        "DATABASE_URL": factory.kw["bind"].url.render_as_string(hide_password=False),
        "TRACKER_STORE_URL": tracker.url.render_as_string(hide_password=False),
        "NLU_REVIEW_FILE": str(review_file),
        "PATH": "/usr/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "retention"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 closed ticket(s)" in done.stdout and "1 audit row(s)" in done.stdout
    with factory() as session:
        kept = {t.conversation_id for t in session.scalars(select(HandoffTicket))}
        assert kept == {"rest:old-open", "rest:new-closed"}
        assert [row.at for row in session.scalars(select(AuditEntry))] == [now]
    entries = yaml.safe_load(review_file.read_text(encoding="utf-8"))
    assert [entry["text"] for entry in entries] == ["new question"]
