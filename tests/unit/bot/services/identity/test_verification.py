"""One-time codes against real databases (SQLite file and PostgreSQL): codes only to
the registered email, hashed at rest, limited tries and lifetime, and nothing that
tells an unknown identifier from a known one."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Account, AuditEntry, OutboxMail, VerificationChallenge
from bot.services.identity.verification import (
    VerificationResult,
    VerificationStatus,
    check_code,
    code_matches,
    is_verified,
    start_verification,
)
from bot.services.mail.queue import OUTBOX, MailQueue
from bot.services.mail.templates import VERIFICATION_CODE
from bot.services.privacy import audit
from bot.services.privacy.redaction import conversation_key, mask_email, subject_key
from tests.support.services import NOW, POLICY, dump

SECOND = timedelta(seconds=1)


# --- real databases --------------------------------------------------------------


@pytest.fixture
def mailer() -> MailQueue:
    return MailQueue(kept_in_outbox=True)


def outbox(session: Session) -> list[OutboxMail]:
    """The mails delivered (demo backend: kept in the table)."""
    return list(
        session.scalars(
            select(OutboxMail).where(OutboxMail.status == OUTBOX).order_by(OutboxMail.id)
        )
    )


def code_in(mail: OutboxMail) -> str:
    found = re.findall(rf"\b\d{{{POLICY.otp_length}}}\b", mail.body)
    assert len(found) == 1, mail.body
    return found[0]


def account_id(session: Session, public_id: str) -> int:
    return session.scalars(select(Account.id).where(Account.public_id == public_id)).one()


def start(session: Session, mailer: MailQueue, conversation: str, identifier: str) -> None:
    result = start_verification(session, mailer, conversation, identifier, "en", NOW, policy=POLICY)
    assert result is None  # nothing to tell known from unknown


def check(session: Session, conversation: str, code: str, at: datetime = NOW) -> VerificationResult:
    return check_code(session, conversation, code, at, policy=POLICY)


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 10**POLICY.otp_length:0{POLICY.otp_length}d}"


def challenges(session: Session, conversation: str) -> list[VerificationChallenge]:
    return list(
        session.scalars(
            select(VerificationChallenge).where(
                VerificationChallenge.conversation_key == conversation_key(conversation)
            )
        )
    )


# --- who gets the code -----------------------------------------------------------


def test_known_and_unknown_identifiers_look_the_same(session: Session, mailer: MailQueue) -> None:
    start(session, mailer, "conv-known", "active@example.com")
    start(session, mailer, "conv-unknown", "nobody@example.com")

    known, unknown = challenges(session, "conv-known"), challenges(session, "conv-unknown")
    assert len(known) == len(unknown) == 1
    assert known[0].account_id == account_id(session, "AC-100001")
    assert unknown[0].account_id is None
    for row in (known[0], unknown[0]):
        assert row.code_hash.startswith("scrypt$")
        assert row.expires_at == NOW + timedelta(minutes=POLICY.otp_ttl_minutes)
        assert row.attempts == 0
    assert [m.to_address for m in outbox(session)] == ["active@example.com"]


@pytest.mark.parametrize(
    "identifier",
    [
        "USERNAME.LOGIN@EXAMPLE.COM",
        "  username.login@example.com ",
        "marco_demo",
        "MARCO_DEMO",
        "AC-100009",
        "ac100009",
        "AC 100009",
    ],
)
def test_code_goes_only_to_the_registered_email(
    session: Session, mailer: MailQueue, identifier: str
) -> None:
    start(session, mailer, "conv-1", identifier)

    [mail] = outbox(session)
    assert mail.to_address == "username.login@example.com"
    result = check(session, "conv-1", code_in(mail))
    assert result.status is VerificationStatus.VERIFIED
    assert result.account_id == account_id(session, "AC-100009")


@pytest.mark.parametrize(
    "typed", ["teammate.admin@example.com", "mario.rossi@libero.it", "AC-999999", "nobody_here"]
)
def test_an_identifier_that_is_not_a_registered_account_receives_nothing(
    session: Session, mailer: MailQueue, typed: str
) -> None:
    # teammate.admin@ is a billing contact of AC-100011, not a registered email
    start(session, mailer, "conv-1", typed)

    assert outbox(session) == []
    [row] = challenges(session, "conv-1")
    assert row.account_id is None


# --- codes at rest ----------------------------------------------------------------


def test_codes_are_random_digits_stored_only_as_salted_hashes(
    session: Session, mailer: MailQueue
) -> None:
    start(session, mailer, "conv-a", "monthly@example.com")
    start(session, mailer, "conv-b", "monthly@example.com")
    codes = [code_in(mail) for mail in outbox(session)]
    rows = challenges(session, "conv-a") + challenges(session, "conv-b")

    assert all(len(code) == POLICY.otp_length and code.isdigit() for code in codes)
    salts = {row.code_hash.split("$")[4] for row in rows}
    assert len(salts) == 2  # per-row salt
    for code, row in zip(codes, rows, strict=True):
        assert code_matches(code, row.code_hash)
    stored = dump(session, VerificationChallenge, AuditEntry)
    for code in codes:
        assert code not in stored


# --- checking codes ---------------------------------------------------------------


def test_wrong_codes_lock_the_challenge_and_then_refuse_the_right_code(
    session: Session, mailer: MailQueue
) -> None:
    start(session, mailer, "conv-1", "active@example.com")
    code = code_in(outbox(session)[0])

    for left in range(POLICY.otp_max_attempts - 1, 0, -1):
        assert check(session, "conv-1", wrong_code(code)) == VerificationResult(
            VerificationStatus.WRONG, attempts_left=left
        )
    assert check(session, "conv-1", wrong_code(code)).status is VerificationStatus.LOCKED
    refused = check(session, "conv-1", code)
    assert refused == VerificationResult(VerificationStatus.LOCKED)
    assert refused.account_id is None
    [row] = challenges(session, "conv-1")
    assert row.locked_at == NOW and row.verified_at is None
    assert not is_verified(session, "conv-1", account_id(session, "AC-100001"), NOW)


def test_an_unmatched_challenge_answers_exactly_like_a_real_one(
    session: Session, mailer: MailQueue
) -> None:
    start(session, mailer, "conv-known", "active@example.com")
    start(session, mailer, "conv-unknown", "nobody@example.com")
    guess = wrong_code(code_in(outbox(session)[0]))

    for _ in range(POLICY.otp_max_attempts + 1):
        assert check(session, "conv-known", guess) == check(session, "conv-unknown", guess)
    [known], [unknown] = challenges(session, "conv-known"), challenges(session, "conv-unknown")
    assert (known.attempts, known.locked_at) == (unknown.attempts, unknown.locked_at)


def test_a_code_expires_after_otp_ttl_minutes(session: Session, mailer: MailQueue) -> None:
    ttl = timedelta(minutes=POLICY.otp_ttl_minutes)
    start(session, mailer, "conv-late", "active@example.com")
    start(session, mailer, "conv-just-in-time", "active@example.com")
    late, just_in_time = (code_in(mail) for mail in outbox(session))

    assert check(session, "conv-late", late, NOW + ttl).status is VerificationStatus.EXPIRED
    in_time = check(session, "conv-just-in-time", just_in_time, NOW + ttl - SECOND)
    assert in_time.status is VerificationStatus.VERIFIED


def test_a_code_works_once_and_needs_a_challenge(session: Session, mailer: MailQueue) -> None:
    assert check(session, "conv-1", "123456").status is VerificationStatus.NO_CHALLENGE
    start(session, mailer, "conv-1", "active@example.com")
    code = code_in(outbox(session)[0])
    spaced = f"{code[:3]} {code[3:]}"  # people type "123 456"

    assert check(session, "conv-1", spaced).status is VerificationStatus.VERIFIED
    assert check(session, "conv-1", code).status is VerificationStatus.NO_CHALLENGE
    assert check(session, "conv-2", code).status is VerificationStatus.NO_CHALLENGE


def test_a_new_challenge_replaces_the_previous_code(session: Session, mailer: MailQueue) -> None:
    start(session, mailer, "conv-1", "active@example.com")
    start(session, mailer, "conv-1", "active@example.com")
    first, second = (code_in(mail) for mail in outbox(session))
    if first == second:
        pytest.skip("two random codes happened to be equal")

    assert check(session, "conv-1", first).status is VerificationStatus.WRONG
    assert check(session, "conv-1", second).status is VerificationStatus.VERIFIED


def test_is_verified_needs_the_same_conversation_account_and_a_recent_check(
    session: Session, mailer: MailQueue
) -> None:
    active, other = account_id(session, "AC-100001"), account_id(session, "AC-100012")
    assert not is_verified(session, "conv-1", active, NOW)
    start(session, mailer, "conv-1", "active@example.com")
    assert not is_verified(session, "conv-1", active, NOW)  # started is not verified
    check(session, "conv-1", code_in(outbox(session)[0]))

    assert is_verified(session, "conv-1", active, NOW)
    assert is_verified(session, "conv-1", active, NOW + timedelta(minutes=59))
    assert not is_verified(session, "conv-2", active, NOW)
    assert not is_verified(session, "conv-1", other, NOW)
    assert not is_verified(session, "conv-1", active, NOW + timedelta(hours=1))


def test_policy_values_are_read_not_hard_coded(session: Session, mailer: MailQueue) -> None:
    policy = dataclasses.replace(POLICY, otp_length=8, otp_ttl_minutes=2, otp_max_attempts=5)
    start_verification(session, mailer, "conv-1", "active@example.com", "en", NOW, policy=policy)
    [mail] = outbox(session)
    [code] = re.findall(r"\b\d{8}\b", mail.body)
    assert "2 minutes" in mail.body

    wrong = "0" * 8 if code != "0" * 8 else "1" * 8
    for left in range(4, 0, -1):
        result = check_code(session, "conv-1", wrong, NOW, policy=policy)
        assert result == VerificationResult(VerificationStatus.WRONG, attempts_left=left)
    late = check_code(session, "conv-1", code, NOW + timedelta(minutes=2), policy=policy)
    assert late.status is VerificationStatus.EXPIRED


# --- mail language and failures ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"), [("it", "it"), ("fr", "fr"), ("en", "en"), ("de", "it"), (None, "it")]
)
def test_the_mail_is_in_the_conversation_language_else_the_account_language(
    session: Session, mailer: MailQueue, language: str | None, expected: str
) -> None:
    # AC-100001 is an Italian account
    start_verification(session, mailer, "conv-1", "AC-100001", language, NOW, policy=POLICY)
    [mail] = outbox(session)
    assert mail.subject == VERIFICATION_CODE[expected].subject
    assert f"{POLICY.otp_ttl_minutes} minut" in mail.body


# --- audit and redaction ----------------------------------------------------------


def test_audit_rows_hold_no_personal_data(
    session: Session, mailer: MailQueue, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    start(session, mailer, "sender-42", "Username.Login@Example.com")
    start(session, mailer, "sender-43", "marco_demo")
    start(session, mailer, "sender-44", "nobody@libero.it")
    code = code_in(outbox(session)[0])
    check(session, "sender-42", wrong_code(code))
    check(session, "sender-42", code)

    stored = dump(session, AuditEntry, VerificationChallenge)
    for secret in (
        "username.login", "marco_demo", "nobody@libero.it", code, "sender-42", "sender-44",
    ):  # fmt: skip
        assert secret.lower() not in stored.lower()
        assert secret.lower() not in caplog.text.lower()
    rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [row.detail for row in rows] == [
        {"outcome": "sent"},
        {"outcome": "sent"},
        {"outcome": "no_account"},
        {},  # verification_code_failed: counted per account, keyed by its hash
        {"status": "wrong"},
        {"status": "verified"},
    ]
    # the same account gives the same subject key however it was typed
    assert rows[0].subject_key == rows[1].subject_key == subject_key("username.login@example.com")
    assert rows[0].conversation_key == conversation_key("sender-42")


def test_audit_refuses_an_email_in_the_detail(session: Session) -> None:
    with pytest.raises(ValueError, match="email"):
        audit.record(session, "x", "conv-1", None, {"to": "mario@libero.it"}, now=NOW)


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("mario.rossi@libero.it", "m***@libero.it"),
        ("Mario@Libero.IT", "M***@libero.it"),
        ("@libero.it", "***@libero.it"),
        ("not an email", "***"),
    ],
)
def test_mask_email(email: str, masked: str) -> None:
    assert mask_email(email) == masked


def test_keys_are_stable_normalised_hashes() -> None:
    key = subject_key("mario@libero.it")
    assert key == subject_key("  Mario@LIBERO.it ")
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert conversation_key("Sender") != conversation_key("sender")  # ids are exact


def test_keys_are_keyed_by_the_server_secret() -> None:
    """A copy of the audit table alone cannot be used to test guesses of an email."""
    import hashlib

    plain = hashlib.sha256(b"subject:mario@libero.it").hexdigest()
    assert subject_key("mario@libero.it") != plain


# --- inbox flooding ----------------------------------------------------------------


def test_starts_are_limited_per_conversation_and_look_the_same(
    session: Session, mailer: MailQueue
) -> None:
    limit = POLICY.otp_limit_per_conversation_per_hour
    for _ in range(limit + 2):
        start(session, mailer, "conv-flood", "active@example.com")
    assert len(outbox(session)) == limit  # the extra starts sent nothing
    # ...and the code of the last mail no longer opens anything: a newer, empty challenge won
    assert check(session, "conv-flood", code_in(outbox(session)[-1])).status is (
        VerificationStatus.WRONG
    )
    # an hour later the conversation may start again
    later = NOW + timedelta(hours=1, seconds=1)
    start_verification(
        session, mailer, "conv-flood", "active@example.com", "en", later, policy=POLICY
    )
    assert len(outbox(session)) == limit + 1


def test_starts_are_limited_per_account_across_conversations(
    session: Session, mailer: MailQueue
) -> None:
    limit = POLICY.otp_limit_per_account_per_hour
    for number in range(limit + 3):
        start(session, mailer, f"conv-{number}", "active@example.com")
    assert len(outbox(session)) == limit
    start(session, mailer, "conv-other-account", "monthly@example.com")
    assert len(outbox(session)) == limit + 1  # other customers are not affected


# --- wrong codes per account, across conversations --------------------------------


def guess_from_many_conversations(
    session: Session, mailer: MailQueue, identifier: str
) -> list[VerificationStatus]:
    """Senders share out wrong guesses at one account, three per conversation."""
    statuses: list[VerificationStatus] = []
    limit = POLICY.otp_failed_codes_per_account_per_hour
    conversations = -(-limit // POLICY.otp_max_attempts)  # enough to reach the limit
    at = NOW
    for n in range(conversations):
        start(session, mailer, f"guesser-{n}", identifier)
        for _ in range(POLICY.otp_max_attempts):
            at += SECOND
            result = check(session, f"guesser-{n}", "000000", at)
            statuses.append(result.status)
            if result.status is VerificationStatus.LOCKED:
                break
    return statuses


def test_wrong_codes_from_many_conversations_lock_the_account_for_everyone(
    session: Session, mailer: MailQueue
) -> None:
    # the real customer asked for a code just before the guessing started
    start(session, mailer, "customer", "active@example.com")
    customer_code = code_in(outbox(session)[-1])
    statuses = guess_from_many_conversations(session, mailer, "active@example.com")
    assert set(statuses) <= {VerificationStatus.WRONG, VerificationStatus.LOCKED}

    # the account's live code no longer works, nor does a code sent afterwards: both are
    # answered as wrong codes, so the lock tells nothing about the account
    later = NOW + 30 * SECOND
    refused = VerificationResult(VerificationStatus.WRONG, attempts_left=2)
    assert check(session, "customer", customer_code, later) == refused
    start(session, mailer, "customer-again", "active@example.com")
    fresh = code_in(outbox(session)[-1])
    assert check(session, "customer-again", fresh, later) == refused
    assert not is_verified(session, "customer", account_id(session, "AC-100001"), later)
    # an hour after the guesses, codes work again
    start_verification(
        session, mailer, "customer-later", "active@example.com", "en", NOW + HOUR_AND_A_BIT,
        policy=POLICY,
    )  # fmt: skip
    newest = code_in(outbox(session)[-1])
    assert (
        check(session, "customer-later", newest, NOW + HOUR_AND_A_BIT).status
        is VerificationStatus.VERIFIED
    )


HOUR_AND_A_BIT = timedelta(hours=1, minutes=2)


def test_an_unknown_identifier_locks_after_the_same_guesses(
    session: Session, mailer: MailQueue
) -> None:
    known = guess_from_many_conversations(session, mailer, "active@example.com")
    unknown = guess_from_many_conversations(session, mailer, "nobody@example.com")
    assert unknown == known  # the replies tell nothing about whether an account exists
    assert known[-1] is VerificationStatus.LOCKED


# --- the lock tells nothing ---------------------------------------------------------


def guesses(session: Session, mailer: MailQueue, conversation: str, identifier: str, at: datetime):
    """Three wrong codes in a new conversation that gave `identifier`: what it is told."""
    start_verification(session, mailer, conversation, identifier, "en", at, policy=POLICY)
    return [check(session, conversation, "000000", at + n * SECOND) for n in range(1, 4)]


def lock_by_guessing(session: Session, mailer: MailQueue, identifier: str) -> datetime:
    """otp_failed_codes_per_account_per_hour wrong codes at `identifier`, from several
    conversations; the time after them."""
    statuses = guess_from_many_conversations(session, mailer, identifier)
    assert len(statuses) >= POLICY.otp_failed_codes_per_account_per_hour
    return NOW + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("marco_demo", "username.login@example.com"),  # one account, two names
        ("nobody_pair", "nobody.pair@example.com"),  # no account at all
        ("monthly@example.com", "AC-100001"),  # two different accounts
    ],
)
def test_a_lock_on_one_identifier_does_not_tell_whether_another_is_the_same_account(
    session: Session, mailer: MailQueue, first: str, second: str
) -> None:
    """Issue #22: after 10 wrong codes on marco_demo, a new conversation giving
    username.login@example.com was locked at its first wrong code, an unknown pair
    was told "attempts left: 2"."""
    later = lock_by_guessing(session, mailer, first)
    told = guesses(session, mailer, f"probe-{second}", second, later)
    assert told == [
        VerificationResult(VerificationStatus.WRONG, attempts_left=2),
        VerificationResult(VerificationStatus.WRONG, attempts_left=1),
        VerificationResult(VerificationStatus.LOCKED),
    ]


def test_while_locked_the_right_code_is_answered_as_a_wrong_one(
    session: Session, mailer: MailQueue
) -> None:
    later = lock_by_guessing(session, mailer, "marco_demo")
    start_verification(session, mailer, "owner", "marco_demo", "en", later, policy=POLICY)
    right = code_in(outbox(session)[-1])
    # the account is still protected: its own code opens nothing while locked
    assert check(session, "owner", right, later) == VerificationResult(
        VerificationStatus.WRONG, attempts_left=2
    )
    assert not is_verified(session, "owner", account_id(session, "AC-100009"), later)


def test_the_guess_that_reaches_the_account_limit_is_answered_as_a_wrong_code(
    session: Session, mailer: MailQueue
) -> None:
    """The limit falls mid-conversation: the reply counts this conversation's attempts
    only, as it would for an identifier nobody guessed at."""
    limit = POLICY.otp_failed_codes_per_account_per_hour
    replies = []
    at = NOW
    for n in range(limit):
        at += SECOND
        if n % POLICY.otp_max_attempts == 0:
            start_verification(session, mailer, f"g-{n}", "marco_demo", "en", at, policy=POLICY)
        replies.append(check(session, f"g-{n - n % POLICY.otp_max_attempts}", "000000", at))
    expected = [
        VerificationResult(VerificationStatus.WRONG, attempts_left=2),
        VerificationResult(VerificationStatus.WRONG, attempts_left=1),
        VerificationResult(VerificationStatus.LOCKED),
    ] * limit
    assert replies == expected[:limit]


def test_a_conversation_started_before_the_lock_is_told_nothing_either(
    session: Session, mailer: MailQueue
) -> None:
    """A probe started on a second name before the guesses, checked after them."""
    start_verification(session, mailer, "early", "username.login@example.com", "en", NOW,
                       policy=POLICY)  # fmt: skip
    later = lock_by_guessing(session, mailer, "marco_demo")
    assert check(session, "early", "000000", later) == VerificationResult(
        VerificationStatus.WRONG, attempts_left=2
    )
