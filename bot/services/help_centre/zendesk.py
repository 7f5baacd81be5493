"""One page of a Zendesk Guide Help Center API export as our articles.

The page is what GET /api/v2/help_center/articles.json answers (offset or cursor
paging alike): `{"articles": [{id, html_url, title, body, locale, label_names,
updated_at, draft, ...}], "next_page": ..., ...}`. Translations of one article share
its id, so `zendesk-<id>` links them as the id of our own articles does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.config.settings import LANGUAGES
from bot.nlu.catalogue import Catalogue
from bot.nlu.folding import fold
from bot.services.help_centre.article_file import (
    ALL_PRODUCTS,
    MAX_QUESTION_CHARS,
    MAX_QUESTIONS,
    OTHER_TOPIC,
    TOPICS,
    ArticleError,
    HelpArticle,
    is_web_address,
    topic_of,
)
from bot.services.help_centre.html_text import html_to_text

MAX_BODY_CHARS = 1_000_000  # far above a real article; parsing HTML takes ~2 s per MB
MAX_ID_DIGITS = 20  # Zendesk ids are 64-bit numbers


@dataclass(frozen=True)
class ZendeskArticle:
    number: int  # Zendesk's id: the file is zendesk-<number>-<slug>.md
    article: HelpArticle


@dataclass
class Page:
    articles: list[ZendeskArticle] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per article left out


def language_of(locale: str) -> str | None:
    """it, it-IT, fr-BE, fr_CA, en-gb... -> it/fr/en; any other language -> None."""
    language = locale.strip().lower().replace("_", "-").split("-")[0]
    return language if language in LANGUAGES else None


def _number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value) if len(value) <= MAX_ID_DIGITS else None
    return value if isinstance(value, int) and 0 < value < 10**MAX_ID_DIGITS else None


def _day(value: object) -> date | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        raise ArticleError(f"updated_at '{str(value)[:40]}' is not a date and time") from None


def _product(catalogue: Catalogue, texts: Iterable[str]) -> str:
    """The first product a title or label names (by name or alias, not a common word)."""
    for text in texts:
        for mention in catalogue.find(fold(text)):
            if mention.named:
                return catalogue.name(mention.code)
    return ALL_PRODUCTS


def _topic(labels: list[str]) -> str:
    topics = [topic_of(label) for label in labels]
    return next((t for t in topics if t in TOPICS), OTHER_TOPIC)


def _questions(labels: list[str]) -> tuple[str, ...]:
    """Labels as the article's questions ("audio-issues" -> "audio issues"): the words an
    editor tagged it with are how customers ask for it, searched like our `questions:`."""
    found: dict[str, None] = {}
    for label in labels:
        text = " ".join(label.replace("-", " ").replace("_", " ").split())
        if text and len(text) <= MAX_QUESTION_CHARS:
            found.setdefault(text, None)
    return tuple(found)[:MAX_QUESTIONS]


def _required_text(item: dict, name: str) -> str:
    value = item.get(name)
    if value is None or (isinstance(value, str) and name != "body" and not value.strip()):
        raise ArticleError(f"no {name}")
    if not isinstance(value, str):
        raise ArticleError(f"{name} is not text")
    return value


def _convert(item: object, catalogue: Catalogue, page: Page) -> None:
    if not isinstance(item, dict):
        raise ArticleError("not an object with id, title, body and locale")
    number = _number(item.get("id"))
    if number is None:
        raise ArticleError("no id" if item.get("id") is None else "id is not a number")
    title = " ".join(_required_text(item, "title").split())
    body = _required_text(item, "body")
    locale = _required_text(item, "locale")
    labels = item.get("label_names") or []
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ArticleError("label_names is not a list of names")
    url = item.get("html_url") or ""
    if not isinstance(url, str) or (url and not is_web_address(url)):
        raise ArticleError("html_url is not an http(s) address")
    if len(body) > MAX_BODY_CHARS:
        raise ArticleError(f"body has {len(body):,} characters, over {MAX_BODY_CHARS:,}")
    updated = _day(item.get("updated_at") or item.get("created_at"))
    language = language_of(locale)
    shown = " ".join(locale.split())[:20]  # the line stays one line
    if item.get("draft") is True:
        page.skipped.append(f"article {number} ({shown}): a draft")
        return
    if language is None:
        page.skipped.append(f"article {number}: locale '{shown}' is not it, fr or en")
        return
    text = html_to_text(body)
    if not text:
        page.skipped.append(f"article {number} ({shown}): no text in its body")
        return
    article = HelpArticle(
        id=f"zendesk-{number}", title=title, language=language,
        product=_product(catalogue, [title, *labels]), topic=_topic(labels),
        url=url, updated=updated, body=text, questions=_questions(labels),
    )  # fmt: skip
    page.articles.append(ZendeskArticle(number, article))


def read_page(data: object, catalogue: Catalogue) -> Page:
    """The articles of one export page, or ArticleError naming the first bad one."""
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        raise ArticleError('not a Help Center export: no "articles" list at the top')
    page = Page()
    for position, item in enumerate(data["articles"], 1):
        number = _number(item.get("id")) if isinstance(item, dict) else None
        where = f"article {position}" + (f" (id {number})" if number else "")
        try:
            _convert(item, catalogue, page)
        except ArticleError as error:
            raise ArticleError(f"{where}: {error}") from None
    return page
