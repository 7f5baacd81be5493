"""Limits on agent-desk sign-in: attempts per username and per client address.

One counter row per subject (a keyed hash of "desk-agent:<name>" or
"desk-client:<address>", nothing readable) in the account database, so the count
survives restarts and is shared by every desk process. An attempt is taken from both
counters by one conditional UPDATE each, committed before the password is checked:
however many requests arrive together, at most `limit` passwords are checked.

At the limit the subject is locked for a backoff that doubles with each lock of the
streak, up to a ceiling. Attempts refused meanwhile change nothing, so once the lock
has passed the right password gets through; a wrong one locks again. An unknown name
is counted like a known one. A streak with no attempt for a window is forgotten.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.config.policy import Policy
from bot.db.models import DeskSigninCounter as Counter
from bot.services.privacy.redaction import subject_key


@dataclass(frozen=True)
class Limits:
    per_username: int
    per_address: int
    window: timedelta  # a streak with no attempt this long is forgotten
    backoff: timedelta  # the first lock
    max_backoff: timedelta

    @classmethod
    def from_policy(cls, policy: Policy) -> Limits:
        return cls(
            policy.desk_signin_failures_per_username,
            policy.desk_signin_failures_per_address,
            timedelta(minutes=policy.desk_signin_window_minutes),
            timedelta(seconds=policy.desk_signin_backoff_seconds),
            timedelta(seconds=policy.desk_signin_backoff_max_seconds),
        )

    def lock_for(self, lockouts: int) -> timedelta:
        """The backoff of the streak's `lockouts`-th lock (1 = the first)."""
        return min(self.max_backoff, self.backoff * 2 ** min(lockouts - 1, 32))


def _subjects(username: str, address: str, limits: Limits) -> tuple[tuple[str, int], ...]:
    return (
        (subject_key(f"desk-agent:{username}"), limits.per_username),
        (subject_key(f"desk-client:{address}"), limits.per_address),
    )


def _ensure_row(session: Session, key: str, now: datetime) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(Counter)
        .values(subject_key=key, attempts=0, since=now, lockouts=0)
        .on_conflict_do_nothing(index_elements=["subject_key"])
    )


def _unlocked(now: datetime) -> object:
    return or_(Counter.locked_until.is_(None), Counter.locked_until <= now)


def _take(session: Session, key: str, limit: int, now: datetime, window: timedelta) -> bool:
    """One attempt from the subject's counter, if it is not locked nor at its limit."""
    forgotten = Counter.since <= now - window
    taken = session.execute(
        update(Counter)
        .where(Counter.subject_key == key, _unlocked(now), or_(forgotten, Counter.attempts < limit))
        .values(
            attempts=case((forgotten, 1), else_=Counter.attempts + 1),
            lockouts=case((forgotten, 0), else_=Counter.lockouts),
            since=case((forgotten, now), else_=Counter.since),
        )
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount)


def _wait(session: Session, key: str, now: datetime, limits: Limits) -> timedelta:
    until = session.scalar(select(Counter.locked_until).where(Counter.subject_key == key))
    # not locked yet: the attempts in flight are about to lock it
    return until - now if until and until > now else limits.backoff


def take_attempt(
    session: Session, policy: Policy, username: str, address: str, now: datetime
) -> timedelta | None:
    """Take an attempt for the name and the address (committed), or take none and say
    how long until one is allowed."""
    limits = Limits.from_policy(policy)
    for key, limit in _subjects(username, address, limits):
        _ensure_row(session, key, now)
        if not _take(session, key, limit, now, limits.window):
            wait = _wait(session, key, now, limits)
            session.rollback()
            return wait
    session.commit()
    return None


def record_failure(
    session: Session, policy: Policy, username: str, address: str, now: datetime
) -> None:
    """The attempt was wrong: it stays counted, and a subject at its limit is locked
    (once however many wrong attempts end together), allowing one more try after it."""
    limits = Limits.from_policy(policy)
    for key, limit in _subjects(username, address, limits):
        locked = session.execute(
            update(Counter)
            .where(Counter.subject_key == key, Counter.attempts >= limit, _unlocked(now))
            .values(attempts=limit - 1, lockouts=Counter.lockouts + 1)
            .execution_options(synchronize_session=False)
        )
        if locked.rowcount:
            lockouts = session.scalar(select(Counter.lockouts).where(Counter.subject_key == key))
            until = now + limits.lock_for(int(lockouts or 1))
            session.execute(
                update(Counter)
                .where(Counter.subject_key == key)
                .values(locked_until=until, since=until)  # forgotten a window after the lock
                .execution_options(synchronize_session=False)
            )
    session.commit()


def record_success(session: Session, policy: Policy, username: str, address: str) -> None:
    """The attempt was right: it no longer counts against the name or the address."""
    for key, _ in _subjects(username, address, Limits.from_policy(policy)):
        session.execute(
            update(Counter)
            .where(Counter.subject_key == key, Counter.attempts > 0)
            .values(attempts=Counter.attempts - 1)
            .execution_options(synchronize_session=False)
        )
    session.commit()


def minutes(wait: timedelta) -> int:
    """A wait as whole minutes for people, rounded up (at least 1)."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def seconds(wait: timedelta) -> int:
    """A wait as whole seconds for Retry-After, rounded up (at least 1)."""
    return max(1, math.ceil(wait.total_seconds()))
