"""The near-domain set (tests/nlu/nearby/<lang>.yml), scored end to end for ours.

Written apart from the project: product how-to questions, near-domain requests and
truly off-domain messages, each with what should answer it (`expect`): an intent
(`faq/<key>` for an FAQ), `article:<topic>` (the help centre), or `out_of_scope`.

A message the NLU reads as out_of_scope, ask_how_to or "not understood" goes to the
help-centre search, as in the dialogue: a confident first article answers it, else it
is out of scope. Each message is then
- right: the expected intent, article or out-of-scope reply; an `ask_how_to` reading
  of an article question is routed right even when the search then misses (counted
  apart as a search miss);
- confidently wrong: answered with another intent, FAQ or article;
- a safe miss: out of scope / not understood where an answer existed.

The set is split by a fixed hash of the text into a dev half (its failures may be
read, to improve the training data) and a test half, of which only counts are ever
reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from bench.text_halves import first_half
from bot.services.help_centre import answering

ARTICLE = "article:"
OUT_OF_SCOPE = answering.OUT_OF_SCOPE_INTENT
HOW_TO = answering.HOW_TO_INTENT
FALLBACK = "nlu_fallback"
VERDICTS = ("right", "confidently_wrong", "safe_miss")
HALVES = ("dev", "test")


@dataclass(frozen=True)
class NearbyMessage:
    text: str
    expect: str
    language: str

    @property
    def half(self) -> str:
        return "dev" if dev_half(self.text) else "test"

    @property
    def kind(self) -> str:
        """intent, article or out_of_scope: what kind of answer was expected."""
        if self.expect.startswith(ARTICLE):
            return "article"
        return OUT_OF_SCOPE if self.expect == OUT_OF_SCOPE else "intent"


@dataclass(frozen=True)
class Reading:
    """What ours did with one message: the NLU's label and the reply's outcome."""

    label: str  # the intent (faq/<key>), nlu_fallback when not understood
    outcome: str  # the intent, article:<topic> or out_of_scope


class Search(Protocol):
    def search(
        self, query: str, language: str, limit: int = 3, margin: float = 0.0
    ) -> list[Any]: ...


def dev_half(text: str) -> bool:
    """The fixed split by a hash of the text, the help-centre question set's own."""
    return first_half(text)


def load(paths: list[Path]) -> list[NearbyMessage]:
    messages = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("messages") or []:
            messages.append(NearbyMessage(str(item["text"]), str(item["expect"]), path.stem))
    return messages


def read(
    label: str,
    fallback: bool,
    text: str,
    language: str,
    search: Search,
    confidence: float = 0.0,
) -> Reading:
    """The reply ours gives: the intent's, or the search's for what it answers."""
    if fallback:
        label = FALLBACK
    if not answering.should_search(label, text):  # the dialogue's own routing
        return Reading(label, label)
    margin = answering.search_margin(label, confidence)
    answer = answering.confident_answer(search.search(text, language, 1, margin))
    if answer is not None:
        return Reading(label, ARTICLE + answer.article.topic)
    return Reading(label, OUT_OF_SCOPE)


def verdict(message: NearbyMessage, reading: Reading) -> str:
    if reading.outcome == message.expect:
        return "right"
    if message.kind == "article" and reading.label == HOW_TO:
        return "right"  # routed right; the search missed (search_miss)
    if reading.outcome == OUT_OF_SCOPE:
        return "safe_miss"
    return "confidently_wrong"


def counts(messages: list[NearbyMessage], readings: list[Reading]) -> dict[str, Any]:
    """Counts of one language of one half, overall and per kind of expected answer."""
    total: Counter[str] = Counter()
    per_kind: dict[str, Counter[str]] = {}
    for message, reading in zip(messages, readings, strict=True):
        outcome = verdict(message, reading)
        kind = per_kind.setdefault(message.kind, Counter())
        for counter in (total, kind):
            counter["n"] += 1
            counter[outcome] += 1
            if message.kind == "article" and reading.label == HOW_TO:
                counter["routed_how_to"] += 1
                counter["search_miss"] += reading.outcome != message.expect
    return {"all": dict(total), "per_kind": {k: dict(v) for k, v in sorted(per_kind.items())}}


def evaluate(messages: list[NearbyMessage], readings: list[Reading]) -> dict[str, Any]:
    """Per half and language: counts; for the dev half also its (expected, got) pairs."""
    results: dict[str, Any] = {}
    for half in HALVES:
        chosen = [(m, r) for m, r in zip(messages, readings, strict=True) if m.half == half]
        languages = sorted({m.language for m, _ in chosen})
        results[half] = {
            language: counts(
                [m for m, _ in chosen if m.language == language],
                [r for m, r in chosen if m.language == language],
            )
            for language in languages
        }
    dev = [(m, r) for m, r in zip(messages, readings, strict=True) if m.half == "dev"]
    wrong = Counter((m.expect, r.outcome) for m, r in dev if verdict(m, r) == "confidently_wrong")
    results["dev_confidently_wrong_pairs"] = [[a, b, n] for (a, b), n in wrong.most_common(12)]
    return results


def dev_failures(messages: list[NearbyMessage], readings: list[Reading]) -> list[str]:
    """The dev half's misses, with their texts: for the console, never a report."""
    return [
        f"[{m.language}] {verdict(m, r)}: {m.text!r} expected {m.expect}, "
        f"got {r.outcome} (nlu {r.label})"
        for m, r in zip(messages, readings, strict=True)
        if m.half == "dev" and verdict(m, r) != "right"
    ]


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def markdown(results: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## nearby: end to end (ours, with the help-centre search)",
        "",
        "Near-domain messages written apart (`tests/nlu/nearby/`): how-to questions "
        "(expect an article), requests near our flows (expect an intent or FAQ) and "
        "off-domain ones (expect out of scope). Out of scope, ask_how_to and not "
        "understood go to the search (a confident first article answers). Right / "
        "confidently wrong (another intent, FAQ or article) / safe miss (out of scope "
        "where an answer existed). The dev half's failures were read to write training "
        "data; the test half's never were.",
        "",
        "| half | language | n | right | confidently wrong | safe miss "
        "| off-domain answered | article questions routed to search, search missed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for half in HALVES:
        for language, entry in results.get(half, {}).items():
            every = entry["all"]
            n = every.get("n", 0)
            off = entry["per_kind"].get(OUT_OF_SCOPE, {})
            article = entry["per_kind"].get("article", {})
            lines.append(
                f"| {half} | {language} | {n} | {_share(every.get('right', 0), n)} "
                f"| {_share(every.get('confidently_wrong', 0), n)} "
                f"| {_share(every.get('safe_miss', 0), n)} "
                f"| {off.get('confidently_wrong', 0)}/{off.get('n', 0)} "
                f"| {article.get('routed_how_to', 0)}, {article.get('search_miss', 0)} |"
            )
    pairs = results.get("dev_confidently_wrong_pairs") or []
    if pairs:
        lines += [
            "",
            "Dev half, confidently wrong (expected -> got): "
            + "; ".join(f"`{a}` -> `{b}` ({n})" for a, b, n in pairs),
        ]
    return lines
