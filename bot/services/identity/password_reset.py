"""Password-reset links mailed to the registered email (support policies §1).

Whatever the email (registered, unknown, or over a rate limit) `request_reset`
returns nothing and the caller shows the same confirmation. The outcome is kept
only as a coded value in the audit log, keyed by hashes. Every case runs the same
statements: a token row (with no account when none is to be mailed), a queued
mail row (with no recipient), an audit row, so the reply takes the same time.

Tokens come from `secrets.token_urlsafe(reset_token_bytes)`: with 256 bits of
entropy a plain SHA-256 is enough to store them (no salt or slow hash needed),
and lets `redeem_token` find the row by its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config.policy import Policy, get_policy
from bot.db.models import ResetToken
from bot.services.identity.accounts import account_by_email
from bot.services.mail.queue import Mail, MailQueue
from bot.services.mail.templates import PASSWORD_RESET, pick_language, render
from bot.services.privacy import audit

logger = logging.getLogger(__name__)

EVENT_REQUESTED = "password_reset_requested"
EVENT_REDEEMED = "password_reset_redeemed"
RATE_WINDOW = timedelta(hours=1)


def hash_token(token: str) -> str:
    """SHA-256 hex of a high-entropy token."""
    return hashlib.sha256(token.encode()).hexdigest()


def reset_link(reset_page_url: str, token: str, language: str | None = None) -> str:
    """`{reset_page_url}?lang=..&token=...` (`&` when the page URL has a query).

    `lang` opens the page in the mail's language; a `lang` already in the URL wins.
    """
    separator = "&" if "?" in reset_page_url else "?"
    query = {"token": token}
    if language and "lang=" not in reset_page_url:
        query = {"lang": language, **query}
    return f"{reset_page_url}{separator}{urlencode(query)}"


def _rate_limited(
    session: Session, conversation_id: str, subject: str, now: datetime, policy: Policy
) -> bool:
    """Every earlier request counts, sent or not, so probing cannot reset the window."""
    since = now - RATE_WINDOW
    per_email = audit.count_since(session, EVENT_REQUESTED, since, now, subject=subject)
    per_conversation = audit.count_since(
        session, EVENT_REQUESTED, since, now, conversation_id=conversation_id
    )
    return (
        per_email >= policy.reset_limit_per_email_per_hour
        or per_conversation >= policy.reset_limit_per_conversation_per_hour
    )


def request_reset(
    session: Session,
    mail_queue: MailQueue,
    conversation_id: str,
    email: str,
    language: str | None,
    now: datetime,
    reset_page_url: str,
    *,
    policy: Policy | None = None,
) -> None:
    """Queue a single-use reset link if `email` is registered and no limit is hit.

    Returns nothing in every case. The token, its mail and the audit row are
    committed together; the mail worker sends after the reply.
    """
    policy = policy or get_policy()
    account = account_by_email(session, email)
    subject = account.email if account else email
    if _rate_limited(session, conversation_id, subject, now, policy):
        outcome = "rate_limited"
    else:
        outcome = "no_account" if account is None else "sent"
    target = account if outcome == "sent" else None
    # a token for every request: unmailed ones (no account) redeem nothing
    token = secrets.token_urlsafe(policy.reset_token_bytes)
    expires_at = now + timedelta(minutes=policy.reset_token_ttl_minutes)
    session.add(
        ResetToken(
            account_id=target.id if target else None,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=expires_at,
        )
    )
    mail_language = pick_language(language, target.language if target else None)
    mail_subject, body = render(
        PASSWORD_RESET,
        mail_language,
        link=reset_link(reset_page_url, token, mail_language),
        minutes=policy.reset_token_ttl_minutes,
    )
    mail = Mail(to=target.email, subject=mail_subject, body=body) if target else None
    mail_queue.add(session, mail, now, expires_at)
    audit.record(session, EVENT_REQUESTED, conversation_id, subject, {"outcome": outcome}, now=now)
    session.commit()
    # one line whatever the outcome: whoever reads the logs learns nothing about the email
    logger.info("password reset requested")


def _usable(row: ResetToken | None, token_hash: str, now: datetime) -> bool:
    """The one rule for a reset link that still works: mailed, unused, not expired."""
    return (
        row is not None
        and row.account_id is not None  # an unknown email's token was never mailed
        and hmac.compare_digest(row.token_hash, token_hash)
        and row.used_at is None
        and now < row.expires_at
    )


def token_is_usable(session: Session, token: str, now: datetime) -> bool:
    """Whether the link still works, without using it up (the reset page's first view)."""
    token_hash = hash_token(token)
    row = session.scalars(select(ResetToken).where(ResetToken.token_hash == token_hash)).first()
    return _usable(row, token_hash, now)


def redeem_token(session: Session, token: str, now: datetime) -> int | None:
    """The account id for a valid token, marking it used; None if unknown, used or expired.

    Redeeming also retires the account's other outstanding links: once the
    password changes, older mails should no longer work.
    """
    token_hash = hash_token(token)
    row = session.scalars(
        select(ResetToken).where(ResetToken.token_hash == token_hash).with_for_update()
    ).first()
    account_id: int | None = None
    if row is not None and _usable(row, token_hash, now):
        claimed = session.execute(
            update(ResetToken)
            .where(ResetToken.id == row.id, ResetToken.used_at.is_(None))
            .values(used_at=now)
        )
        if claimed.rowcount == 1:  # a parallel redeem of the same token loses here
            account_id = row.account_id
            session.execute(
                update(ResetToken)
                .where(ResetToken.account_id == account_id, ResetToken.used_at.is_(None))
                .values(used_at=now)
            )
    outcome = "redeemed" if account_id is not None else "invalid"
    audit.record(session, EVENT_REDEEMED, None, None, {"outcome": outcome}, now=now)
    session.commit()
    return account_id
