"""Erasure on request (GDPR art. 17): remove what the assistant keeps about an account.

The account tables themselves stay (they are the company's records); what goes is
what the assistant wrote: the conversations in Rasa's tracker store linked to the
account, its handoff tickets, reset tokens, verification challenges, outbox mails
and audit rows. Conversations are found without assuming any sender-ID format:
- challenges and audit rows keep a keyed hash of the conversation ID
  (`redaction.conversation_key`), computed here for every sender in the tracker store;
- audit rows name the account by keyed hashes of its email, username and account ID;
- tickets keep the conversation ID of a verified customer's account;
- events whose data still holds the account ID, username or email (older rows).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    AuditEntry,
    HandoffTicket,
    OutboxMail,
    ResetToken,
    VerificationChallenge,
)
from bot.services import tracker_events
from bot.services.accounts import account_by_email, normalise_public_id
from bot.services.insights import rewind_after_deletion
from bot.services.redaction import conversation_key, subject_key


@dataclass(frozen=True)
class ErasureReport:
    conversations: int
    events: int
    tickets: int
    reset_tokens: int
    challenges: int
    outbox_mails: int
    audit_rows: int

    def __str__(self) -> str:
        return (
            f"erased {self.conversations} conversation(s) ({self.events} tracker events), "
            f"{self.tickets} ticket(s), {self.reset_tokens} reset token(s), "
            f"{self.challenges} verification challenge(s), {self.outbox_mails} outbox "
            f"mail(s), {self.audit_rows} audit row(s)"
        )


def find_account(session: Session, email: str | None, public_id: str | None) -> Account | None:
    if email:
        return account_by_email(session, email)
    wanted = normalise_public_id(public_id or "")
    return session.scalars(select(Account).where(Account.public_id == wanted)).first()


def _names(account: Account) -> list[str]:
    """How rows may name the account: email, account ID, username."""
    return [name for name in (account.email, account.public_id, account.username) if name]


def linked_conversation_keys(session: Session, account: Account) -> set[str]:
    """Keyed hashes of every conversation the account database ties to the account."""
    subjects = [subject_key(name) for name in _names(account)]
    keys = set(
        session.scalars(
            select(VerificationChallenge.conversation_key).where(
                VerificationChallenge.account_id == account.id
            )
        )
    )
    keys.update(
        key
        for key in session.scalars(
            select(AuditEntry.conversation_key).where(AuditEntry.subject_key.in_(subjects))
        )
        if key
    )
    keys.update(
        conversation_key(conversation)
        for conversation in session.scalars(
            select(HandoffTicket.conversation_id).where(HandoffTicket.account_id == account.id)
        )
    )
    return keys


def erase_conversations(
    tracker: Connection, account: Account, keys: set[str]
) -> tuple[set[str], int]:
    """(the conversations deleted from the tracker store, how many events went)."""
    if not tracker_events.has_events_table(tracker):
        return set(), 0
    senders = {s for s in tracker_events.sender_ids(tracker) if conversation_key(s) in keys}
    senders |= tracker_events.senders_mentioning(tracker, _names(account))
    return senders, tracker_events.delete_conversations(tracker, senders)


def erase_account(session: Session, tracker: Engine, account: Account) -> ErasureReport:
    """Delete the account's conversations (committed first: with SQLite both stores may
    be one file) and its rows in the account database (the caller commits)."""
    keys = linked_conversation_keys(session, account)
    with tracker.begin() as connection:
        senders, events = erase_conversations(connection, account, keys)
        newest = tracker_events.newest_event_id(connection) if events else None
    if newest is not None:
        rewind_after_deletion(session, newest)
    keys |= {conversation_key(sender) for sender in senders}

    ticket_conversations = [
        conversation
        for conversation in session.scalars(select(HandoffTicket.conversation_id).distinct())
        if conversation_key(conversation) in keys
    ]
    tickets = session.execute(
        delete(HandoffTicket).where(
            or_(
                HandoffTicket.account_id == account.id,
                HandoffTicket.conversation_id.in_(ticket_conversations),
            )
        )
    ).rowcount
    tokens = session.execute(delete(ResetToken).where(ResetToken.account_id == account.id))
    challenges = session.execute(
        delete(VerificationChallenge).where(
            or_(
                VerificationChallenge.account_id == account.id,
                VerificationChallenge.conversation_key.in_(keys),
            )
        )
    )
    mails = session.execute(
        delete(OutboxMail)
        .where(func.lower(OutboxMail.to_address) == account.email.lower())
        .execution_options(synchronize_session=False)
    )
    subjects = [subject_key(name) for name in _names(account)]
    audit = session.execute(
        delete(AuditEntry).where(
            or_(AuditEntry.subject_key.in_(subjects), AuditEntry.conversation_key.in_(keys))
        )
    )
    return ErasureReport(
        conversations=len(senders),
        events=events,
        tickets=tickets,
        reset_tokens=tokens.rowcount,
        challenges=challenges.rowcount,
        outbox_mails=mails.rowcount,
        audit_rows=audit.rowcount,
    )
