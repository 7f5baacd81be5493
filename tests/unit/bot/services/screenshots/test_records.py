"""Screenshot rows and files (bot/services/screenshots/records.py, files.py), on SQLite
and PostgreSQL: taken only while the ticket is with an agent, stored under random
names with owner-only modes, seen only by the ticket's agent, and deleted, files
included, by retention (closed tickets) and erasure."""

from __future__ import annotations

import os
import stat
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import HandoffTicket, TicketScreenshot, TicketStatus
from bot.services.privacy.erasure import erase_account, find_account
from bot.services.privacy.retention import apply_retention
from bot.services.screenshots import files, records
from bot.services.screenshots.images import clean_image
from tests.support.services import KNOWLEDGE_BASE_POLICY, NOW
from tests.unit.bot.services.privacy.test_erasure import tracker as erasure_tracker
from tests.unit.bot.services.screenshots.images import png

__all__ = ["erasure_tracker"]  # the fixture

CUSTOMER = "socketio:5be1"


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    """UPLOAD_DIR of the tests (the SQLite database lives next to it)."""
    return tmp_path / "uploads"


def ticket(
    session: Session, conversation: str = CUSTOMER, status: TicketStatus = TicketStatus.ASSIGNED,
    agent: str | None = "marie", language: str = "it", account_id: int | None = None,
) -> HandoffTicket:  # fmt: skip
    row = HandoffTicket(
        conversation_id=conversation, channel="socketio", language=language, topic="general",
        summary="s", status=status.value, assigned_to=agent, created_at=NOW, updated_at=NOW,
        closed_at=NOW if status is TicketStatus.CLOSED else None, account_id=account_id,
    )  # fmt: skip
    session.add(row)
    session.commit()
    return row


def attach(session: Session, directory: Path, conversation: str = CUSTOMER) -> TicketScreenshot:
    return records.attach(session, conversation, clean_image(png()), directory, NOW)


def test_a_screenshot_is_stored_for_the_ticket_with_an_agent(
    session: Session, uploads: Path
) -> None:
    live = ticket(session)
    shot = attach(session, uploads)
    assert shot.ticket_id == live.id and shot.media_type == "image/png"
    assert (shot.width, shot.height) == (64, 48)
    path = uploads / shot.file_name
    assert files.NAME.fullmatch(shot.file_name) and path.read_bytes()[:4] == b"\x89PNG"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert attach(session, uploads).file_name != shot.file_name  # random names


@pytest.mark.parametrize("status", [TicketStatus.QUEUED, TicketStatus.CLOSED])
def test_no_screenshot_without_an_agent_in_the_chat(
    session: Session, uploads: Path, status: TicketStatus
) -> None:
    ticket(session, status=status, agent=None if status is TicketStatus.QUEUED else "marie")
    with pytest.raises(records.NoLiveChat):
        attach(session, uploads)
    with pytest.raises(records.NoLiveChat):  # nor for a conversation with no ticket
        attach(session, uploads, "socketio:another")
    assert session.scalars(select(TicketScreenshot)).all() == []
    assert not uploads.exists()


def test_a_ticket_takes_at_most_max_per_ticket(session: Session, uploads: Path) -> None:
    live = ticket(session)
    for _ in range(records.MAX_PER_TICKET):
        attach(session, uploads)
    with pytest.raises(records.TooMany):
        attach(session, uploads)
    assert len(records.of_ticket(session, live.id)) == records.MAX_PER_TICKET


def test_only_the_tickets_agent_in_its_language_sees_it(session: Session) -> None:
    live = ticket(session)
    assert records.visible_ticket(session, live.id, "marie", ["it", "en"]) is not None
    assert records.visible_ticket(session, live.id, "luca", ["it", "en"]) is None
    assert records.visible_ticket(session, live.id, "marie", ["fr"]) is None
    assert records.visible_ticket(session, live.id + 1000, "marie", ["it"]) is None


@pytest.mark.parametrize(
    "name", ["../secret_key", "/etc/passwd", "..", "a" * 32 + ".png/../../x", "A" * 32 + ".png",
             "0" * 32 + ".svg", "0" * 32 + ".png\x00.html", ""],
)  # fmt: skip
def test_a_name_not_made_here_never_reaches_the_file_system(uploads: Path, name: str) -> None:
    with pytest.raises(files.BadName):
        files.path_of(uploads, name)
    assert files.read(uploads, name) is None
    assert files.remove(uploads, [name]) == 0


def _written(path: Path, days_before_now: float) -> None:
    """As if written this long before the tests' clock (NOW)."""
    at = NOW.replace(tzinfo=timezone.utc).timestamp() - days_before_now * 86400
    os.utime(path, (at, at))


def test_retention_deletes_the_screenshots_of_expired_closed_tickets_and_orphans(
    factory: sessionmaker, erasure_tracker: Engine, uploads: Path
) -> None:
    long_ago = NOW - timedelta(days=KNOWLEDGE_BASE_POLICY.ticket_retention_days + 1)
    with factory() as session:
        ticket(session, "socketio:old")
        old_shot = attach(session, uploads, "socketio:old")
        ticket(session, "socketio:open")
        open_shot = attach(session, uploads, "socketio:open")
        closed = session.scalars(
            select(HandoffTicket).where(HandoffTicket.conversation_id == "socketio:old")
        ).one()
        closed.status, closed.closed_at = TicketStatus.CLOSED.value, long_ago
        session.commit()
        orphan = files.write(uploads, b"left by a crash", "png")
        _written(uploads / orphan, 2)
        fresh_orphan = files.write(uploads, b"being uploaded", "png")
        _written(uploads / fresh_orphan, 0.01)
        report = apply_retention(
            session, erasure_tracker, NOW, KNOWLEDGE_BASE_POLICY, upload_dir=uploads
        )
        session.commit()
        assert report.screenshots == 2 and "2 screenshot(s)" in str(report)
        left = {row.file_name for row in session.scalars(select(TicketScreenshot))}
    assert left == {open_shot.file_name}
    assert {path.name for path in uploads.iterdir()} == {open_shot.file_name, fresh_orphan}
    assert not (uploads / old_shot.file_name).exists()


def test_erasure_deletes_the_accounts_ticket_screenshots_and_no_one_elses(
    factory: sessionmaker, erasure_tracker: Engine, uploads: Path
) -> None:
    with factory() as session:
        account = find_account(session, None, "AC-100001")
        assert account is not None
        ticket(session, "socketio:theirs", account_id=account.id)
        theirs = attach(session, uploads, "socketio:theirs")
        ticket(session, "socketio:someone-else")
        kept = attach(session, uploads, "socketio:someone-else")
        report = erase_account(session, erasure_tracker, account, upload_dir=uploads)
        session.commit()
        assert report.screenshots == 1 and "1 screenshot(s)" in str(report)
        assert [row.file_name for row in session.scalars(select(TicketScreenshot))] == [
            kept.file_name
        ]
    assert not (uploads / theirs.file_name).exists()
    assert (uploads / kept.file_name).exists()
