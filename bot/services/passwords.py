"""Account passwords set on the demo reset-password page: scrypt with a random salt.

Stored in the one scrypt format (bot/services/scrypt_hash.py), so the cost can be
raised later without breaking older hashes. The rules follow NIST
SP 800-63B: a minimum length, no composition rules, and no password that is easy to
guess. "Easy to guess" is zxcvbn's estimate (its offline lists of common passwords,
names and words, plus repeats, sequences, keyboard rows and dates), with the user's
email and a few Italian and French favourites added to its dictionary.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from bot.db.models import Account
from bot.services import audit
from bot.services.scrypt_hash import hash_secret, secret_matches

MIN_LENGTH = 10
MAX_LENGTH = 1024  # scrypt reads the whole input: a megabyte "password" is not one
SCRYPT_N = 2**15  # ~50 ms and 32 MiB per hash on a small server
EVENT_CHANGED = "password_changed"

# Reasons a password is refused, as codes the page translates.
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
MISMATCH = "mismatch"
TOO_EASY = "too_easy"  # common, repeated, a sequence, a keyboard row...
HAS_EMAIL = "has_email"  # the email, or the part before the @

# zxcvbn scores 0-4; 3 is "safely unguessable" (about 10**8 guesses or more).
MIN_SCORE = 3
# zxcvbn's time grows fast with length; the first characters decide whether it is trivial
SCORED_CHARS = 64
# Common in Italian and French passwords, and this service's own words.
EXTRA_WORDS = (
    "password", "passwort", "motdepasse", "ciao", "amore", "bonjour", "soleil", "azerty",
    "qwertz", "juventus", "forzainter", "forzamilan", "napoli", "roma", "paris", "chouchou",
    "doudou", "example", "meetings", "support", "webinar",
)  # fmt: skip


class PasswordRejected(ValueError):
    """The new password breaks a rule; `reason` is one of the codes above."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def hash_password(password: str) -> str:
    """A salted scrypt hash of `password` in the self-describing stored format."""
    return hash_secret(password, SCRYPT_N)


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored`; False for a missing or malformed hash."""
    return secret_matches(password, stored)


def _contains_email(password: str, email: str) -> bool:
    folded, address = password.casefold(), email.strip().casefold()
    local = address.partition("@")[0]
    return address in folded or (len(local) >= 3 and local in folded)


def password_problem(
    password: str, confirmation: str | None = None, *, email: str | None = None
) -> str | None:
    """Why `password` (typed twice: `confirmation`) cannot be used, or None.

    `email`: the account's, which the password must not contain.
    """
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if email and _contains_email(password, email):
        return HAS_EMAIL
    user_words = [*EXTRA_WORDS, *([email, email.partition("@")[0]] if email else [])]
    if zxcvbn(password[:SCORED_CHARS], user_inputs=user_words)["score"] < MIN_SCORE:
        return TOO_EASY
    if confirmation is not None and not hmac.compare_digest(
        password.encode(), confirmation.encode()
    ):
        return MISMATCH
    return None


def set_password(session: Session, account_id: int, password: str, now: datetime) -> None:
    """Store a new hash for the account; raise PasswordRejected or LookupError.

    Flushes but does not commit: the caller's transaction (the page's
    `session_scope`) commits, together with the redeemed reset token.
    """
    account = session.get(Account, account_id)
    if account is None:
        raise LookupError(f"no account with id {account_id}")
    problem = password_problem(password, email=account.email)
    if problem:
        raise PasswordRejected(problem)
    account.password_hash = hash_password(password)
    account.password_changed_at = now
    audit.record(session, EVENT_CHANGED, None, account.email, now=now)
    session.flush()
