"""Misunderstood messages: what the assistant did not understand, for a supervisor to
label "this was intent X" on the Insights page.

A customer message is kept for review when it hit the fallback (`nlu_fallback`) or
its intent's confidence was low, and no form was asking for data at the time (those
answers are emails, codes, addresses: data, not questions). Its text is scrubbed
again here, beyond the tracker store's scrubbing: emails, account IDs, usernames and
every number are replaced. A label appends the messages to the review file
(NLU_REVIEW_FILE, a YAML list of intent, language and text); nothing is trained from
it until a person moves the examples into data/nlu/.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config.settings import PROJECT_ROOT
from bot.db.models import InsightReviewMessage
from bot.nlu.entity_rules import ACCOUNT_ID, EMAIL, HANDLE, LETTERS_DIGITS
from bot.services.insights.outcomes import FALLBACK_INTENT, intent_of

REVIEW_BELOW = 0.5  # a recognised intent with less confidence than this is kept too
MAX_TEXT = 300
SIMILAR = 0.5  # character-trigram Jaccard from which two messages are one group
MAX_GROUP_EXAMPLES = 5
# runs of digits, with the spaces, dots, dashes, slashes or + people type inside them
NUMBER = re.compile(r"\+?\d(?:[\d\s./-]*\d)?")
URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
# what scrub() puts in place of what it removes
PLACEHOLDER = re.compile(r"\[(?:link|email|account|username|number)\]")


class LabelError(ValueError):
    """The label cannot be applied (message for the supervisor)."""


def scrub(text: str) -> str:
    """The message with nothing that could name a person or an account."""
    text = URL.sub("[link]", text)
    text = EMAIL.sub("[email]", text)
    text = ACCOUNT_ID.sub("[account]", text)
    text = HANDLE.sub("[username]", text)
    text = LETTERS_DIGITS.sub("[username]", text)
    text = NUMBER.sub("[number]", text)
    return " ".join(text.split())[:MAX_TEXT]


def _confidence(event: Mapping[str, Any]) -> float:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    try:
        return float(intent.get("confidence") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def _best_guess(event: Mapping[str, Any]) -> str | None:
    """The classifier's top intent behind a fallback (Rasa keeps it in the ranking)."""
    for ranked in (event.get("parse_data") or {}).get("intent_ranking") or []:
        name = ranked.get("name") if isinstance(ranked, Mapping) else None
        if name and name != FALLBACK_INTENT:
            return str(name)[:64]
    return None


def review_message(
    event: Mapping[str, Any],
    *,
    at: datetime,
    language: str | None,
    channel: str,
    in_form: bool,
) -> InsightReviewMessage | None:
    """The review row for a user message worth a look, or None."""
    intent = intent_of(event)
    confidence = _confidence(event)
    if in_form or (intent != FALLBACK_INTENT and confidence >= REVIEW_BELOW):
        return None
    text = str(event.get("text") or "")
    if not text.strip() or text.startswith("/"):  # empty, or a button's payload
        return None
    return InsightReviewMessage(
        at=at,
        language=language,
        channel=channel,
        text=scrub(text),
        predicted_intent=intent,
        best_guess=_best_guess(event) if intent == FALLBACK_INTENT else intent,
        confidence=round(confidence, 3),
    )


# --- grouping ----------------------------------------------------------------------


def _trigrams(text: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in folded if c.isalnum() or c.isspace() or c == "[")
    padded = f"  {' '.join(letters.split())} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass
class Group:
    """Similar messages of one language, newest first; `ids` are all of them."""

    language: str | None
    ids: list[int] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    best_guesses: dict[str, int] = field(default_factory=dict)
    signature: frozenset[str] = frozenset()

    def as_dict(self) -> dict[str, Any]:
        guess = max(self.best_guesses, key=self.best_guesses.__getitem__, default=None)
        return {
            "id": self.ids[0],
            "ids": self.ids,
            "count": len(self.ids),
            "language": self.language,
            "examples": self.examples,
            "best_guess": guess,
        }


def group_messages(rows: Iterable[InsightReviewMessage]) -> list[Group]:
    """Greedy grouping by character trigrams, largest groups first."""
    groups: list[Group] = []
    for row in rows:
        grams = _trigrams(row.text)
        home = next(
            (
                g
                for g in groups
                if g.language == row.language and _similarity(g.signature, grams) >= SIMILAR
            ),
            None,
        )
        if home is None:
            home = Group(row.language, signature=grams)
            groups.append(home)
        home.ids.append(row.id)
        if len(home.examples) < MAX_GROUP_EXAMPLES and row.text not in home.examples:
            home.examples.append(row.text)
        if row.best_guess:
            home.best_guesses[row.best_guess] = home.best_guesses.get(row.best_guess, 0) + 1
    return sorted(groups, key=lambda g: -len(g.ids))


def open_groups(
    session: Session,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    language: str | None = None,
    limit: int = 1000,
) -> list[Group]:
    """The messages of the period neither labelled nor ignored (newest `limit`), grouped."""
    query = select(InsightReviewMessage).where(
        InsightReviewMessage.labelled_intent.is_(None), InsightReviewMessage.ignored_at.is_(None)
    )
    if start is not None:
        query = query.where(InsightReviewMessage.at >= start)
    if end is not None:
        query = query.where(InsightReviewMessage.at < end)
    if language:
        query = query.where(InsightReviewMessage.language == language)
    rows = session.scalars(query.order_by(InsightReviewMessage.at.desc()).limit(limit))
    return group_messages(rows)


# --- labelling ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def known_intents(domain: Path = PROJECT_ROOT / "domain.yml") -> tuple[str, ...]:
    """The domain's intents a message can be labelled with (not the fallback)."""
    raw = yaml.safe_load(domain.read_text(encoding="utf-8")) or {}
    names = [next(iter(i)) if isinstance(i, dict) else str(i) for i in raw.get("intents", [])]
    return tuple(sorted(name for name in names if name != FALLBACK_INTENT))


# The most messages one label may take (the desk refuses more with a 400).
MAX_LABEL_IDS = 500


def label(
    session: Session,
    ids: Sequence[int],
    intent: str,
    *,
    by: str,
    now: datetime,
    review_file: Path,
) -> int:
    """Mark the messages as `intent` and append them to the review file; how many.
    The caller commits."""
    if intent not in known_intents():
        raise LabelError(f"unknown intent {intent!r}")
    rows = list(
        session.scalars(
            select(InsightReviewMessage).where(
                InsightReviewMessage.id.in_(list(ids)[:MAX_LABEL_IDS]),
                InsightReviewMessage.labelled_intent.is_(None),
                InsightReviewMessage.ignored_at.is_(None),  # a page shown before the ignore
            )
        )
    )
    if not rows:
        raise LabelError("no such message waiting for review")
    for row in rows:
        row.labelled_intent, row.labelled_by, row.labelled_at = intent, by, now
    _append(review_file, intent, rows, by, now)
    return len(rows)


def ignore(session: Session, ids: Sequence[int], *, by: str, now: datetime) -> int:
    """Mark the messages as needing no label (small talk, a customer's typo...): they
    leave the review list and nothing goes to the review file; how many. The caller
    commits."""
    rows = list(
        session.scalars(
            select(InsightReviewMessage).where(
                InsightReviewMessage.id.in_(list(ids)[:MAX_LABEL_IDS]),
                InsightReviewMessage.labelled_intent.is_(None),
                InsightReviewMessage.ignored_at.is_(None),
            )
        )
    )
    if not rows:
        raise LabelError("no such message waiting for review")
    for row in rows:
        row.ignored_at, row.ignored_by = now, by
    return len(rows)


# Groups per page of the review list.
PAGE_GROUPS = 20


@dataclass(frozen=True)
class Page:
    groups: list[Group]
    page: int  # 1 for the first
    pages: int  # at least 1
    total: int  # groups on every page


def page_of(groups: Sequence[Group], page: int, size: int = PAGE_GROUPS) -> Page:
    """One page of the groups (largest first); a page past the last gives the last."""
    pages = max(1, -(-len(groups) // size))
    page = min(max(page, 1), pages)
    return Page(list(groups[(page - 1) * size : page * size]), page, pages, len(groups))


_HEADER = (
    "# Misunderstood messages labelled on the desk's Insights page (NLU_REVIEW_FILE).\n"
    "# Never trained on as is: check each example, then move it into\n"
    "# data/nlu/<language>/ under its intent and retrain (make train).\n"
)


def _append(
    path: Path, intent: str, rows: Sequence[InsightReviewMessage], by: str, now: datetime
) -> None:
    entries = [_entry(intent, row, by, now) for row in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with path.open("a", encoding="utf-8") as out:
        if new:
            out.write(_HEADER)
        out.write(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False))


# --- removing entries (erasure, retention) -------------------------------------------


def _entry(intent: str, row: InsightReviewMessage, by: str, now: datetime) -> dict[str, Any]:
    return {
        "intent": intent,
        "language": row.language,
        "text": row.text,
        "was": row.predicted_intent,
        "labelled_by": by,
        "at": now.isoformat(timespec="seconds"),
    }


def _rewrite(path: Path, drop: Callable[[dict[str, Any]], bool]) -> int:
    """Rewrite the review file without the entries `drop` picks; how many went. The
    file is replaced whole (a reader never sees half of it) with its mode kept."""
    if not path.exists():
        return 0
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    kept = [e for e in entries if not (isinstance(e, dict) and drop(e))]
    if len(kept) == len(entries):
        return 0
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as out:
        out.write(_HEADER)
        if kept:
            out.write(yaml.safe_dump(kept, allow_unicode=True, sort_keys=False))
    shutil.copymode(path, temporary)
    os.replace(temporary, path)
    return len(entries) - len(kept)


def remove_from_review_file(path: Path, rows: Sequence[InsightReviewMessage]) -> int:
    """Remove the entries these labelled rows wrote (one entry per row); how many."""
    wanted: list[dict[str, Any]] = [
        _entry(row.labelled_intent, row, row.labelled_by, row.labelled_at)
        for row in rows
        if row.labelled_intent and row.labelled_at
    ]

    def drop(entry: dict[str, Any]) -> bool:
        if entry in wanted:
            wanted.remove(entry)
            return True
        return False

    return _rewrite(path, drop) if wanted else 0


def prune_review_file(path: Path, before: datetime) -> int:
    """Remove the entries labelled before `before`; how many."""

    def old(entry: dict[str, Any]) -> bool:
        try:
            return datetime.fromisoformat(str(entry.get("at"))) < before
        except ValueError:
            return False

    return _rewrite(path, old)
