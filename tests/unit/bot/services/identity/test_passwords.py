"""New account passwords from the reset page, against the real databases: salted
scrypt hashes, never the password itself, and the length rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Account, AuditEntry
from bot.services.identity.passwords import (
    HAS_EMAIL,
    MISMATCH,
    TOO_EASY,
    TOO_LONG,
    TOO_SHORT,
    PasswordRejected,
    hash_password,
    password_problem,
    set_password,
    verify_password,
)
from tests.support.services import NOW, dump

PASSWORD = "correct horse battery"


def account(session: Session, email: str = "monthly@example.com") -> Account:
    return session.scalars(select(Account).where(Account.email == email)).one()


def test_set_password_stores_a_salted_hash_that_verifies(session: Session) -> None:
    target = account(session)
    set_password(session, target.id, PASSWORD, NOW)
    session.commit()
    session.expire_all()

    stored = account(session).password_hash
    assert stored and stored.startswith("scrypt$")
    assert account(session).password_changed_at == NOW
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + " ", stored)
    assert not verify_password("Correct horse battery", stored)
    assert PASSWORD not in dump(session, Account, AuditEntry)  # nowhere in clear text
    events = session.scalars(select(AuditEntry.event)).all()
    assert "password_changed" in events
    assert "monthly@example.com" not in dump(session, AuditEntry)


def test_the_same_password_hashes_differently_each_time(session: Session) -> None:
    first, second = account(session), account(session, "active@example.com")
    set_password(session, first.id, PASSWORD, NOW)
    set_password(session, second.id, PASSWORD, NOW)
    session.commit()
    assert first.password_hash != second.password_hash  # random salt
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "reason"), [("", TOO_SHORT), ("nine char", TOO_SHORT), ("x" * 1025, TOO_LONG)]
)
def test_a_password_breaking_a_rule_is_refused_and_nothing_changes(
    session: Session, password: str, reason: str
) -> None:
    target = account(session)
    with pytest.raises(PasswordRejected) as refused:
        set_password(session, target.id, password, NOW)
    assert refused.value.reason == reason
    session.commit()
    session.expire_all()
    assert account(session).password_hash is None
    assert account(session).password_changed_at is None


def test_ten_characters_is_enough_and_unicode_counts_as_characters(session: Session) -> None:
    target = account(session)
    set_password(session, target.id, "ñàü€😀çé漢字ß", NOW)
    session.commit()
    assert verify_password("ñàü€😀çé漢字ß", account(session).password_hash)


def test_an_unknown_account_is_an_error(session: Session) -> None:
    with pytest.raises(LookupError):
        set_password(session, 999_999, PASSWORD, NOW)


def test_password_problem_checks_the_confirmation() -> None:
    assert password_problem(PASSWORD, PASSWORD) is None
    assert password_problem(PASSWORD, PASSWORD.upper()) == MISMATCH
    assert password_problem("short", "other") == TOO_SHORT  # length first, then the match


@pytest.mark.parametrize("stored", [None, "", "plain", "bcrypt$x$y", "scrypt$1$2$3$!!$!!"])
def test_verify_rejects_missing_or_malformed_hashes(stored: str | None) -> None:
    assert verify_password(PASSWORD, stored) is False


# --- easy to guess ------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaa",  # the one the reset page accepted
        "abababababab",  # repeats
        "1234567890", "abcdefghij", "9876543210",  # sequences
        "qwertyuiop", "azertyuiop", "1q2w3e4r5t", "asdfghjkl;",  # keyboard rows
        "password123", "iloveyou12", "Passw0rd!!", "motdepasse1", "ciaociao12",  # common
        "juventus1897", "bonjour2024",  # favourites plus a year
    ],
)  # fmt: skip
def test_common_and_trivial_passwords_are_refused(session: Session, password: str) -> None:
    assert password_problem(password, password) == TOO_EASY
    with pytest.raises(PasswordRejected) as refused:
        set_password(session, account(session).id, password, NOW)
    assert refused.value.reason == TOO_EASY


@pytest.mark.parametrize(
    "password",
    ["monthly@example.com", "MONTHLY@example.com!", "monthly-rainbow-42", "xMonthlyx7q!"],
)
def test_the_account_email_or_its_first_part_is_refused(session: Session, password: str) -> None:
    assert password_problem(password, email="monthly@example.com") == HAS_EMAIL
    with pytest.raises(PasswordRejected) as refused:
        set_password(session, account(session).id, password, NOW)
    assert refused.value.reason == HAS_EMAIL
    # another account's email in a password is none of this rule's business
    assert password_problem("monthly-rainbow-42", email="active@example.com") is None


@pytest.mark.parametrize(
    "password", [PASSWORD, "Tr0ub4dor&3x", "frutta e verdura al mercato", "Marie-Claire75"]
)
def test_passwords_hard_to_guess_are_accepted(password: str) -> None:
    assert password_problem(password, password, email="monthly@example.com") is None


def test_a_very_long_password_is_scored_quickly() -> None:
    import time

    started = time.perf_counter()
    assert password_problem("a" * 1024) == TOO_EASY
    password_problem("x7Q!" * 256)  # whatever the answer, it comes fast
    assert time.perf_counter() - started < 2


# --- the account's own words, and common passwords dressed up (issue #22, lows) -----


@pytest.mark.parametrize(
    ("password", "email"),
    [
        ("trialexpired2026", "trial.expired@example.com"),  # the local part without its dot
        ("Trial-Expired!77", "trial.expired@example.com"),
        ("x_deletedbyadmin_9", "deleted.by.admin@example.com"),
    ],
)
def test_the_email_first_part_without_its_punctuation_is_refused(
    session: Session, password: str, email: str
) -> None:
    assert password_problem(password, password, email=email) == HAS_EMAIL
    with pytest.raises(PasswordRejected) as refused:
        set_password(session, account(session, email).id, password, NOW)
    assert refused.value.reason == HAS_EMAIL


def test_the_account_username_is_refused(session: Session) -> None:
    target = account(session, "username.login@example.com")  # username marco_demo
    for password in ("MarcoDemo2026!", "marco_demo_1987", "xx-marco.demo-xx"):
        with pytest.raises(PasswordRejected) as refused:
            set_password(session, target.id, password, NOW)
        assert refused.value.reason == TOO_EASY, password


@pytest.mark.parametrize(
    "password", ["Summer2026!!", "Sunshine2025?", "Dragon_1987!", "Football#2024", "monkey12345!"]
)
def test_a_common_password_dressed_up_with_digits_and_symbols_is_refused(password: str) -> None:
    assert password_problem(password, password) == TOO_EASY
