"""Limits on agent-desk sign-in: failed attempts per username and per client address.

Failures are audit rows (keyed hashes of "desk-agent:<name>" and
"desk-client:<address>", nothing readable), so the count survives desk restarts and
is shared by several desk processes on one database. At the limit every attempt is
refused, the right password too, and an unknown name is treated like a known one.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.policy import Policy
from bot.services import audit

SIGNIN_FAILED = "desk_signin_failed"


def _subjects(username: str, address: str) -> tuple[str, str]:
    return f"desk-agent:{username}", f"desk-client:{address}"


def _limits(policy: Policy) -> tuple[int, int]:
    return policy.desk_signin_failures_per_username, policy.desk_signin_failures_per_address


def retry_after(
    session: Session, policy: Policy, username: str, address: str, now: datetime
) -> timedelta | None:
    """How long until an attempt is allowed again, or None when it is allowed now."""
    window = timedelta(minutes=policy.desk_signin_window_minutes)
    waits = []
    for subject, limit in zip(_subjects(username, address), _limits(policy), strict=True):
        failures = audit.times_since(session, SIGNIN_FAILED, now - window, now, subject=subject)
        if len(failures) >= limit:
            # allowed again once enough of the oldest failures have left the window
            waits.append(failures[len(failures) - limit] + window - now)
    return max(waits) if waits else None


def record_failure(session: Session, username: str, address: str, now: datetime) -> None:
    """Count a failed attempt against the name and the address (caller commits)."""
    for subject in _subjects(username, address):
        audit.record(session, SIGNIN_FAILED, None, subject, now=now)


def minutes(wait: timedelta) -> int:
    """A wait as whole minutes for people, rounded up (at least 1)."""
    return max(1, math.ceil(wait.total_seconds() / 60))
