"""`python -m bot` commands that a newcomer uses in the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from bot.config.settings import PROJECT_ROOT
from bot.db.migrate import upgrade
from bot.db.models import Agent
from bot.db.session import make_engine
from bot.services.mail.queue import Mail, MailQueue


def _outbox_with_a_code(tmp_path: Path) -> str:
    """A database whose demo outbox holds one mail with a code (and one with nobody to mail)."""
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    with sessionmaker(make_engine(url), future=True)() as session:
        now = datetime(2026, 11, 22, 10, 0)
        mail = Mail("anna@example.com", "Your code", "Your code is 123456")
        MailQueue(kept_in_outbox=True).add(session, mail, now, now + timedelta(minutes=10))
        MailQueue(kept_in_outbox=True).add(session, None, now, now)  # nobody to mail: not shown
        session.commit()
    return url


def test_outbox_command_shows_mails(tmp_path: Path) -> None:
    url = _outbox_with_a_code(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "outbox"],
        cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": url, "DEMO": "true"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "to anna@example.com: Your code" in result.stdout
    assert "Your code is 123456" in result.stdout


def _bot(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_outside_demo_mode_the_outbox_command_shows_nothing(tmp_path: Path) -> None:
    url = _outbox_with_a_code(tmp_path)
    result = _bot("outbox", DATABASE_URL=url, DEMO="false")
    assert result.returncode == 2
    assert "123456" not in result.stdout + result.stderr
    assert "demo mode" in result.stderr


def test_seed_demo_creates_the_demo_agent_only_in_demo_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    agents = sa.select(sa.func.count()).select_from(Agent).where(Agent.username == "demo")
    assert _bot("seed-demo", DATABASE_URL=url, DEMO="false").returncode == 0
    with make_engine(url).connect() as connection:
        assert connection.scalar(agents) == 0
    assert _bot("seed-demo", DATABASE_URL=url, DEMO="true").returncode == 0
    with make_engine(url).connect() as connection:
        assert connection.scalar(agents) == 1


def test_insights_refresh_reads_the_tracker_events_once(tmp_path: Path) -> None:
    from rasa.core.tracker_store import SQLTrackerStore

    accounts, tracker = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 't.db'}"
    upgrade(accounts)
    engine = make_engine(tracker)
    SQLTrackerStore.Base.metadata.create_all(engine)
    with engine.begin() as connection:
        for name in ("action_session_start", "action_listen"):
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, action_name, data) "
                    "VALUES ('rest:a', 'action', 1764400000, :name, :data)"
                ),
                {"name": name, "data": f'{{"event": "action", "name": "{name}"}}'},
            )
    engine.dispose()
    settings = {"DATABASE_URL": accounts, "TRACKER_STORE_URL": tracker}
    assert "read 2 tracker event(s)" in _bot("insights-refresh", **settings).stdout
    assert "read 0 tracker event(s)" in _bot("insights-refresh", **settings).stdout
