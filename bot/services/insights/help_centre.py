"""The help centre on the Insights page: each message it was searched for and each
"Did this answer your question?", written by the action server as they happen
(table `help_centre_turns`), and the figures the page shows:

- questions answered from an article (and those with no good article);
- per article, how often it was given and its helpful rate: yes / (yes + no);
- the top searches with no good article, so the team knows which article to write
  next: scrubbed (misunderstood.scrub: no email, number, account ID or link) and
  grouped when their content lemmas are the same, with a count.

No personal data: the question only scrubbed, the conversation only as its keyed
hash (erasure finds the rows by it; retention deletes them with the conversations).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import HelpCentreTurn
from bot.services.help_centre.index import content_words
from bot.services.insights.misunderstood import PLACEHOLDER, scrub
from bot.services.insights.outcomes import channel_of
from bot.services.privacy.redaction import conversation_key

if TYPE_CHECKING:  # the search's imports (bm25s) stay out of the desk
    from bot.services.help_centre.search import Answer

TOP = 10
MAX_EXAMPLES = 3


def record_turn(
    session: Session,
    conversation_id: str,
    language: str,
    intent: str,
    question: str,
    answer: Answer | None,
    score: float | None,
    now: datetime,
) -> None:
    """One message the help centre was searched for: `answer` given, or None. The
    caller commits."""
    article = answer.article if answer is not None else None
    session.add(
        HelpCentreTurn(
            at=now,
            conversation_key=conversation_key(conversation_id),
            channel=channel_of(conversation_id),
            language=language[:2],
            intent=intent[:64],
            question=scrub(question),
            answered=answer is not None,
            article_id=article.id[:128] if article else None,
            topic=article.topic[:64] if article else None,
            article_language=article.language[:2] if article else None,
            score=round(score, 4) if score is not None else None,
        )
    )


def record_feedback(session: Session, conversation_id: str, helpful: bool) -> bool:
    """The yes / no on the conversation's latest article; False when it had none.
    The caller commits."""
    latest = session.scalars(
        select(HelpCentreTurn)
        .where(
            HelpCentreTurn.conversation_key == conversation_key(conversation_id),
            HelpCentreTurn.answered.is_(True),
        )
        .order_by(HelpCentreTurn.at.desc(), HelpCentreTurn.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return False
    latest.helpful = helpful
    return True


# --- figures -------------------------------------------------------------------------


@dataclass
class ArticleFigures:
    id: str
    topic: str | None
    answered: int = 0  # times it was given
    yes: int = 0
    no: int = 0
    helpful_rate: float | None = None  # yes / (yes + no)


@dataclass
class SearchGroup:
    """Searches with no good article whose content lemmas are the same."""

    language: str
    count: int
    examples: list[str]  # scrubbed, most frequent first
    # how the intent model read them: out_of_scope ones are often truly off-domain
    # (the weather), ask_how_to and nlu_fallback ones often an article to write
    intents: dict[str, int] = field(default_factory=dict)


@dataclass
class HelpCentreFigures:
    searched: int = 0  # messages the help centre was searched for
    answered: int = 0  # answered from an article
    not_answered: int = 0
    answered_rate: float | None = None
    feedback: int = 0  # answers to "did this answer your question?"
    helpful: int = 0
    helpful_rate: float | None = None
    articles: list[ArticleFigures] = field(default_factory=list)  # most given first
    no_good_article: list[SearchGroup] = field(default_factory=list)  # largest first

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def group_key(language: str, question: str) -> tuple[str, frozenset[str]] | None:
    """Questions with the same content lemmas (in their language) are one group;
    None when a question has no content word. What scrub() put in place of an email
    or a number is not a word: "X" and "X [email]" are one group."""
    words = frozenset(content_words(PLACEHOLDER.sub(" ", question), language))
    return (language, words) if words else None


def group_searches(rows: Iterable[tuple[str, str, str]], top: int = TOP) -> list[SearchGroup]:
    """(language, intent, scrubbed question) grouped by lemmas, largest groups first."""
    counts: Counter[tuple[str, frozenset[str]]] = Counter()
    texts: dict[tuple[str, frozenset[str]], Counter[str]] = {}
    intents: dict[tuple[str, frozenset[str]], Counter[str]] = {}
    for language, intent, question in rows:
        key = group_key(language, question) or (language, frozenset({question.casefold()}))
        counts[key] += 1
        texts.setdefault(key, Counter())[question] += 1
        intents.setdefault(key, Counter())[intent] += 1
    return [
        SearchGroup(
            language=key[0],
            count=count,
            examples=[text for text, _ in texts[key].most_common(MAX_EXAMPLES)],
            intents=dict(intents[key].most_common()),
        )
        for key, count in counts.most_common(top)
    ]


def help_centre_figures(
    session: Session,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    language: str | None = None,
    channel: str | None = None,
) -> HelpCentreFigures:
    """The help centre's figures over the turns in [start, end), for the Insights page."""
    query = select(HelpCentreTurn)
    if start is not None:
        query = query.where(HelpCentreTurn.at >= start)
    if end is not None:
        query = query.where(HelpCentreTurn.at < end)
    if language:
        query = query.where(HelpCentreTurn.language == language)
    if channel:
        query = query.where(HelpCentreTurn.channel == channel)
    figures = HelpCentreFigures()
    articles: dict[str, ArticleFigures] = {}
    unanswered: list[tuple[str, str, str]] = []
    for row in session.scalars(query.order_by(HelpCentreTurn.at)):
        figures.searched += 1
        if not row.answered:
            unanswered.append((row.language, row.intent, row.question))
            continue
        figures.answered += 1
        article = articles.setdefault(row.article_id, ArticleFigures(row.article_id, row.topic))
        article.answered += 1
        if row.helpful is not None:
            figures.feedback += 1
            figures.helpful += row.helpful
            article.yes += row.helpful
            article.no += not row.helpful
    for article in articles.values():
        article.helpful_rate = _share(article.yes, article.yes + article.no)
    figures.not_answered = len(unanswered)
    figures.answered_rate = _share(figures.answered, figures.searched)
    figures.helpful_rate = _share(figures.helpful, figures.feedback)
    figures.articles = sorted(articles.values(), key=lambda a: (-a.answered, a.id))
    figures.no_good_article = group_searches(unanswered)
    return figures
