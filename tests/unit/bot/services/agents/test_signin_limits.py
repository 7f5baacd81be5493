"""Desk sign-in limits on SQLite and PostgreSQL: the lock at the limit, a backoff that
grows to its ceiling and is not extended by refused attempts, the streak forgotten
after a quiet window, and names and addresses counted apart."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.services.agents import signin_limits
from tests.support.services import KNOWLEDGE_BASE_POLICY as POLICY

T0 = datetime(2026, 11, 22, 9, 0)
MINUTE = timedelta(minutes=1)


def attempt(session: Session, now: datetime, name: str = "marie", address: str = "a") -> bool:
    """A wrong password at `now`: True when it was checked, False when refused."""
    if signin_limits.take_attempt(session, POLICY, name, address, now) is not None:
        return False
    signin_limits.record_failure(session, POLICY, name, address, now)
    return True


def wait(session: Session, now: datetime, name: str = "marie") -> timedelta | None:
    """How long the next attempt must wait (taking it, and giving it back, if allowed)."""
    refused = signin_limits.take_attempt(session, POLICY, name, "b", now)
    if refused is None:
        signin_limits.record_success(session, POLICY, name, "b")
    return refused


def test_the_backoff_doubles_to_its_ceiling_and_refusals_do_not_extend_it(
    session: Session,
) -> None:
    assert all(attempt(session, T0) for _ in range(POLICY.desk_signin_failures_per_username))
    assert not attempt(session, T0)
    assert wait(session, T0 + MINUTE) == 4 * MINUTE
    now = T0
    for lock in (5, 10, 20, 30, 30):  # minutes: 300 s doubling, at most 1800 s
        for refused_at in range(0, lock, 2):  # hammering while locked changes nothing
            assert not attempt(session, now + refused_at * MINUTE)
        now += lock * MINUTE
        assert attempt(session, now)  # one try once the lock has passed, wrong again
    assert wait(session, now) == 30 * MINUTE
    # the right password once the lock has passed
    assert wait(session, now + 30 * MINUTE) is None


def test_a_quiet_window_after_the_lock_forgets_the_streak(session: Session) -> None:
    for _ in range(POLICY.desk_signin_failures_per_username):
        assert attempt(session, T0)
    back = T0 + 5 * MINUTE + timedelta(minutes=POLICY.desk_signin_window_minutes)
    assert all(attempt(session, back) for _ in range(POLICY.desk_signin_failures_per_username))
    assert wait(session, back) == 5 * MINUTE  # a new streak: the first lock again


def test_names_and_addresses_are_counted_apart(session: Session) -> None:
    for n in range(POLICY.desk_signin_failures_per_address):
        assert attempt(session, T0, name=f"name-{n}", address="attacker")
    assert not attempt(session, T0, name="marie", address="attacker")
    assert signin_limits.take_attempt(session, POLICY, "marie", "colleague", T0) is None
    assert signin_limits.take_attempt(session, POLICY, "name-0", "colleague", T0) is None
