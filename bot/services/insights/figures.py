"""The Insights figures: Rasa's stored events read incrementally into our own
`insight_conversations` table, then counted per language and channel over a period.

`refresh` reads the tracker store's `events` table from the last event id it read
(kept in `insight_cursors`), in both profiles: the events there are already scrubbed
and every Rasa server writes them. It keeps no text and no sender ID, only a keyed
hash of it, intent names, times, the language, the channel and the handoff topic;
messages not understood go, scrubbed, to the review list (bot/services/insights/misunderstood.py).
Two refreshes at once cannot count an event twice: the cursor moves only from the
value a refresh started from, or its batch is rolled back.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.db.models import InsightConversation, InsightCursor, InsightReviewMessage
from bot.services.insights.agents import AgentFigures, agent_figures
from bot.services.insights.help_centre import HelpCentreFigures, help_centre_figures
from bot.services.insights.misunderstood import review_message
from bot.services.insights.outcomes import (
    FALLBACK_INTENT,
    Outcome,
    Windows,
    apply_event,
    asks_something,
    came_back_within,
    channel_of,
    event_time,
    new_conversation,
    outcome,
)
from bot.services.privacy import tracker_events
from bot.services.privacy.redaction import conversation_key

CURSOR = "tracker_events"
BATCH_EVENTS = 5000
# Events younger than this are left for the next refresh: on PostgreSQL a turn's
# events may commit a moment after a later id of another conversation.
SETTLE = timedelta(seconds=2)
TOP = 10
MAX_DAYS = 366  # the trend shows at most the last year of the period, a bar a day


class RefreshConflict(RuntimeError):
    """Another refresh moved the cursor first; this batch was not kept."""


def _unix(naive_utc: datetime) -> float:
    return naive_utc.replace(tzinfo=timezone.utc).timestamp()


def _recent_rows(session: Session, keys: Iterable[str]) -> dict[str, list[InsightConversation]]:
    """Each conversation's rows, oldest first (the last is the current session)."""
    found: dict[str, list[InsightConversation]] = defaultdict(list)
    keys = sorted(set(keys))
    for start in range(0, len(keys), 500):
        query = (
            select(InsightConversation)
            .where(InsightConversation.conversation_key.in_(keys[start : start + 500]))
            .order_by(InsightConversation.started_at, InsightConversation.id)
        )
        for row in session.scalars(query):
            found[row.conversation_key].append(row)
    return found


def _fold(
    session: Session,
    rows: list[InsightConversation],
    key: str,
    sender_id: str,
    event: dict[str, Any],
    windows: Windows,
    unlabelled: list[InsightReviewMessage],
) -> None:
    """Fold one event into its conversation's rows; `unlabelled` holds this
    conversation's review messages that still wait for their language."""
    current = rows[-1] if rows else None
    starts = event.get("event") == "session_started"
    if current is None or (starts and (current.user_messages or current.handed_off_at)):
        previous_language = current.language if current else None
        current = new_conversation(key, channel_of(sender_id), event_time(event))
        current.language = previous_language  # as Rasa carries the slot over
        session.add(current)
        rows.append(current)
    if asks_something(event) and len(rows) > 1 and not rows[-2].came_back:
        rows[-2].came_back = came_back_within(rows[-2], event_time(event), windows)
    if event.get("event") == "user":
        review = review_message(
            event, at=event_time(event), language=current.language,
            channel=current.channel, in_form=current.in_form,
        )  # fmt: skip
        if review is not None:
            review.conversation_key = key
            session.add(review)
            unlabelled.append(review)
    apply_event(current, event)
    # the first message's language is set just after it (action_track_conversation)
    while unlabelled and current.language:
        unlabelled.pop().language = current.language


def refresh(
    session: Session,
    tracker: Connection,
    windows: Windows,
    now: datetime,
    *,
    batch_events: int = BATCH_EVENTS,
) -> int:
    """Fold every tracker event not read yet into the insight rows; how many were read.
    Commits after each batch."""
    if not tracker_events.has_events_table(tracker):
        return 0
    events = tracker_events.EVENTS
    newest = _unix(now - SETTLE)
    read = 0
    while True:
        start = session.get(InsightCursor, CURSOR, populate_existing=True).last_event_id
        batch = tracker.execute(
            select(events.c.id, events.c.sender_id, events.c.timestamp, events.c.data)
            .where(events.c.id > start)
            .order_by(events.c.id)
            .limit(batch_events)
        ).all()
        batch = _settled_prefix(batch, newest)
        if not batch:
            return read
        keys = {sender: conversation_key(sender) for sender in {e.sender_id for e in batch}}
        rows = _recent_rows(session, keys.values())
        waiting: dict[str, list[InsightReviewMessage]] = defaultdict(list)
        for event in batch:
            key = keys[event.sender_id]
            data = json.loads(event.data)
            _fold(session, rows[key], key, event.sender_id, data, windows, waiting[key])
        moved = session.execute(
            update(InsightCursor)
            .where(InsightCursor.name == CURSOR, InsightCursor.last_event_id == start)
            .values(last_event_id=batch[-1].id)
        ).rowcount
        if moved != 1:
            session.rollback()
            raise RefreshConflict("another refresh read these events first")
        session.commit()
        read += len(batch)
        if len(batch) < batch_events:
            return read


def rewind_after_deletion(session: Session, newest_event_id: int) -> None:
    """After events were deleted (erasure, retention): read again from the highest id
    left. SQLite gives a new row the highest id + 1, so the ids of deleted newest rows
    come back; the cursor, past them, would skip those new events for ever. Call with
    the id read in the deleting transaction: later rows are above it."""
    session.execute(
        update(InsightCursor)
        .where(InsightCursor.name == CURSOR, InsightCursor.last_event_id > newest_event_id)
        .values(last_event_id=newest_event_id)
    )


def _settled_prefix(batch: Sequence[Any], newest: float) -> Sequence[Any]:
    """The events up to the first one too recent to be sure nothing before it is missing."""
    for index, event in enumerate(batch):
        if (event.timestamp or 0) > newest:
            return batch[:index]
    return batch


# --- figures ------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    start: datetime | None = None  # conversations started at or after (naive UTC)
    end: datetime | None = None  # and before
    language: str | None = None
    channel: str | None = None


@dataclass
class Figures:
    """One group's figures; rates are shares of the settled conversations (0-1)."""

    conversations: int = 0
    in_progress: int = 0
    settled: int = 0
    resolved: int = 0
    handed_off: int = 0
    misunderstood: int = 0
    abandoned: int = 0
    resolution_rate: float | None = None
    handoff_rate: float | None = None
    misunderstood_rate: float | None = None
    abandonment_rate: float | None = None
    user_messages: int = 0
    fallbacks: int = 0
    fallback_rate: float | None = None  # share of customer messages not understood
    handoff_topics: list[tuple[str, int]] = field(default_factory=list)
    handoffs_claimed: int = 0
    median_wait_seconds: float | None = None  # from the ticket to an agent's claim
    handed_back: int = 0
    satisfaction_answers: int = 0
    satisfied: int = 0
    satisfaction_rate: float | None = None  # share of answers saying it helped
    ratings: int = 0
    average_rating: float | None = None
    top_intents: list[tuple[str, int]] = field(default_factory=list)
    # the help centre (bot/services/insights/help_centre.py): messages answered from an
    # article, searched without a good one, and the share of "yes, it answered"
    help_answered: int = 0
    help_not_answered: int = 0
    help_helpful_rate: float | None = None

    def add_help_centre(self, figures: HelpCentreFigures) -> None:
        self.help_answered = figures.answered
        self.help_not_answered = figures.not_answered
        self.help_helpful_rate = figures.helpful_rate


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class _Tally:
    """Counts one group's rows; `figures()` turns them into `Figures`."""

    def __init__(self) -> None:
        self.outcomes: Counter[Outcome] = Counter()
        self.topics: Counter[str] = Counter()
        self.intents: Counter[str] = Counter()
        self.waits: list[float] = []
        self.user_messages = self.fallbacks = self.handed_back = 0
        self.answers = self.satisfied = 0
        self.ratings: list[int] = []

    def add(self, row: Any, result: Outcome) -> None:
        self.outcomes[result] += 1
        self.user_messages += row.user_messages
        self.fallbacks += row.fallbacks
        self.intents.update({k: v for k, v in (row.intents or {}).items() if k != FALLBACK_INTENT})
        if row.handed_off_at is not None:
            self.topics[row.handoff_topic] += 1
            if row.agent_claimed_at is not None:
                self.waits.append((row.agent_claimed_at - row.handed_off_at).total_seconds())
            self.handed_back += row.handed_back_at is not None
        if row.helped is not None:
            self.answers += 1
            self.satisfied += bool(row.helped)
        if row.rating is not None:
            self.ratings.append(row.rating)

    def figures(self) -> Figures:
        counts = self.outcomes
        total = sum(counts.values())
        settled = total - counts[Outcome.IN_PROGRESS]
        return Figures(
            conversations=total,
            in_progress=counts[Outcome.IN_PROGRESS],
            settled=settled,
            resolved=counts[Outcome.RESOLVED],
            handed_off=counts[Outcome.HANDED_OFF],
            misunderstood=counts[Outcome.MISUNDERSTOOD],
            abandoned=counts[Outcome.ABANDONED],
            resolution_rate=_share(counts[Outcome.RESOLVED], settled),
            handoff_rate=_share(counts[Outcome.HANDED_OFF], settled),
            misunderstood_rate=_share(counts[Outcome.MISUNDERSTOOD], settled),
            abandonment_rate=_share(counts[Outcome.ABANDONED], settled),
            user_messages=self.user_messages,
            fallbacks=self.fallbacks,
            fallback_rate=_share(self.fallbacks, self.user_messages),
            handoff_topics=self.topics.most_common(TOP),
            handoffs_claimed=len(self.waits),
            median_wait_seconds=round(statistics.median(self.waits), 1) if self.waits else None,
            handed_back=self.handed_back,
            satisfaction_answers=self.answers,
            satisfied=self.satisfied,
            satisfaction_rate=_share(self.satisfied, self.answers),
            ratings=len(self.ratings),
            average_rating=round(statistics.fmean(self.ratings), 2) if self.ratings else None,
            top_intents=self.intents.most_common(TOP),
        )


@dataclass
class Day:
    """One day of the trend: the conversations started that day, by outcome."""

    day: str  # ISO date, UTC
    conversations: int = 0
    resolved: int = 0
    handed_off: int = 0
    misunderstood: int = 0
    abandoned: int = 0
    in_progress: int = 0

    def add(self, result: Outcome) -> None:
        self.conversations += 1
        name = result.value
        setattr(self, name, getattr(self, name) + 1)


def _trend(days: dict[date, Day], filters: Filters) -> list[Day]:
    """Every day of the period, oldest first, the days without a conversation too (the
    period's bounds when given, else the first and last day seen); at most MAX_DAYS."""
    if not days and (filters.start is None or filters.end is None):
        return []
    first = filters.start.date() if filters.start else min(days)
    last = (filters.end - timedelta(days=1)).date() if filters.end else max(days)
    first = max(first, last - timedelta(days=MAX_DAYS - 1))
    count = (last - first).days + 1
    every = (first + timedelta(days=n) for n in range(max(count, 0)))
    return [days.get(d) or Day(d.isoformat()) for d in every]


@dataclass
class Report:
    overall: Figures
    by_language: dict[str, Figures]
    by_channel: dict[str, Figures]
    # per article, and the top searches with no good article (overall, filters applied)
    help_centre: HelpCentreFigures = field(default_factory=HelpCentreFigures)
    by_day: list[Day] = field(default_factory=list)
    by_agent: list[AgentFigures] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_COLUMNS = (
    InsightConversation.started_at,
    InsightConversation.last_event_at,
    InsightConversation.channel,
    InsightConversation.language,
    InsightConversation.user_messages,
    InsightConversation.fallbacks,
    InsightConversation.ended_on_fallback,
    InsightConversation.intents,
    InsightConversation.flow_finished_at,
    InsightConversation.confirmed,
    InsightConversation.came_back,
    InsightConversation.handed_off_at,
    InsightConversation.handoff_topic,
    InsightConversation.agent_claimed_at,
    InsightConversation.handed_back_at,
    InsightConversation.helped,
    InsightConversation.rating,
)


def report(session: Session, filters: Filters, now: datetime, windows: Windows) -> Report:
    """The figures of the conversations started in the period, overall and per
    language and channel (each with the other filters applied)."""
    query = select(*_COLUMNS)
    if filters.start is not None:
        query = query.where(InsightConversation.started_at >= filters.start)
    if filters.end is not None:
        query = query.where(InsightConversation.started_at < filters.end)
    if filters.language:
        query = query.where(InsightConversation.language == filters.language)
    if filters.channel:
        query = query.where(InsightConversation.channel == filters.channel)
    overall = _Tally()
    languages: dict[str, _Tally] = defaultdict(_Tally)
    channels: dict[str, _Tally] = defaultdict(_Tally)
    days: dict[date, Day] = {}
    for row in session.execute(query):
        result = outcome(row, now, windows)
        overall.add(row, result)
        languages[row.language or "unknown"].add(row, result)
        channels[row.channel].add(row, result)
        started = row.started_at.date()
        days.setdefault(started, Day(started.isoformat())).add(result)
    built = Report(
        overall.figures(),
        {name: tally.figures() for name, tally in sorted(languages.items())},
        {name: tally.figures() for name, tally in sorted(channels.items())},
        by_day=_trend(days, filters),
    )
    period = {"start": filters.start, "end": filters.end}
    built.by_agent = agent_figures(
        session, **period, language=filters.language, channel=filters.channel
    )
    built.help_centre = help_centre_figures(
        session, **period, language=filters.language, channel=filters.channel
    )
    built.overall.add_help_centre(built.help_centre)
    for name, group in built.by_language.items():
        group.add_help_centre(
            help_centre_figures(session, **period, language=name, channel=filters.channel)
        )
    for name, group in built.by_channel.items():
        group.add_help_centre(
            help_centre_figures(session, **period, language=filters.language, channel=name)
        )
    return built


CSV_FIELDS = (
    "group", "value", "conversations", "in_progress", "resolved", "handed_off",
    "misunderstood", "abandoned", "resolution_rate", "handoff_rate", "misunderstood_rate",
    "abandonment_rate", "fallback_rate", "handoffs_claimed", "median_wait_seconds",
    "handed_back", "satisfaction_answers", "satisfaction_rate", "average_rating",
    "top_handoff_topics", "top_intents", "help_answered", "help_not_answered",
    "help_helpful_rate",
)  # fmt: skip


def _csv_row(group: str, value: str, figures: Figures) -> dict[str, Any]:
    values = asdict(figures)
    row = {name: values.get(name) for name in CSV_FIELDS[2:]}
    for name, source in (("top_handoff_topics", "handoff_topics"), ("top_intents", "top_intents")):
        row[name] = " ".join(f"{label}:{count}" for label, count in values[source])
    return {"group": group, "value": value, **{k: "" if v is None else v for k, v in row.items()}}


def report_csv(result: Report) -> str:
    """One line overall, then one per language and per channel."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerow(_csv_row("overall", "all", result.overall))
    for group, figures_by in (("language", result.by_language), ("channel", result.by_channel)):
        for value, figures in figures_by.items():
            writer.writerow(_csv_row(group, value, figures))
    return out.getvalue()
