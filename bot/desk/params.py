"""The desk's numbers and dates from URLs and JSON bodies, checked in one place: a value
the database or `datetime` cannot hold is refused here with a clear message, never
turned into a 500 further down."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import Any

MAX_ID = 2**31 - 1  # row ids are INTEGER columns (32 bits in PostgreSQL)
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2999, 12, 31)
LAST_TIME = datetime(LAST_DAY.year, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp()
DAYS = f"a date from {FIRST_DAY} to {LAST_DAY}, e.g. 2026-11-22"
UNIX_TIME = "a Unix time in seconds, e.g. 1764400000.5"


def row_id(raw: str) -> int | None:
    """A row id from a URL (digits only), or None for anything no row can have."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(MAX_ID)):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def is_row_id(value: Any) -> bool:
    """A JSON value that may be a row id."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def day(raw: str) -> date | None:
    """An ISO date within the range the desk answers for, or None."""
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None
    return value if FIRST_DAY <= value <= LAST_DAY else None


def unix_time(raw: str) -> float | None:
    """A Unix time in seconds (0 up to the last day), or None."""
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 <= value <= LAST_TIME else None
