"""Delete what the assistant no longer needs, after the policy's retention periods
(bot/policy.yml: conversation_retention_days, outbox_retention_days,
challenge_retention_days, ticket_retention_days, audit_retention_days,
review_file_retention_days). Run daily by `python -m bot retention` (README).
Screenshots go with their closed tickets, files included (bot/services/screenshots/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.config.policy import Policy
from bot.config.settings import get_settings
from bot.db.models import (
    AuditEntry,
    ConversationMessage,
    HandoffTicket,
    HelpCentreTurn,
    InsightReviewMessage,
    OutboxMail,
    ResetToken,
    TicketStatus,
    VerificationChallenge,
)
from bot.services.insights.figures import rewind_after_deletion
from bot.services.insights.misunderstood import prune_review_file
from bot.services.privacy import conversation_links, tracker_events
from bot.services.screenshots import records as screenshots


@dataclass(frozen=True)
class RetentionReport:
    conversations: int
    events: int
    outbox_mails: int
    challenges: int
    reset_tokens: int
    review_messages: int = 0
    tickets: int = 0
    audit_rows: int = 0
    review_file_entries: int = 0
    help_centre_turns: int = 0
    widget_messages: int = 0
    screenshots: int = 0

    def __str__(self) -> str:
        return (
            f"removed {self.conversations} conversation(s) and {self.events} tracker "
            f"event(s) in all, {self.outbox_mails} outbox mail(s), {self.challenges} "
            f"verification challenge(s), {self.reset_tokens} reset token(s), "
            f"{self.review_messages} misunderstood message(s) waiting for review, "
            f"{self.tickets} closed ticket(s), {self.audit_rows} audit row(s), "
            f"{self.review_file_entries} labelled example(s) in the review file, "
            f"{self.help_centre_turns} help-centre search(es), "
            f"{self.widget_messages} widget message(s), {self.screenshots} screenshot(s)"
        )


def _unix(naive_utc: datetime) -> float:
    return naive_utc.replace(tzinfo=timezone.utc).timestamp()


def prune_tracker(connection: Connection, now: datetime, policy: Policy) -> tuple[int, int]:
    """(conversations deleted whole, events deleted in all) from Rasa's tracker store."""
    if not tracker_events.has_events_table(connection):
        return 0, 0
    before = _unix(now - timedelta(days=policy.conversation_retention_days))
    idle = tracker_events.idle_conversations(connection, before)
    events = tracker_events.delete_conversations(connection, idle)
    conversation_links.delete_links(connection, idle)
    events += tracker_events.delete_past_sessions(connection, before)
    return len(idle), events


def prune_accounts_db(session: Session, now: datetime, policy: Policy) -> tuple[int, int, int]:
    """(outbox mails, challenges, reset tokens) deleted from the account database."""
    mails_before = now - timedelta(days=policy.outbox_retention_days)
    codes_before = now - timedelta(days=policy.challenge_retention_days)
    counts = (
        session.execute(delete(OutboxMail).where(OutboxMail.created_at < mails_before)),
        session.execute(
            delete(VerificationChallenge).where(VerificationChallenge.created_at < codes_before)
        ),
        session.execute(delete(ResetToken).where(ResetToken.created_at < codes_before)),
    )
    return counts[0].rowcount, counts[1].rowcount, counts[2].rowcount


def expired_tickets(now: datetime, policy: Policy) -> ColumnElement[bool]:
    """Tickets closed longer ago than the policy keeps them: a ticket holds the
    customer's words in its summary and transcript; open ones stay whatever their age
    (an agent needs them)."""
    closed_before = now - timedelta(days=policy.ticket_retention_days)
    return (HandoffTicket.status == TicketStatus.CLOSED.value) & (
        HandoffTicket.closed_at < closed_before
    )


def prune_records(session: Session, now: datetime, policy: Policy) -> tuple[int, int]:
    """(closed tickets, audit rows) deleted (expired_tickets)."""
    tickets = session.execute(
        delete(HandoffTicket)
        .where(expired_tickets(now, policy))
        .execution_options(synchronize_session=False)
    ).rowcount
    audit_before = now - timedelta(days=policy.audit_retention_days)
    audit = session.execute(delete(AuditEntry).where(AuditEntry.at < audit_before)).rowcount
    return tickets, audit


def apply_retention(
    session: Session,
    tracker: Engine,
    now: datetime,
    policy: Policy,
    *,
    review_file: Path | None = None,
    upload_dir: Path | None = None,
) -> RetentionReport:
    """Prune the tracker store (committed first: with SQLite both may be one file), then
    the account database (the caller commits), the review file and the screenshot
    files (UPLOAD_DIR unless `upload_dir`)."""
    with tracker.begin() as connection:
        conversations, events = prune_tracker(connection, now, policy)
        newest = tracker_events.newest_event_id(connection) if events else None
    if newest is not None:
        rewind_after_deletion(session, newest)
    mails, challenges, tokens = prune_accounts_db(session, now, policy)
    # customers' own words, scrubbed: kept no longer than the conversations they came from
    messages_before = now - timedelta(days=policy.conversation_retention_days)
    reviews = session.execute(
        delete(InsightReviewMessage).where(InsightReviewMessage.at < messages_before)
    ).rowcount
    # scrubbed questions the help centre was searched for: as long as the conversations
    help_turns = session.execute(
        delete(HelpCentreTurn).where(HelpCentreTurn.at < messages_before)
    ).rowcount
    # what the widget was sent, kept for a returning widget: as long as the conversations
    widget_messages = session.execute(
        delete(ConversationMessage).where(ConversationMessage.at < messages_before)
    ).rowcount
    directory = upload_dir or get_settings().upload_dir
    shots = screenshots.remove_with_tickets(session, expired_tickets(now, policy), directory)
    shots += screenshots.remove_orphans(session, directory, now)
    tickets, audit = prune_records(session, now, policy)
    labelled = 0
    if review_file is not None:
        before = now - timedelta(days=policy.review_file_retention_days)
        labelled = prune_review_file(review_file, before)
    return RetentionReport(
        conversations, events, mails, challenges, tokens, reviews, tickets, audit, labelled,
        help_turns, widget_messages, shots,
    )  # fmt: skip
