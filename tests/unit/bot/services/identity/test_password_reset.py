"""Password-reset links against real databases (SQLite file and PostgreSQL): one
answer for every email, single-use hashed tokens, per-hour limits that change
nothing the caller sees, and an audit log without personal data."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Account, AuditEntry, OutboxMail, ResetToken
from bot.ops.demo_data import DEMO_ACCOUNTS
from bot.services.identity.password_reset import (
    redeem_token,
    request_reset,
    reset_link,
    token_is_usable,
)
from bot.services.mail.queue import OUTBOX, MailQueue
from bot.services.mail.templates import PASSWORD_RESET
from tests.support.services import NOW, POLICY, dump

RESET_URL = "https://support.example.com/reset-password"
SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)
EMAILS = [demo.email for demo in DEMO_ACCOUNTS]


# --- real databases --------------------------------------------------------------


@pytest.fixture
def mailer() -> MailQueue:
    return MailQueue(kept_in_outbox=True)


def request(
    session: Session,
    mailer: MailQueue,
    conversation: str,
    email: str,
    at: datetime = NOW,
    language: str | None = "en",
) -> None:
    result = request_reset(
        session, mailer, conversation, email, language, at, RESET_URL, policy=POLICY
    )
    assert result is None  # the caller shows one confirmation, whatever happened


def outbox(session: Session) -> list[OutboxMail]:
    """The mails delivered (demo backend: kept in the table)."""
    return list(
        session.scalars(
            select(OutboxMail).where(OutboxMail.status == OUTBOX).order_by(OutboxMail.id)
        )
    )


def token_in(mail: OutboxMail) -> str:
    [token] = re.findall(rf"{re.escape(RESET_URL)}\?lang=\w\w&token=([A-Za-z0-9_-]+)", mail.body)
    return token


def tokens(session: Session) -> list[ResetToken]:
    """Tokens that can work (an unknown email's token row has no account)."""
    return list(
        session.scalars(
            select(ResetToken).where(ResetToken.account_id.is_not(None)).order_by(ResetToken.id)
        )
    )


def outcomes(session: Session) -> list[str]:
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.event == "password_reset_requested")
        .order_by(AuditEntry.id)
    )
    return [row.detail["outcome"] for row in rows]


def account_id(session: Session, email: str) -> int:
    return session.scalars(select(Account.id).where(Account.email == email)).one()


# --- one answer for every email ---------------------------------------------------


def test_known_and_unknown_emails_look_the_same(session: Session, mailer: MailQueue) -> None:
    request(session, mailer, "conv-1", "active@example.com")
    request(session, mailer, "conv-2", "nobody@example.com")

    assert [m.to_address for m in outbox(session)] == ["active@example.com"]
    assert [t.account_id for t in tokens(session)] == [account_id(session, "active@example.com")]
    assert outcomes(session) == ["sent", "no_account"]


def test_an_upper_case_email_gets_the_link_at_the_registered_address(
    session: Session, mailer: MailQueue
) -> None:
    request(session, mailer, "conv-1", "  MONTHLY@Example.COM ")
    [mail] = outbox(session)
    assert mail.to_address == "monthly@example.com"


def test_a_username_or_contact_address_is_not_a_reset_email(
    session: Session, mailer: MailQueue
) -> None:
    request(session, mailer, "conv-1", "marco_demo")
    request(session, mailer, "conv-2", "teammate.admin@example.com")
    assert outbox(session) == []
    assert outcomes(session) == ["no_account", "no_account"]


@pytest.mark.parametrize("language", ["it", "fr", "en"])
def test_the_mail_has_the_link_and_validity_in_the_language(
    session: Session, mailer: MailQueue, language: str
) -> None:
    request(session, mailer, "conv-1", "active@example.com", language=language)
    [mail] = outbox(session)
    assert mail.subject == PASSWORD_RESET[language].subject
    assert f"{POLICY.reset_token_ttl_minutes} minut" in mail.body
    assert f"{RESET_URL}?lang={language}&token={token_in(mail)}" in mail.body


# --- tokens -----------------------------------------------------------------------


def test_the_token_is_random_and_stored_only_as_its_sha256(
    session: Session, mailer: MailQueue
) -> None:
    request(session, mailer, "conv-1", "active@example.com")
    request(session, mailer, "conv-2", "active@example.com")
    first, second = (token_in(mail) for mail in outbox(session))

    assert first != second
    assert len(first) >= POLICY.reset_token_bytes * 4 // 3  # token_urlsafe(n) encodes n bytes
    [row, _] = tokens(session)
    assert row.token_hash == hashlib.sha256(first.encode()).hexdigest()
    assert row.expires_at == NOW + timedelta(minutes=POLICY.reset_token_ttl_minutes)
    stored = dump(session, ResetToken, AuditEntry)
    assert first not in stored and second not in stored


def test_a_token_works_once(session: Session, mailer: MailQueue) -> None:
    request(session, mailer, "conv-1", "active@example.com")
    token = token_in(outbox(session)[0])

    assert token_is_usable(session, token, NOW)  # the page's first view uses nothing up
    assert redeem_token(session, token, NOW + SECOND) == account_id(session, "active@example.com")
    assert not token_is_usable(session, token, NOW + 2 * SECOND)
    assert redeem_token(session, token, NOW + 2 * SECOND) is None
    assert tokens(session)[0].used_at == NOW + SECOND


def test_unknown_or_tampered_tokens_redeem_nothing(session: Session, mailer: MailQueue) -> None:
    request(session, mailer, "conv-1", "active@example.com")
    token = token_in(outbox(session)[0])
    assert redeem_token(session, "not-a-token", NOW) is None
    assert redeem_token(session, token[:-1], NOW) is None
    assert redeem_token(session, "", NOW) is None
    assert redeem_token(session, token, NOW) is not None


def test_a_token_expires_after_reset_token_ttl_minutes(session: Session, mailer: MailQueue) -> None:
    ttl = timedelta(minutes=POLICY.reset_token_ttl_minutes)
    request(session, mailer, "conv-1", "active@example.com")
    request(session, mailer, "conv-2", "monthly@example.com")
    late, in_time = (token_in(mail) for mail in outbox(session))

    assert not token_is_usable(session, late, NOW + ttl)
    assert token_is_usable(session, in_time, NOW + ttl - SECOND)
    assert redeem_token(session, late, NOW + ttl) is None
    assert redeem_token(session, in_time, NOW + ttl - SECOND) == account_id(
        session, "monthly@example.com"
    )


def test_redeeming_a_link_retires_the_older_links_of_the_account(
    session: Session, mailer: MailQueue
) -> None:
    request(session, mailer, "conv-1", "active@example.com")
    request(session, mailer, "conv-2", "active@example.com")
    request(session, mailer, "conv-3", "monthly@example.com")
    older, newer, other_account = (token_in(mail) for mail in outbox(session))

    assert redeem_token(session, newer, NOW) is not None
    assert redeem_token(session, older, NOW) is None
    assert redeem_token(session, other_account, NOW) is not None


# --- rate limits ------------------------------------------------------------------


def test_the_limit_per_email_sends_nothing_more_but_answers_the_same(
    session: Session, mailer: MailQueue
) -> None:
    limit = POLICY.reset_limit_per_email_per_hour
    for n in range(limit + 1):  # different conversations, one email
        request(session, mailer, f"conv-{n}", "active@example.com", NOW + n * SECOND)

    assert len(outbox(session)) == limit
    assert len(tokens(session)) == limit
    assert outcomes(session) == ["sent"] * limit + ["rate_limited"]

    request(session, mailer, "conv-late", "active@example.com", NOW + HOUR + SECOND)
    assert len(outbox(session)) == limit + 1  # the window moved on


def test_the_limit_per_conversation_counts_every_email_tried(
    session: Session, mailer: MailQueue
) -> None:
    limit = POLICY.reset_limit_per_conversation_per_hour
    probes = [f"probe{n}@example.com" for n in range(limit - 1)]
    for n, email in enumerate([*probes, EMAILS[0], EMAILS[1]]):
        request(session, mailer, "conv-1", email, NOW + n * SECOND)

    assert [m.to_address for m in outbox(session)] == [EMAILS[0]]
    assert outcomes(session) == ["no_account"] * (limit - 1) + ["sent", "rate_limited"]
    request(session, mailer, "conv-2", EMAILS[1], NOW + 10 * SECOND)  # other conversations go on
    assert [m.to_address for m in outbox(session)] == [EMAILS[0], EMAILS[1]]


def test_limited_requests_for_known_and_unknown_emails_look_the_same(
    session: Session, mailer: MailQueue
) -> None:
    limit = POLICY.reset_limit_per_conversation_per_hour
    for n in range(limit):
        request(session, mailer, "conv-1", f"probe{n}@example.com", NOW)
    request(session, mailer, "conv-1", "active@example.com", NOW)
    request(session, mailer, "conv-1", "nobody@example.com", NOW)

    assert outbox(session) == [] and tokens(session) == []
    assert outcomes(session)[-2:] == ["rate_limited", "rate_limited"]


# --- audit and failures -----------------------------------------------------------


def test_audit_rows_hold_no_email_token_or_conversation_id(
    session: Session, mailer: MailQueue, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    request(session, mailer, "sender-77", "Active@Example.com")
    request(session, mailer, "sender-78", "nobody@libero.it")
    token = token_in(outbox(session)[0])
    redeem_token(session, token, NOW)
    redeem_token(session, token, NOW)

    stored = dump(session, AuditEntry, ResetToken)
    for secret in ("active@example.com", "nobody@libero.it", "libero", token, "sender-77"):
        assert secret.lower() not in stored.lower()
        assert secret.lower() not in caplog.text.lower()
    redeemed = session.scalars(
        select(AuditEntry).where(AuditEntry.event == "password_reset_redeemed")
    )
    assert [row.detail for row in redeemed] == [{"outcome": "redeemed"}, {"outcome": "invalid"}]


def test_the_reset_link_keeps_a_page_query() -> None:
    assert reset_link("https://x.example/reset", "abc") == "https://x.example/reset?token=abc"
    assert (
        reset_link("https://x.example/r?lang=it", "abc") == "https://x.example/r?lang=it&token=abc"
    )


def test_the_reset_link_opens_the_page_in_the_mail_language() -> None:
    assert reset_link("https://x.example/reset", "abc", "fr") == (
        "https://x.example/reset?lang=fr&token=abc"
    )
    assert reset_link("https://x.example/r?lang=it", "abc", "fr") == (
        "https://x.example/r?lang=it&token=abc"
    )
