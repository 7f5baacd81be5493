"""`python -m bot` commands that a newcomer uses in the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from bot.db.migrate import upgrade
from bot.db.session import make_engine
from bot.services.mail import Mail, OutboxMailer
from bot.settings import PROJECT_ROOT


def test_outbox_command_shows_mails(tmp_path: Path) -> None:

    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    OutboxMailer(sessionmaker(make_engine(url), future=True)).send(
        Mail("anna@example.com", "Your code", "Your code is 123456")
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "outbox"],
        cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": url},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "to anna@example.com: Your code" in result.stdout
    assert "Your code is 123456" in result.stdout
