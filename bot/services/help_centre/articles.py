"""Help-centre articles from markdown files with YAML front matter, split into
passages: a heading with its paragraphs and lists, as plain sentences.

A malformed file is one line in `Loaded.errors` (path and problem); the others load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import markdown
from bs4 import BeautifulSoup, Tag

from bot.config.settings import LANGUAGES
from bot.services.help_centre.article_file import ArticleError, parse

# A sentence ends at . ! ? (or …) followed by a space and a capital, digit or quote.
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«“(\d\w])")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@dataclass(frozen=True)
class Passage:
    heading: str  # the section's heading; the article's title for its introduction
    sentences: tuple[str, ...]  # plain text, no markdown

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass(frozen=True)
class Article:
    id: str  # the same for an article's translations
    title: str
    language: str
    topic: str
    url: str
    product: str
    updated: str
    demo: bool
    path: str  # relative to the help centre's folder
    passages: tuple[Passage, ...]
    questions: tuple[str, ...] = ()  # how customers ask for it (front matter), may be none


@dataclass(frozen=True)
class Loaded:
    articles: list[Article]
    errors: list[str]  # one line per file that could not be read


def article_files(directory: Path) -> list[Path]:
    """Every article file under the help centre, in a stable order (README.md is not one)."""
    return sorted(p for p in directory.rglob("*.md") if p.name.lower() != "readme.md")


def load_articles(directory: Path) -> Loaded:
    """Every article under `directory`; a file that cannot be read is an error line."""
    if not directory.is_dir():
        return Loaded([], [f"{directory}: the help centre folder does not exist"])
    articles: list[Article] = []
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    for path in article_files(directory):
        relative = path.relative_to(directory).as_posix()
        try:
            article = parse_article(path.read_text(encoding="utf-8"), relative)
            if (article.id, article.language) in seen:
                raise ArticleError(f"a second '{article.language}' article with id {article.id}")
        except (ArticleError, OSError, UnicodeDecodeError) as error:
            errors.append(f"{relative}: {error}")
            continue
        seen.add((article.id, article.language))
        articles.append(article)
    return Loaded(articles, errors)


def parse_article(source: str, path: str) -> Article:
    """One article from its file's text (the front matter read by the one rule of
    article_file.parse); ArticleError says what is wrong with it."""
    found = parse(source.lstrip("\ufeff"))
    folder = Path(path).parent.name
    if folder in LANGUAGES and folder != found.language:
        raise ArticleError(f"language '{found.language}' in the folder of '{folder}'")
    passages = split_passages(found.body, found.title, found.demo)
    if not passages:
        raise ArticleError("the article has no text")
    return Article(
        id=found.id,
        title=found.title,
        language=found.language,
        topic=found.topic,
        url=found.url,
        product=found.product,
        updated=found.updated.isoformat() if found.updated else "",
        demo=found.demo,
        path=path,
        passages=tuple(passages),
        questions=found.questions,
    )


def split_passages(body: str, title: str, demo: bool = False) -> list[Passage]:
    """A passage per heading (the text before the first one is under the title)."""
    soup = BeautifulSoup(markdown.markdown(body), "html.parser")
    blocks = [node for node in soup.children if isinstance(node, Tag)]
    if demo and blocks and blocks[-1].name == "p":
        blocks = blocks[:-1]  # the closing demo notice (help/README.md): not an answer
    sections: list[tuple[str, list[str]]] = [(title, [])]
    for block in blocks:
        if block.name in HEADINGS:
            sections.append((clean(block.get_text()), []))
        elif block.name in ("ul", "ol"):
            items = block.find_all("li")
            for item in items:
                sections[-1][1].extend(sentences(as_sentence(clean(item.get_text()))))
        else:
            sections[-1][1].extend(sentences(clean(block.get_text())))
    return [Passage(heading, tuple(s for s in found if s)) for heading, found in sections if found]


def clean(text: str) -> str:
    """One line of plain text (markdown's line breaks and indents are spaces)."""
    return re.sub(r"\s+", " ", text).strip()


def sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_END.split(text) if part.strip()]


def as_sentence(text: str) -> str:
    """A list item read as a sentence: it ends with punctuation."""
    text = text.rstrip(";,")
    return text if not text or text[-1] in ".!?:…" else text + "."
