"""Files under var/ (account DB, tracker store, secret, logs) are readable by their
owner only: every process of ours runs with umask 077, so whatever it creates is
mode 600 (directories 700), and files created earlier with wider modes are narrowed
at start-up."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy.engine.url import make_url

from bot.config.settings import VAR_DIR, Settings

PRIVATE_UMASK = 0o077


def restrict_new_files() -> None:
    """Files this process (and what it execs) creates get mode 600."""
    os.umask(PRIVATE_UMASK)


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database))


def private_files(settings: Settings) -> list[Path]:
    """The SQLite databases of the settings and every file under var/."""
    files = [sqlite_file(settings.database_url), sqlite_file(settings.tracker_store_url)]
    found = [path for path in files if path is not None and path.is_file()]
    if VAR_DIR.is_dir():
        found += [path for path in VAR_DIR.rglob("*") if path.is_file()]
    return found


def restrict_existing_files(settings: Settings) -> None:
    """Narrow files created before (by an older version, or another umask) to 600."""
    for path in private_files(settings):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(mode & 0o700)
