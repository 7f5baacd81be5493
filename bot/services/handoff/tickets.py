"""Handoff tickets: what a person needs to take over, and nothing they must not see.

A ticket holds the topic, a short summary, the verification result, which details
matched (never a stored value: card digits masked, only what the customer typed),
and the transcript with codes and card numbers masked. The desk claims, answers and
closes tickets; a configured helpdesk webhook receives each new one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config.policy import Policy, get_policy
from bot.db.models import Account, HandoffTicket, TicketStatus, WebhookStatus
from bot.services.agents.status import available_for, is_away, languages_served_with
from bot.services.handoff.details import LAST4, SKIPPED, Detail, check_details
from bot.services.privacy import audit
from bot.services.privacy.redaction import (
    CODE_PLACEHOLDER,
    mask_emails,
    mask_numbers,
    remove_card_numbers,
)
from bot.services.privacy.tracker_scrubbing import OpenQuestion
from bot.services.topics import Topic

EVENT_CREATED = "handoff_ticket_created"
MAX_TRANSCRIPT_LINES = 200


OPEN_STATUSES = (TicketStatus.QUEUED.value, TicketStatus.ASSIGNED.value)


class Verification(str, enum.Enum):
    VERIFIED = "verified"  # correct one-time code to the registered email
    FAILED = "failed"  # wrong codes, or the code was not entered
    SKIPPED = "skipped"  # the customer skipped the questions
    NOT_ATTEMPTED = "not_attempted"  # no code was sent (e.g. after three wrong codes)


@dataclass(frozen=True)
class UnhelpfulArticle:
    """The help-centre article a customer said did not answer their question."""

    question: str  # as the tracker store keeps it; masked again for the ticket (safe_text)
    article_id: str
    title: str
    url: str


@dataclass(frozen=True)
class HandoffRequest:
    conversation_id: str
    channel: str
    language: str
    topic: Topic
    details: Mapping[str, str | None]  # detail name -> what the customer typed, or SKIPPED
    verification: Verification
    transcript: list[dict[str, str]] = field(default_factory=list)
    verified_account_id: int | None = None
    unhelpful_article: UnhelpfulArticle | None = None
    first_name: str | None = None  # when the channel says it: canned replies' {first_name}


@dataclass(frozen=True)
class HandoffOutcome:
    ticket_id: int
    in_hours: bool
    queue_position: int
    created: bool  # False: the conversation already had an open ticket


# --- transcript -----------------------------------------------------------------


def safe_text(text: str) -> str:
    """Text a ticket may keep: card numbers removed, emails, codes and card endings masked."""
    return mask_numbers(mask_emails(text))


def _still_a_code(span: str) -> bool:
    """Digits, maybe typed with spaces or a dash ("482 913"), not a placeholder."""
    digits = span.replace(" ", "").replace("-", "")
    return digits.isdigit()


def _otp_spans_masked(event: Mapping[str, Any], text: str) -> str:
    """The text with every otp_code entity the NLU found replaced by the placeholder."""
    entities = (event.get("parse_data") or {}).get("entities") or []
    spans = sorted(
        (
            (int(e["start"]), int(e["end"]))
            for e in entities
            if isinstance(e, Mapping)
            and e.get("entity") == "otp_code"
            and isinstance(e.get("start"), int)
            and isinstance(e.get("end"), int)
            # a stored event's text is already scrubbed: replace only what is still digits
            and _still_a_code(text[int(e["start"]) : int(e["end"])])
        ),
        reverse=True,
    )
    for start, end in spans:
        text = text[:start] + CODE_PLACEHOLDER + text[end:]
    return text


def messages_without_codes(
    events: Iterable[Mapping[str, Any]],
) -> Iterator[tuple[Mapping[str, Any], str]]:
    """User and bot message events with their text, one-time codes replaced.

    A message typed while a form asked for a one-time code is replaced as a whole
    (codes may be typed "123 456"); elsewhere the otp_code entities the NLU found are.
    An answer to the card question has its four-digit groups masked.
    """
    question = OpenQuestion()
    for event in events:
        kind = event.get("event")
        if kind in ("user", "bot"):
            text = str(event.get("text") or "")
            if kind == "user" and text and question.asks_code:
                text = CODE_PLACEHOLDER
            elif kind == "user" and question.asks_card_ending:
                # "1881 grazie": the answer, whatever surrounds it
                text = LAST4.sub("••••", remove_card_numbers(text))
            elif kind == "user":
                text = _otp_spans_masked(event, text)
            if text:
                yield event, text
        question.see(event)


def transcript_from_events(events: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """User and bot lines from Rasa tracker events, safe to show to an agent: codes
    replaced (`messages_without_codes`), card numbers removed, emails, codes and card
    endings masked."""
    lines: list[dict[str, str]] = []
    for event, text in messages_without_codes(events):
        at = event.get("timestamp")
        when = datetime.utcfromtimestamp(float(at)).isoformat() if at else ""
        lines.append({"role": str(event["event"]), "text": safe_text(text), "at": when})
    return lines[-MAX_TRANSCRIPT_LINES:]


# --- ticket ---------------------------------------------------------------------


def _shown_value(detail: str, value: str | None) -> str | None:
    """What the ticket keeps of a detail the customer typed."""
    if value is None or value == SKIPPED:
        return value
    if detail == Detail.CARD_LAST4.value:
        return "••••"  # whether it matched is what the agent needs
    return safe_text(value)


def _summary(request: HandoffRequest, matched: Mapping[str, bool | None], found: bool) -> str:
    reason = request.details.get(Detail.REASON.value)
    parts = [request.topic.value.replace("_", " ")]
    if reason and reason != SKIPPED:
        parts.append(f'"{safe_text(reason)[:160]}"')
    article = request.unhelpful_article
    if article is not None:
        if article.question:
            parts.append(f'question: "{safe_text(article.question)[:160]}"')
        not_helped = f'{article.article_id} "{article.title}" {article.url}'
        parts.append(f"article that did not help: {not_helped}")
    parts.append(f"verification: {request.verification.value.replace('_', ' ')}")
    yes = [name for name, ok in matched.items() if ok]
    no = [name for name, ok in matched.items() if ok is False]
    if yes:
        parts.append("matched: " + ", ".join(yes))
    if no:
        parts.append("not matched: " + ", ".join(no))
    if not found:
        parts.append("no account found from the details")
    return "; ".join(parts)


def open_ticket(
    session: Session,
    request: HandoffRequest,
    now: datetime,
    *,
    webhook_enabled: bool = False,
    policy: Policy | None = None,
) -> HandoffOutcome:
    """Write the ticket (or reuse the conversation's open one) and say where it stands."""
    policy = policy or get_policy()
    existing = session.scalars(
        select(HandoffTicket).where(
            HandoffTicket.conversation_id == request.conversation_id,
            HandoffTicket.status.in_(OPEN_STATUSES),
        )
    ).first()
    created = existing is None
    if existing is None:
        check = check_details(session, request.details, request.verified_account_id)
        verified = request.verification is Verification.VERIFIED
        ticket = HandoffTicket(
            conversation_id=request.conversation_id,
            channel=request.channel,
            language=request.language,
            topic=request.topic.value,
            summary=_summary(request, check.matched, check.account_id is not None),
            verification={
                "status": request.verification.value,
                "method": "one_time_code"
                if request.verification in (Verification.VERIFIED, Verification.FAILED)
                else None,
                "account_found": check.account_id is not None,
                "details": [
                    {
                        "name": name,
                        "value": _shown_value(name, request.details.get(name)),
                        "matched": check.matched.get(name),
                    }
                    for name in request.details
                    if name != Detail.REASON.value
                ],
            },
            transcript=request.transcript,
            status=TicketStatus.QUEUED.value,
            created_at=now,
            updated_at=now,
            account_id=request.verified_account_id if verified else None,
            webhook_status=WebhookStatus.PENDING.value if webhook_enabled else None,
            webhook_attempts=0,
            first_name=(request.first_name or "").strip()[:80] or None,
        )
        session.add(ticket)
        session.flush()
        audit.record(
            session, EVENT_CREATED, request.conversation_id, None,
            {"topic": request.topic.value, "verification": request.verification.value}, now=now,
        )  # fmt: skip
        session.commit()
    else:
        ticket = existing
    return HandoffOutcome(
        ticket_id=ticket.id,
        in_hours=policy.support_hours[ticket.language].is_open(now),
        queue_position=queue_position(session, ticket),
        created=created,
    )


def queue_position(session: Session, ticket: HandoffTicket) -> int:
    """1 for the next ticket a person of that language team will take. Only available
    agents count: the tickets ahead are the queued ones in every language the available
    agents of this team serve (they take the oldest first); with nobody of the team
    available, the team's own language (what it will find on its return)."""
    if ticket.status != TicketStatus.QUEUED.value:
        return 0
    languages = languages_served_with(session, ticket.language) or {ticket.language}
    ahead = session.scalar(
        select(func.count())
        .select_from(HandoffTicket)
        .where(
            HandoffTicket.status == TicketStatus.QUEUED.value,
            HandoffTicket.language.in_(sorted(languages)),
            HandoffTicket.id < ticket.id,
        )
    )
    return int(ahead or 0) + 1


def webhook_payload(ticket: HandoffTicket) -> dict[str, Any]:
    """The JSON a helpdesk receives (documented in the README). No account link."""
    return {
        "event": "handoff.ticket_created",
        "ticket": {
            "id": ticket.id,
            "conversation_id": ticket.conversation_id,
            "channel": ticket.channel,
            "language": ticket.language,
            "topic": ticket.topic,
            "summary": ticket.summary,
            "verification": ticket.verification,
            "transcript": ticket.transcript,
            "status": ticket.status,
            "created_at": ticket.created_at.isoformat(),
        },
    }


def record_delivery(session: Session, ticket_id: int, delivered: bool, attempts: int) -> None:
    """What became of the ticket's webhook: delivered, or failed after `attempts`."""
    ticket = session.get(HandoffTicket, ticket_id)
    if ticket is None:
        return  # erased meanwhile: nothing to record
    status = WebhookStatus.DELIVERED if delivered else WebhookStatus.FAILED
    ticket.webhook_status = status.value
    ticket.webhook_attempts = attempts
    session.commit()


# --- desk -----------------------------------------------------------------------

MAX_SEARCH_RESULTS = 100


@dataclass(frozen=True)
class TicketSearch:
    """Past conversations: by ticket number, verified account (AC-123456), day created."""

    ticket_id: int | None = None
    account_public_id: str | None = None
    day: date | None = None


def list_tickets(
    session: Session,
    *,
    languages: Iterable[str],
    topic: str | None = None,
    statuses: Iterable[str] = OPEN_STATUSES,
    away: bool = False,
    search: TicketSearch | None = None,
) -> list[HandoffTicket]:
    """Oldest first (the queue's order); `away`: the agent is offered no queued ticket
    (the ones taken still show); `search`: past conversations, newest first."""
    if away:
        statuses = [status for status in statuses if status != TicketStatus.QUEUED.value]
    query = select(HandoffTicket).where(
        HandoffTicket.language.in_(list(languages)),
        HandoffTicket.status.in_(list(statuses)),
    )
    if topic:
        query = query.where(HandoffTicket.topic == topic)
    if search is None:
        return list(session.scalars(query.order_by(HandoffTicket.created_at, HandoffTicket.id)))
    if search.ticket_id is not None:
        query = query.where(HandoffTicket.id == search.ticket_id)
    if search.account_public_id is not None:
        account = select(Account.id).where(Account.public_id == search.account_public_id)
        query = query.where(HandoffTicket.account_id == account.scalar_subquery())
    if search.day is not None:
        start = datetime.combine(search.day, time())
        query = query.where(
            HandoffTicket.created_at >= start, HandoffTicket.created_at < start + timedelta(days=1)
        )
    newest = query.order_by(HandoffTicket.created_at.desc(), HandoffTicket.id.desc())
    return list(session.scalars(newest.limit(MAX_SEARCH_RESULTS)))


class TicketError(Exception):
    """The ticket cannot change that way (message for the agent)."""


def claim(session: Session, ticket_id: int, agent: str, now: datetime) -> HandoffTicket:
    ticket = session.get(HandoffTicket, ticket_id, with_for_update=True)
    if ticket is None:
        raise TicketError("no such ticket")
    if ticket.status == TicketStatus.CLOSED.value:
        raise TicketError("this ticket is closed")
    if ticket.status == TicketStatus.ASSIGNED.value and ticket.assigned_to != agent:
        raise TicketError(f"already taken by {ticket.assigned_to}")
    if ticket.status == TicketStatus.QUEUED.value and is_away(session, agent):
        raise TicketError("you are away: set yourself available to take a ticket")
    ticket.status = TicketStatus.ASSIGNED.value
    ticket.assigned_to = agent
    ticket.updated_at = now
    session.commit()
    return ticket


def _held_by(session: Session, ticket_id: int, agent: str, doing: str) -> HandoffTicket:
    """The ticket, locked, when `agent` holds it; else why not. A closed ticket stays as
    it was closed: a second hand-back would rewrite its note and ask the customer again
    whether the person helped."""
    ticket = session.get(HandoffTicket, ticket_id, with_for_update=True)
    if ticket is None:
        raise TicketError("no such ticket")
    if ticket.status != TicketStatus.ASSIGNED.value or ticket.assigned_to != agent:
        raise TicketError(
            "this ticket is closed"
            if ticket.status == TicketStatus.CLOSED.value
            else f"claim the ticket before {doing}"
        )
    return ticket


def close(session: Session, ticket_id: int, agent: str, note: str, now: datetime) -> HandoffTicket:
    ticket = _held_by(session, ticket_id, agent, "handing back")
    ticket.status = TicketStatus.CLOSED.value
    ticket.resolution_note = note.strip()[:2000] or None
    ticket.closed_at = now
    ticket.updated_at = now
    session.commit()
    return ticket


def transfer(
    session: Session,
    ticket_id: int,
    agent: str,
    to: str | None,
    now: datetime,
    *,
    refused: Iterable[str] = (),
) -> HandoffTicket:
    """Give the agent's claimed ticket to `to`, an available agent of its language
    team, or (None) put it back in the queue where it was (its place is its age)."""
    ticket = _held_by(session, ticket_id, agent, "transferring it")
    if to is None:
        ticket.status = TicketStatus.QUEUED.value
        ticket.assigned_to = None
    elif to == agent:
        raise TicketError("the ticket is already yours")
    elif to not in available_for(session, ticket.language, refused=list(refused)):
        raise TicketError(f"{to} is not an available agent of the {ticket.language} team")
    else:
        ticket.assigned_to = to
    ticket.updated_at = now
    session.commit()
    return ticket
