"""`python -m bot` commands that a newcomer uses in the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from bot.db.migrate import upgrade
from bot.db.session import make_engine
from bot.services.mail import Mail, MailQueue
from bot.settings import PROJECT_ROOT


def test_outbox_command_shows_mails(tmp_path: Path) -> None:

    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    with sessionmaker(make_engine(url), future=True)() as session:
        now = datetime(2026, 11, 22, 10, 0)
        mail = Mail("anna@example.com", "Your code", "Your code is 123456")
        MailQueue(kept_in_outbox=True).add(session, mail, now, now + timedelta(minutes=10))
        MailQueue(kept_in_outbox=True).add(session, None, now, now)  # nobody to mail: not shown
        session.commit()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "outbox"],
        cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": url},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "to anna@example.com: Your code" in result.stdout
    assert "Your code is 123456" in result.stdout
