"""Account passwords set on the demo reset-password page: scrypt with a random salt.

Stored in the one scrypt format (bot/services/identity/scrypt_hash.py), so the cost can be
raised later without breaking older hashes. The rules follow NIST
SP 800-63B: a minimum length, no composition rules, and no password that is easy to
guess. "Easy to guess" is zxcvbn's estimate (its offline lists of common passwords,
names and words, plus repeats, sequences, keyboard rows and dates), with the user's
email, username and a few Italian and French favourites added to its dictionary; and,
because zxcvbn scores "Summer2026!!" as strong, any password whose letters alone are
one of zxcvbn's 30,000 most common (breached) passwords or the account's own words.
The email's first part and the username count with their punctuation left out too
("trialexpired2026" for trial.expired@...).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from bot.db.models import Account
from bot.services.identity.scrypt_hash import hash_secret, secret_matches
from bot.services.privacy import audit

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
# The most common passwords of public breaches, as zxcvbn ships them.
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"]) | frozenset(EXTRA_WORDS)
MIN_WORD = 3  # shorter words ("ab") are in every password by chance


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


def _squashed(text: str) -> str:
    """Case-folded letters and digits only: "Trial.Expired" -> "trialexpired"."""
    return re.sub(r"[\W_]", "", text.casefold())


def _contains_email(password: str, email: str) -> bool:
    folded, address = password.casefold(), email.strip().casefold()
    local = address.partition("@")[0]
    if address in folded or (len(local) >= MIN_WORD and local in folded):
        return True
    squashed = _squashed(local)
    return len(squashed) >= MIN_WORD and squashed in _squashed(password)


def _dressed_up_word(password: str, names: Iterable[str]) -> bool:
    """A common password or one of the account's names, with digits and symbols around or
    inside it ("Summer2026!!", "MarcoDemo2026!"), or containing one of the names."""
    letters = re.sub(r"[^a-z]", "", password.casefold())
    squashed = _squashed(password)
    own = {_squashed(name) for name in names} - {""}
    if any(len(name) >= MIN_WORD and name in squashed for name in own):
        return True
    return len(letters) >= MIN_WORD and (letters in COMMON_PASSWORDS or letters in own)


def password_problem(
    password: str,
    confirmation: str | None = None,
    *,
    email: str | None = None,
    names: Iterable[str] = (),
) -> str | None:
    """Why `password` (typed twice: `confirmation`) cannot be used, or None.

    `email`: the account's, which the password must not contain; `names`: the
    account's other words (its username), which it must not contain either.
    """
    names = [name for name in names if name]
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if email and _contains_email(password, email):
        return HAS_EMAIL
    if _dressed_up_word(password, names):
        return TOO_EASY
    user_words = [*EXTRA_WORDS, *names, *([email, email.partition("@")[0]] if email else [])]
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
    problem = password_problem(password, email=account.email, names=[account.username or ""])
    if problem:
        raise PasswordRejected(problem)
    account.password_hash = hash_password(password)
    account.password_changed_at = now
    audit.record(session, EVENT_CHANGED, None, account.email, now=now)
    session.flush()
