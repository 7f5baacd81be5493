"""Screenshot files under UPLOAD_DIR: random names, owner-only modes, nothing else.

A name is 32 random hex digits and the format's extension, made here; a name read
back (from the database) is checked against that shape before it touches the file
system, so no row, however it was written, reaches outside the directory.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

NAME = re.compile(r"[0-9a-f]{32}\.(?:png|jpg)")
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


class BadName(ValueError):
    """Not a name this module made."""


def path_of(directory: Path, name: str) -> Path:
    if not NAME.fullmatch(name):
        raise BadName(name[:40])
    return directory / name


def write(directory: Path, data: bytes, extension: str) -> str:
    """Store `data` under a new random name (never an existing file); the name."""
    directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path_of(directory, name), flags, FILE_MODE)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
    return name


def read(directory: Path, name: str) -> bytes | None:
    try:
        return path_of(directory, name).read_bytes()
    except (BadName, FileNotFoundError):
        return None


def remove(directory: Path, names: Iterable[str]) -> int:
    """Delete these files; how many there were."""
    removed = 0
    for name in names:
        try:
            path_of(directory, name).unlink()
        except (BadName, FileNotFoundError):
            continue
        removed += 1
    return removed


def names_older_than(directory: Path, before: datetime) -> set[str]:
    """Screenshot files last written before `before` (naive UTC)."""
    if not directory.is_dir():
        return set()
    limit = before.replace(tzinfo=timezone.utc).timestamp()
    return {
        path.name
        for path in directory.iterdir()
        if NAME.fullmatch(path.name) and path.is_file() and path.stat().st_mtime < limit
    }
