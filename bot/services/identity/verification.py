"""Identity check by one-time code sent to the account's registered email (policies §2).

Only control of the registered mailbox proves identity, so a code goes to
`Account.email` and never to an address the user typed. An identifier that
matches no account still gets a challenge row (account_id NULL) that answers
wrong codes exactly like a real one: nothing the caller sees tells whether an
account exists.

Hashing: codes have only 10**otp_length values, so each is stored as scrypt
(n=2**14, r=8, p=1; bot/services/identity/scrypt_hash.py) with a random per-row salt. A guess
against a stolen row costs ~16 MB and tens of milliseconds, and the code is worthless
after otp_ttl_minutes.

Rate limits: at most otp_limit_per_conversation_per_hour starts per conversation and
otp_limit_per_account_per_hour codes per account, so nobody can flood a customer's
inbox. Over a limit, a start behaves like an unknown identifier: same reply, a
challenge that no code opens, no mail. Wrong codes are limited per conversation
(otp_max_attempts per challenge) and per subject across conversations
(otp_failed_codes_per_account_per_hour), so many senders cannot share out guesses
at one account; the subject is the account's email, or the identifier typed when
none matched, so an unknown identifier locks the same way. A locked subject refuses
every code but answers as a wrong code, with the conversation's own attempts left,
and does the same work: no reply or delay tells that two identifiers are one account.

Mail: the code's mail is queued in the same transaction as its challenge, and an
unknown identifier queues a row with no recipient: same statements, same time.

Binding: challenges are started, checked and honoured for `bound_conversation`,
the namespaced sender ID (bot/services/conversation_ids.py) together with the input
channel the latest message came in on: a proof made in one channel's conversation
is never honoured for another channel, even one that names the same platform ID.
"""

from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config.policy import Policy, get_policy
from bot.db.models import Account, VerificationChallenge
from bot.nlu.entity_rules import without_separators
from bot.services.conversation_ids import belongs_to
from bot.services.identity.accounts import find_account_id
from bot.services.identity.scrypt_hash import hash_secret, secret_matches
from bot.services.mail.queue import Mail, MailQueue
from bot.services.mail.templates import VERIFICATION_CODE, pick_language, render
from bot.services.privacy import audit
from bot.services.privacy.redaction import conversation_key, subject_key

logger = logging.getLogger(__name__)

EVENT_STARTED = "verification_started"
EVENT_CHECKED = "verification_checked"
EVENT_CODE_FAILED = "verification_code_failed"  # one per wrong code, keyed by subject
RATE_WINDOW = timedelta(hours=1)

CODE_SCRYPT_N = 2**14  # cheaper than a password's: a code is worthless after minutes


class VerificationStatus(str, enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    LOCKED = "locked"  # too many wrong codes: ask for a new one
    EXPIRED = "expired"
    NO_CHALLENGE = "no_challenge"  # none started, or its code was already used


@dataclass(frozen=True)
class VerificationResult:
    status: VerificationStatus
    attempts_left: int = 0
    account_id: int | None = None  # set only when VERIFIED
    public_id: str | None = None  # the verified account's ID, for the conversation's slot


# --- binding ---------------------------------------------------------------------


def bound_conversation(sender_id: str, input_channel: str | None) -> str:
    """The conversation ID a verification belongs to.

    The sender ID when it is in the namespace of the channel the message came in on;
    otherwise (a message injected under another channel's name) an ID that no channel
    produces (no channel name contains "!"), so nothing verified elsewhere matches it.
    """
    if belongs_to(sender_id, input_channel):
        return sender_id
    return f"!{input_channel or ''}!{sender_id}"


# --- codes ---------------------------------------------------------------------


def generate_code(length: int) -> str:
    """`length` uniformly random digits from `secrets`."""
    return f"{secrets.randbelow(10**length):0{length}d}"


def hash_code(code: str) -> str:
    """The code's salted scrypt hash, in the one stored format."""
    return hash_secret(code, CODE_SCRYPT_N)


def code_matches(code: str, stored: str) -> bool:
    """Recompute with the row's salt and compare in constant time."""
    return secret_matches(code, stored)


def _clean_code(code: str) -> str:
    """Users type "123 456", "123-456" or "123.456": the NLU's separators go."""
    return without_separators(code)


# --- accounts ------------------------------------------------------------------


def find_account(session: Session, identifier: str) -> Account | None:
    """By registered email, account ID ("AC-104233", "ac104233", "AC 104233") or username.

    Uses the same lookup as the rest of the assistant (`accounts.find_account_id`);
    an address that is not a registered email (a billing contact, a typo) finds nothing.
    """
    account_id = find_account_id(session, identifier)
    # id 0 is never used: an unknown identifier runs the same query, finding nothing
    return session.get(Account, account_id if account_id is not None else 0)


# --- flow ----------------------------------------------------------------------


def start_verification(
    session: Session,
    mail_queue: MailQueue,
    conversation_id: str,
    identifier: str,
    language: str | None,
    now: datetime,
    *,
    policy: Policy | None = None,
) -> None:
    """Create a challenge and mail its code to the registered email, if there is one.

    Returns nothing, whatever the identifier: the caller shows one reply.
    """
    account = find_account(session, identifier)
    start_verification_for(
        session, mail_queue, conversation_id, account, language, now,
        subject=account.email if account else identifier, policy=policy,
    )  # fmt: skip


NO_SUBJECT = "-"  # never a subject key (those are 64 hex digits): counts nothing


def _over_limit(
    session: Session,
    conversation_id: str,
    subject: str | None,
    now: datetime,
    policy: Policy,
) -> bool:
    """Every start counts, sent or not, so probing cannot reset the window.

    Both counts run whether or not an account matched (the subject is then the
    identifier typed), so the two paths run the same queries.
    """
    since = now - RATE_WINDOW
    per_conversation = audit.count_since(
        session, EVENT_STARTED, since, now, conversation_id=conversation_id
    )
    per_subject = audit.count_since(
        session, EVENT_STARTED, since, now,
        hashed_subject=subject_key(subject) if subject else NO_SUBJECT,
    )  # fmt: skip
    return (
        per_conversation >= policy.otp_limit_per_conversation_per_hour
        or per_subject >= policy.otp_limit_per_account_per_hour
    )


def start_verification_for(
    session: Session,
    mail_queue: MailQueue,
    conversation_id: str,
    account: Account | None,
    language: str | None,
    now: datetime,
    *,
    subject: str | None = None,
    policy: Policy | None = None,
) -> None:
    """Like `start_verification`, for an account already found (or None: no match).

    The challenge, its mail (a queued row; a row with no recipient when nobody is to
    be mailed) and the audit row are committed together, and nothing is sent here:
    the mail worker sends after the reply. The mail is in the conversation's language
    (the person waiting for it), else the account's. A newer challenge replaces older
    ones of the conversation.
    """
    policy = policy or get_policy()
    audit_subject = account.email if account else subject
    limited = _over_limit(session, conversation_id, audit_subject, now, policy)
    target = None if limited else account
    code = generate_code(policy.otp_length)  # also for no match: same work, same row
    expires_at = now + timedelta(minutes=policy.otp_ttl_minutes)
    session.add(
        VerificationChallenge(
            conversation_key=conversation_key(conversation_id),
            account_id=target.id if target else None,
            subject_key=subject_key(audit_subject) if audit_subject else None,
            code_hash=hash_code(code),
            created_at=now,
            expires_at=expires_at,
            attempts=0,
        )
    )
    mail_subject, body = render(
        VERIFICATION_CODE,
        pick_language(language, target.language if target else None),
        code=code,
        minutes=policy.otp_ttl_minutes,
    )
    mail = Mail(to=target.email, subject=mail_subject, body=body) if target else None
    mail_queue.add(session, mail, now, expires_at)
    outcome = "rate_limited" if limited else ("sent" if account else "no_account")
    audit.record(
        session, EVENT_STARTED, conversation_id, audit_subject, {"outcome": outcome}, now=now
    )
    session.commit()
    # one line whatever the outcome: whoever reads the logs learns nothing about the account
    logger.info("verification started")


def _latest_challenge(session: Session, conversation_id: str) -> VerificationChallenge | None:
    return session.scalars(
        select(VerificationChallenge)
        .where(VerificationChallenge.conversation_key == conversation_key(conversation_id))
        .order_by(VerificationChallenge.created_at.desc(), VerificationChallenge.id.desc())
        .limit(1)
        .with_for_update()  # PostgreSQL: parallel guesses cannot overrun the attempt limit
    ).first()


def _failures_since(session: Session, challenge: VerificationChallenge, now: datetime) -> int:
    """Wrong codes for this challenge's subject in the last hour, in any conversation.

    Runs for every challenge (NO_SUBJECT counts nothing), so that no path skips a query.
    """
    return audit.count_since(
        session, EVENT_CODE_FAILED, now - RATE_WINDOW, now,
        hashed_subject=challenge.subject_key or NO_SUBJECT,
    )  # fmt: skip


def _lock_subject(session: Session, challenge: VerificationChallenge, now: datetime) -> None:
    """Mark this challenge and every live code of its subject, in every conversation,
    as refusing every code (`locked_at`): silently, see `_check`."""
    challenge.locked_at = now
    if challenge.subject_key is not None:
        session.execute(
            update(VerificationChallenge)
            .where(
                VerificationChallenge.subject_key == challenge.subject_key,
                VerificationChallenge.verified_at.is_(None),
                VerificationChallenge.locked_at.is_(None),
                VerificationChallenge.expires_at > now,
            )
            .values(locked_at=now)
            .execution_options(synchronize_session=False)
        )


def _check(
    session: Session,
    challenge: VerificationChallenge | None,
    code: str,
    now: datetime,
    policy: Policy,
) -> VerificationResult:
    """Apply one code to the latest challenge (mutates it); no commit.

    What the caller is told depends only on this conversation's own attempts and
    times. A subject (account) locked by wrong codes anywhere refuses every code, the
    right one too, but answers as a wrong code would: otherwise a lock set through
    one identifier would tell that another names the same account.
    """
    if challenge is None or challenge.verified_at is not None:
        return VerificationResult(VerificationStatus.NO_CHALLENGE)
    if challenge.attempts >= policy.otp_max_attempts:
        return VerificationResult(VerificationStatus.LOCKED)
    if now >= challenge.expires_at:
        return VerificationResult(VerificationStatus.EXPIRED)
    failures = _failures_since(session, challenge, now)  # known or not: the same query
    subject_limit = policy.otp_failed_codes_per_account_per_hour
    refused = challenge.locked_at is not None or failures >= subject_limit
    matches = code_matches(_clean_code(code), challenge.code_hash)  # locked or not: same work
    if matches and challenge.account_id is not None and not refused:
        challenge.verified_at = now
        return VerificationResult(
            VerificationStatus.VERIFIED,
            attempts_left=policy.otp_max_attempts - challenge.attempts,
            account_id=challenge.account_id,
        )
    challenge.attempts += 1  # an unmatched or refused challenge lands here for every code
    audit.record(
        session, EVENT_CODE_FAILED, None, None, now=now, hashed_subject=challenge.subject_key
    )
    if failures + 1 >= subject_limit:
        _lock_subject(session, challenge, now)
    attempts_left = policy.otp_max_attempts - challenge.attempts
    if attempts_left <= 0:
        challenge.locked_at = challenge.locked_at or now
        return VerificationResult(VerificationStatus.LOCKED)
    return VerificationResult(VerificationStatus.WRONG, attempts_left=attempts_left)


def check_code(
    session: Session,
    conversation_id: str,
    code: str,
    now: datetime,
    *,
    policy: Policy | None = None,
) -> VerificationResult:
    """Check a code against the conversation's latest challenge, count it, commit.

    The last allowed wrong code of the challenge returns LOCKED, and so does every
    code after it. Every challenge of a subject (account) that had
    otp_failed_codes_per_account_per_hour wrong codes in the last hour, whichever
    conversations typed them, refuses even the right code, answering WRONG with this
    conversation's attempts left. Committing here keeps a counted attempt from being
    undone by a later error in the caller.
    """
    policy = policy or get_policy()
    result = _check(session, _latest_challenge(session, conversation_id), code, now, policy)
    if result.account_id is not None:
        account = session.get(Account, result.account_id)
        result = replace(result, public_id=account.public_id if account else None)
    audit.record(
        session, EVENT_CHECKED, conversation_id, None, {"status": result.status.value}, now=now
    )
    session.commit()
    return result


def is_verified(
    session: Session,
    conversation_id: str,
    account_id: int,
    now: datetime,
    *,
    policy: Policy | None = None,
) -> bool:
    """Whether this conversation proved control of this account within `max_age`.

    Reads the database every time, so actions can re-check before each sensitive step
    instead of trusting a slot. The window is the policy's verified_for_minutes.
    """
    max_age = timedelta(minutes=(policy or get_policy()).verified_for_minutes)
    found = session.scalar(
        select(VerificationChallenge.id)
        .where(
            VerificationChallenge.conversation_key == conversation_key(conversation_id),
            VerificationChallenge.account_id == account_id,
            VerificationChallenge.verified_at.is_not(None),
            VerificationChallenge.verified_at > now - max_age,
            VerificationChallenge.verified_at <= now,
        )
        .limit(1)
    )
    return found is not None


def verified_account_id(
    session: Session,
    conversation_id: str,
    public_id: str | None,
    now: datetime,
    *,
    policy: Policy | None = None,
) -> int | None:
    """The account this conversation is verified as now: the one its slot names
    (`public_id`), if the database holds a fresh verification for it; else None.

    Never the slot alone: a slot can outlive the verification window.
    """
    if not public_id:
        return None
    account_id = session.scalar(select(Account.id).where(Account.public_id == public_id))
    if account_id is None or not is_verified(
        session, conversation_id, account_id, now, policy=policy
    ):
        return None
    return account_id
