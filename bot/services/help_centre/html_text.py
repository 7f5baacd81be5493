"""An article's HTML as the plain text of our markdown articles: headings become `## `,
list items `- ` (numbered ones `1. `), links keep their text only (never their address,
so no `javascript:` survives), scripts, styles, frames and media are dropped, entities
decoded and whitespace normalised.

The tree is walked with an explicit stack, so a hostile body nested thousands of tags
deep cannot exhaust Python's recursion limit.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

# Content a reader never sees as text, or must never run.
DROPPED = (
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "img", "picture", "svg", "math", "canvas", "video", "audio", "source", "track",
    "noscript", "template", "head", "title", "meta", "link", "base",
    "form", "input", "button", "select", "textarea",
)  # fmt: skip
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Elements that end the line of text before them and after them.
BLOCKS = (
    *HEADINGS, "p", "div", "section", "article", "aside", "header", "footer", "main",
    "nav", "blockquote", "pre", "figure", "figcaption", "details", "summary", "address",
    "table", "thead", "tbody", "tfoot", "tr", "caption", "ul", "ol", "li", "dl", "dt",
    "dd", "hr", "br",
)  # fmt: skip
CELLS = ("td", "th")
NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
SPACES = re.compile(r"\s+")


class _Writer:
    """Collects inline text and turns it into lines: headings, list items, paragraphs."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []  # (kind, text): heading, item, text; end of a list
        self.pieces: list[str] = []
        self.kind, self.prefix = "text", ""

    def start(self, kind: str, prefix: str) -> None:
        self.end()
        self.kind, self.prefix = kind, prefix

    def end(self) -> None:
        text = SPACES.sub(" ", "".join(self.pieces)).strip()
        if text:
            self.lines.append((self.kind, self.prefix + text))
            self.kind, self.prefix = "text", ""
        self.pieces = []

    def finish(self) -> None:
        """Items of one list on consecutive lines; every other line a paragraph."""
        self.end()
        out: list[str] = []
        lines = self.lines
        for index, (kind, text) in enumerate(lines):
            if kind == "end":
                continue
            if out:
                both_items = kind == "item" and lines[index - 1][0] == "item"
                out.append("\n" if both_items else "\n\n")
            out.append(text)
        self.text = "".join(out)


def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment, as markdown headings, lists and paragraphs."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(DROPPED):
        tag.decompose()
    writer = _Writer()
    lists: list[list[int]] = []  # one [numbered, count] per open list
    stack: list[tuple[PageElement, bool]] = [(soup, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, NOT_TEXT):
                writer.pieces.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if leaving:
            if name in BLOCKS:
                writer.end()
            if name in ("ul", "ol") and lists:
                lists.pop()
                if not lists:  # the next list, even right after, is a list of its own
                    writer.lines.append(("end", ""))
            if name in HEADINGS or name == "li":
                writer.kind, writer.prefix = "text", ""
            continue
        if name in HEADINGS:
            writer.start("heading", "## ")
        elif name == "li":
            indent = "  " * max(len(lists) - 1, 0)
            if lists and lists[-1][0]:
                lists[-1][1] += 1
                writer.start("item", f"{indent}{lists[-1][1]}. ")
            else:
                writer.start("item", f"{indent}- ")
        elif name in BLOCKS:
            # a paragraph inside a list item or heading keeps the item's marker
            writer.end()
            if name in ("ul", "ol"):
                lists.append([int(name == "ol"), 0])
        elif name in CELLS and writer.pieces and "".join(writer.pieces).strip():
            writer.pieces.append(" | ")
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    writer.finish()
    return writer.text
