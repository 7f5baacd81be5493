"""One help-centre article as a file: YAML front matter (id, title, language, product,
topic, url, updated, demo, questions) between `---` lines, then the markdown body
(help/README.md).

Reading checks what an article needs to be answered from; writing goes through
yaml.safe_dump, so no title or address can close the front matter or add a field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

import yaml

from bot.config.settings import LANGUAGES
from bot.nlu.folding import fold

# The topics of issue #24; an article about something else is "imported".
TOPICS = (
    "login-checklist", "reset-password", "forgot-login-email", "account-states",
    "reactivate", "owner-vs-team-member", "browsers-cache-cookies", "email-policy",
    "change-contact-email", "delete-personal-data", "who-can-cancel", "cancel-subscription",
    "cancel-mid-contract", "refunds", "change-plan", "toll-free-addon", "after-cancellation",
    "invoices-payment-method", "record-meeting", "share-screen", "audio-devices",
    "join-by-phone", "calendar-plugins", "schedule-invite", "webinar-registration",
    "install-desktop-app", "meeting-lock-password", "remote-access-add-computer",
    "wake-on-lan", "admin-users-licences",
)  # fmt: skip
OTHER_TOPIC = "imported"
ALL_PRODUCTS = "all"
SLUG_LENGTH = 60
MAX_QUESTIONS = 50  # how customers ask for an article: a dozen is plenty
MAX_QUESTION_CHARS = 300
# Control characters and lone surrogates (JSON can carry both) have no place in a file.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


class ArticleError(ValueError):
    """What is wrong with an article, in words for the person importing it."""


@dataclass(frozen=True)
class HelpArticle:
    id: str  # the same id links an article's translations
    title: str
    language: str
    product: str
    topic: str
    url: str
    updated: date | None
    body: str
    demo: bool = False
    # how customers ask for it (searched as extra entries of the article); may be none
    questions: tuple[str, ...] = ()


def slug(text: str, fallback: str = "article") -> str:
    """A file name part: folded letters and digits joined by hyphens, never a path."""
    words = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return words[:SLUG_LENGTH].rstrip("-") or fallback


def topic_of(label: str) -> str | None:
    """The topic a label or front-matter value names ("Reset password" -> reset-password)."""
    name = slug(label, "")
    return name if name in TOPICS or name == OTHER_TOPIC else None


def is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def printable(text: str) -> str:
    return UNPRINTABLE.sub("", text)


def render(article: HelpArticle) -> str:
    fields: dict[str, object] = {
        name: printable(value)
        for name, value in (
            ("id", article.id), ("title", article.title), ("language", article.language),
            ("product", article.product), ("topic", article.topic), ("url", article.url),
        )
    }  # fmt: skip
    if article.updated is not None:
        fields["updated"] = article.updated
    fields["demo"] = article.demo
    questions = [q for q in (printable(q).strip() for q in article.questions) if q]
    if questions:
        fields["questions"] = questions
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{front}---\n\n{printable(article.body).strip()}\n"


def _text(fields: dict, name: str, default: str | None = None) -> str:
    value = fields.get(name, default)
    if value is None or isinstance(value, (dict, list)) or not str(value).strip():
        raise ArticleError(f"no {name} in the front matter")
    return " ".join(str(value).split())


def _questions(fields: dict) -> tuple[str, ...]:
    """The optional `questions:` list: each a line of text, none empty or too long."""
    value = fields.get("questions")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(q, str) for q in value):
        raise ArticleError("questions is not a list of texts (one '- question' per line)")
    if len(value) > MAX_QUESTIONS:
        raise ArticleError(f"{len(value)} questions, over the {MAX_QUESTIONS} an article may have")
    questions = tuple(" ".join(q.split()) for q in value)
    for position, question in enumerate(questions, 1):
        if not question or len(question) > MAX_QUESTION_CHARS:
            raise ArticleError(
                f"question {position} is empty or over {MAX_QUESTION_CHARS} characters"
            )
    return questions


def parse(text: str) -> HelpArticle:
    """An article file's content, or ArticleError saying what is missing."""
    match = FRONT_MATTER.match(text)
    if not match:
        raise ArticleError("no front matter (a '---' line, the fields, a '---' line)")
    try:
        fields = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        raise ArticleError(f"the front matter is not valid YAML{line}") from None
    if not isinstance(fields, dict):
        raise ArticleError("the front matter is not a list of 'name: value' fields")
    language = _text(fields, "language")
    if language not in LANGUAGES:
        raise ArticleError(f"language '{language}' is not one of {', '.join(LANGUAGES)}")
    # any topic an operator names (Insights groups by it); the importer maps labels to TOPICS
    topic = slug(_text(fields, "topic"), "")
    if not topic:
        raise ArticleError(f"topic '{fields['topic']}' has no letters or digits")
    url = _text(fields, "url", "") if fields.get("url") else ""
    if url and not is_web_address(url):
        raise ArticleError(f"url '{url}' is not an http(s) address")
    updated = fields.get("updated")
    if isinstance(updated, datetime):
        updated = updated.date()
    if updated is not None and not isinstance(updated, date):
        raise ArticleError(f"updated '{updated}' is not a date like 2026-11-22")
    body = text[match.end() :].strip()
    if not body:
        raise ArticleError("the article has no text after its front matter")
    return HelpArticle(
        id=_text(fields, "id"), title=_text(fields, "title"), language=language,
        product=_text(fields, "product", ALL_PRODUCTS), topic=topic, url=url,
        updated=updated, body=body, demo=fields.get("demo") is True,
        questions=_questions(fields),
    )  # fmt: skip
