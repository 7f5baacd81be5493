"""Erasure on request (GDPR art. 17): remove what the assistant keeps about an account.

The account tables themselves stay (they are the company's records); what goes is
what the assistant wrote: the conversations in Rasa's tracker store linked to the
account, its handoff tickets, reset tokens, verification challenges, outbox mails,
audit rows, misunderstood messages (and their lines in the review file), help-centre
searches, the messages its chat widget was sent (bot/services/delivery.py) and the
screenshots of its tickets, files included (bot/services/screenshots/).
Conversations are found by exact links only, never by a substring of stored text:
- challenges and audit rows keep a keyed hash of the conversation ID
  (`redaction.conversation_key`), computed here for every sender in the tracker store;
- audit rows name the account by keyed hashes of its email, username and account ID;
- tickets keep the conversation ID of a verified customer's account;
- the tracker store's links (bot/services/privacy/conversation_links.py): the keyed hash of
  every identifier a conversation named, recorded before emails were masked;
- older events whose parsed entities or identifier slots equal one of the account's
  identifiers (normalised). A mask ("m***@example.com") is never a match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, or_, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.config.settings import get_settings
from bot.db.models import (
    Account,
    AuditEntry,
    ConversationMessage,
    HandoffTicket,
    HelpCentreTurn,
    InsightReviewMessage,
    OutboxMail,
    ResetToken,
    VerificationChallenge,
)
from bot.services.identity.accounts import account_by_email, normalise_public_id
from bot.services.insights.figures import rewind_after_deletion
from bot.services.insights.misunderstood import remove_from_review_file
from bot.services.privacy import conversation_links, tracker_events
from bot.services.privacy.redaction import conversation_key, subject_key
from bot.services.screenshots import records as screenshots

# More conversations than this: `bot erase` shows the counts and asks before deleting.
CONFIRM_ABOVE_CONVERSATIONS = 10


@dataclass(frozen=True)
class ErasureReport:
    conversations: int
    events: int
    tickets: int
    reset_tokens: int
    challenges: int
    outbox_mails: int
    audit_rows: int
    review_messages: int = 0
    help_centre_turns: int = 0
    widget_messages: int = 0
    screenshots: int = 0

    def __str__(self) -> str:
        return (
            f"erased {self.conversations} conversation(s) ({self.events} tracker events), "
            f"{self.tickets} ticket(s), {self.reset_tokens} reset token(s), "
            f"{self.challenges} verification challenge(s), {self.outbox_mails} outbox "
            f"mail(s), {self.audit_rows} audit row(s), {self.review_messages} "
            f"misunderstood message(s), {self.help_centre_turns} help-centre search(es), "
            f"{self.widget_messages} widget message(s), {self.screenshots} screenshot(s)"
        )


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing one account will delete, found before anything is."""

    subjects: frozenset[str]  # keyed hashes of the account's identifiers
    keys: frozenset[str]  # keyed hashes of its conversations
    senders: frozenset[str]  # its conversations in the tracker store
    events: int
    tickets: int
    audit_rows: int
    review_messages: int

    @property
    def needs_confirmation(self) -> bool:
        return len(self.senders) > CONFIRM_ABOVE_CONVERSATIONS

    def __str__(self) -> str:
        return (
            f"will erase {len(self.senders)} conversation(s) ({self.events} tracker events), "
            f"{self.tickets} ticket(s), {self.audit_rows} audit row(s), "
            f"{self.review_messages} misunderstood message(s)"
        )


def find_account(session: Session, email: str | None, public_id: str | None) -> Account | None:
    if email:
        return account_by_email(session, email)
    wanted = normalise_public_id(public_id or "")
    return session.scalars(select(Account).where(Account.public_id == wanted)).first()


def _names(account: Account) -> list[str]:
    """How rows may name the account: email, account ID, username."""
    return [name for name in (account.email, account.public_id, account.username) if name]


def _subjects(account: Account) -> frozenset[str]:
    return frozenset(subject_key(name) for name in _names(account))


def linked_conversation_keys(session: Session, account: Account) -> set[str]:
    """Keyed hashes of every conversation the account database ties to the account."""
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
            select(AuditEntry.conversation_key).where(
                AuditEntry.subject_key.in_(sorted(_subjects(account)))
            )
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


def senders_naming(tracker: Connection, account: Account) -> set[str]:
    """Conversations with an event whose parsed identifiers equal one of the account's
    (older rows, stored before links were recorded)."""
    forms = set().union(*(conversation_links.identifier_forms(name) for name in _names(account)))
    # candidates only: the raw JSON may spell a value escaped, an account ID without "AC-"
    terms = {json.dumps(name)[1:-1] for name in _names(account)}
    terms.add(account.public_id.split("-")[-1])
    found: set[str] = set()
    for sender, data in tracker_events.rows_containing(tracker, terms):
        try:
            event = json.loads(data)
        except ValueError:
            continue
        if isinstance(event, dict) and conversation_links.identifiers_in(event, sender) & forms:
            found.add(sender)
    return found


def _account_senders(tracker: Connection, account: Account, keys: set[str]) -> set[str]:
    keys = keys | conversation_links.linked_conversations(tracker, _subjects(account))
    senders = {s for s in tracker_events.sender_ids(tracker) if conversation_key(s) in keys}
    return senders | senders_naming(tracker, account)


def _ticket_filter(session: Session, account: Account, keys: frozenset[str]) -> ColumnElement[bool]:
    conversations = [
        conversation
        for conversation in session.scalars(select(HandoffTicket.conversation_id).distinct())
        if conversation_key(conversation) in keys
    ]
    return or_(
        HandoffTicket.account_id == account.id, HandoffTicket.conversation_id.in_(conversations)
    )


def _audit_filter(subjects: frozenset[str], keys: frozenset[str]) -> ColumnElement[bool]:
    return or_(
        AuditEntry.subject_key.in_(sorted(subjects)),
        AuditEntry.conversation_key.in_(sorted(keys)),
    )


def _count(session: Session, model: type, condition: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(model).where(condition)) or 0


def plan_erasure(session: Session, tracker: Engine, account: Account) -> ErasurePlan:
    """Find everything that names the account; delete nothing."""
    keys = linked_conversation_keys(session, account)
    senders: set[str] = set()
    events = 0
    with tracker.connect() as connection:
        if tracker_events.has_events_table(connection):
            senders = _account_senders(connection, account, keys)
            events = tracker_events.count_events(connection, senders)
    all_keys = frozenset(keys | {conversation_key(sender) for sender in senders})
    subjects = _subjects(account)
    return ErasurePlan(
        subjects=subjects,
        keys=all_keys,
        senders=frozenset(senders),
        events=events,
        tickets=_count(session, HandoffTicket, _ticket_filter(session, account, all_keys)),
        audit_rows=_count(session, AuditEntry, _audit_filter(subjects, all_keys)),
        review_messages=_count(
            session,
            InsightReviewMessage,
            InsightReviewMessage.conversation_key.in_(sorted(all_keys)),
        ),
    )


def erase(
    session: Session,
    tracker: Engine,
    account: Account,
    plan: ErasurePlan,
    *,
    review_file: Path | None = None,
    upload_dir: Path | None = None,
) -> ErasureReport:
    """Delete what `plan` found: the conversations first (committed: with SQLite both
    stores may be one file), then the account database's rows (the caller commits) and
    the tickets' screenshot files (UPLOAD_DIR unless `upload_dir`)."""
    with tracker.begin() as connection:
        events = 0
        if plan.senders:
            events = tracker_events.delete_conversations(connection, plan.senders)
            conversation_links.delete_links(connection, plan.senders)
        newest = tracker_events.newest_event_id(connection) if events else None
    if newest is not None:
        rewind_after_deletion(session, newest)
    keys = sorted(plan.keys)
    shots = screenshots.remove_with_tickets(
        session, _ticket_filter(session, account, plan.keys),
        upload_dir or get_settings().upload_dir,
    )  # fmt: skip
    tickets = session.execute(
        delete(HandoffTicket)
        .where(_ticket_filter(session, account, plan.keys))
        .execution_options(synchronize_session=False)
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
    audit = session.execute(
        delete(AuditEntry)
        .where(_audit_filter(plan.subjects, plan.keys))
        .execution_options(synchronize_session=False)
    )
    reviews = list(
        session.scalars(
            select(InsightReviewMessage).where(InsightReviewMessage.conversation_key.in_(keys))
        )
    )
    if review_file is not None:
        remove_from_review_file(review_file, [row for row in reviews if row.labelled_intent])
    for row in reviews:
        session.delete(row)
    help_turns = session.execute(
        delete(HelpCentreTurn)
        .where(HelpCentreTurn.conversation_key.in_(keys))
        .execution_options(synchronize_session=False)
    ).rowcount
    widget_messages = session.execute(
        delete(ConversationMessage)
        .where(ConversationMessage.conversation_key.in_(keys))
        .execution_options(synchronize_session=False)
    ).rowcount
    return ErasureReport(
        conversations=len(plan.senders),
        events=events,
        tickets=tickets,
        reset_tokens=tokens.rowcount,
        challenges=challenges.rowcount,
        outbox_mails=mails.rowcount,
        audit_rows=audit.rowcount,
        review_messages=len(reviews),
        help_centre_turns=help_turns,
        widget_messages=widget_messages,
        screenshots=shots,
    )


def erase_account(
    session: Session,
    tracker: Engine,
    account: Account,
    *,
    review_file: Path | None = None,
    upload_dir: Path | None = None,
) -> ErasureReport:
    """Find and delete at once (no confirmation: `bot erase` asks first)."""
    plan = plan_erasure(session, tracker, account)
    return erase(session, tracker, account, plan, review_file=review_file, upload_dir=upload_dir)
