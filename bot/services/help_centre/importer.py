"""Import articles into the help centre folder: Zendesk Help Center export pages (JSON)
and markdown articles in our own format, from files or folders.

All or nothing: every file is read and converted first, and one bad file (one line
each, naming it and what is wrong) stops the import before anything is written.
Otherwise the files are written into a hidden folder inside the help centre folder,
then moved into place, each under <language>/: Zendesk articles as
zendesk-<id>-<slug>.md (a re-import replaces the same article's file, even when its
title changed), markdown articles under their own file name.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.nlu.catalogue import Catalogue
from bot.services.help_centre.article_file import (
    ArticleError,
    HelpArticle,
    parse,
    render,
    slug,
)
from bot.services.help_centre.zendesk import read_page

MAX_JSON_BYTES = 100 * 1024 * 1024  # an export page of 100 articles is far smaller
MAX_MARKDOWN_BYTES = 1024 * 1024
SKIPPED_FILES = ("readme.md",)  # a folder's notes, not an article


@dataclass(frozen=True)
class Planned:
    """One file to write: help-centre-dir/<language>/<name>."""

    article: HelpArticle
    name: str
    replaces: str = ""  # other files of the same article start with this (zendesk-<id>-)


@dataclass
class Plan:
    files: dict[tuple[str, str], Planned] = field(default_factory=dict)  # by (language, key)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one line per bad file


@dataclass
class Outcome:
    languages: Counter[str] = field(default_factory=Counter)
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self, target: Path) -> str:
        per_language = ", ".join(f"{lang} {n}" for lang, n in sorted(self.languages.items()))
        total = sum(self.languages.values())
        return (
            f"imported {total} article(s) into {target}: {per_language or 'none'} "
            f"({self.new} new, {self.updated} updated, {self.unchanged} unchanged)"
        )


def _sources(paths: Sequence[Path], plan: Plan) -> Iterator[tuple[Path, Path]]:
    """(file, path to name it by) for each file given or found in a folder given."""
    for given in paths:
        if given.is_dir():
            for folder, dirs, names in os.walk(given):  # never follows links to folders
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    lowered = name.lower()
                    if name.startswith(".") or lowered in SKIPPED_FILES:
                        continue
                    if lowered.endswith((".json", ".md")):
                        yield Path(folder, name), Path(folder, name)
        elif given.is_file():
            yield given, given
        else:
            plan.problems.append(f"{given}: no such file or folder")


def _read(path: Path, limit: int) -> str:
    size = path.stat().st_size
    if size > limit:
        raise ArticleError(f"{size:,} bytes, over the {limit:,} an import file may have")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ArticleError("not UTF-8 text") from None


def _add(plan: Plan, key: tuple[str, str], planned: Planned) -> None:
    """The same article twice (overlapping export pages): the newer one is kept."""
    kept = plan.files.get(key)
    if kept and (kept.article.updated or date.min) > (planned.article.updated or date.min):
        return
    plan.files[key] = planned


def _plan_file(path: Path, catalogue: Catalogue, plan: Plan) -> None:
    if path.suffix.lower() == ".md":
        article = parse(_read(path, MAX_MARKDOWN_BYTES))
        name = f"{slug(path.stem)}.md"
        _add(plan, (article.language, name), Planned(article, name))
        return
    try:
        data = json.loads(_read(path, MAX_JSON_BYTES))
    except json.JSONDecodeError as error:
        raise ArticleError(f"not JSON (line {error.lineno}: {error.msg})") from None
    except (ValueError, RecursionError):
        raise ArticleError("not JSON a Help Center export can be (nested or sized oddly)") from None
    page = read_page(data, catalogue)
    plan.skipped += [f"skipped {line} in {path}" for line in page.skipped]
    for found in page.articles:
        article = found.article
        name = f"zendesk-{found.number}-{slug(article.title)}.md"
        key = (article.language, f"zendesk-{found.number}")
        _add(plan, key, Planned(article, name, replaces=f"zendesk-{found.number}-"))


def _check_target(plan: Plan, target: Path) -> None:
    """A language folder that is a link, or leads out of the help centre folder, is a problem."""
    if not target.exists():
        return
    root = target.resolve()
    for language in sorted({language for language, _ in plan.files}):
        folder = root / language
        if folder.is_symlink() or (folder.exists() and not folder.resolve().is_relative_to(root)):
            plan.problems.append(f"{folder}: a link out of the help centre folder, not followed")
        elif folder.exists() and not folder.is_dir():
            plan.problems.append(f"{folder}: not a folder")


def plan_import(paths: Sequence[Path], catalogue: Catalogue, target: Path) -> Plan:
    """Read and convert every file; `problems` lists the bad ones, one line each."""
    plan = Plan()
    for path, shown in _sources(paths, plan):
        try:
            _plan_file(path, catalogue, plan)
        except ArticleError as error:
            plan.problems.append(f"{shown}: {error}")
        except OSError as error:
            plan.problems.append(f"{shown}: cannot be read ({error.strerror or error})")
    _check_target(plan, target)
    return plan


def _former_names(folder: Path, planned: Planned) -> list[Path]:
    """The same article's files under another name (its title changed since)."""
    if not planned.replaces or not folder.is_dir():
        return []
    return [p for p in folder.glob(f"{planned.replaces}*.md") if p.name != planned.name]


def write_plan(plan: Plan, target: Path) -> Outcome:
    """Stage every changed file in a hidden folder, then move each into place."""
    if plan.problems:
        raise ValueError("a plan with problems is never written")
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    outcome = Outcome()
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=root))
    try:
        moves: list[tuple[Path, Path, list[Path]]] = []
        for (language, _), planned in sorted(plan.files.items()):
            final = root / language / planned.name
            former = _former_names(final.parent, planned)
            text = render(planned.article)
            outcome.languages[language] += 1
            exists = final.is_file() and not final.is_symlink()
            if exists and not former and final.read_bytes() == text.encode("utf-8"):
                outcome.unchanged += 1
                continue
            if exists or former:
                outcome.updated += 1
            else:
                outcome.new += 1
            staged = staging / language / planned.name
            staged.parent.mkdir(exist_ok=True)
            staged.write_text(text, encoding="utf-8")
            moves.append((staged, final, former))
        for staged, final, former in moves:
            final.parent.mkdir(exist_ok=True)
            os.replace(staged, final)
            for old in former:
                old.unlink()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return outcome
