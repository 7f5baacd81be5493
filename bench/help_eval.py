"""`make help-eval` (and `make eval`): how well the help-centre search answers a
question set written apart from the articles (tests/help/questions/<lang>.yml, read
only: it is never used to write or tune an article).

For the hybrid search and its two halves alone (BM25 over our lemmas, the sentence
encoder): top-1 and top-3 topic accuracy per language; the threshold, chosen on one
half of the off-domain messages (a fixed split by a hash of the text) as the lowest
that keeps that half answered at 5% or less, and the share of the other half (and of
all) that would still get an article; how many questions get a confident answer
(and a right one) at that threshold; search latency per query. Writes
reports/help_search.md and reports/help_search.json; prints the table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.config.settings import LANGUAGES, get_settings
from bot.services.help_centre.index import index_directory, load_or_build
from bot.services.help_centre.search import WEIGHTS, HelpSearch

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "help" / "questions"
REPORTS = ROOT / "reports"
OFF_DOMAIN = "off_domain"
# (lexical, semantic, title) weights; the encoder alone reads passages and titles
SYSTEMS = {"hybrid": WEIGHTS, "bm25": (1.0, 0.0, 0.0), "encoder": (0.0, 0.5, 0.5)}
MAX_OFF_DOMAIN_ANSWERED = 0.05


@dataclass
class Scored:
    language: str
    topic: str  # off_domain for the off-domain messages
    calibration: bool  # in the half the threshold is chosen on
    ranked: dict[str, list[tuple[str, float]]]  # system -> (topic, score), best first


def calibration_half(text: str) -> bool:
    return hashlib.sha256(text.encode()).digest()[0] % 2 == 0


def read_questions(language: str) -> list[dict[str, str]]:
    with (QUESTIONS / f"{language}.yml").open(encoding="utf-8") as source:
        return list(yaml.safe_load(source)["questions"])


def score_all(search: HelpSearch) -> tuple[list[Scored], list[float]]:
    scored, latencies = [], []
    for language in LANGUAGES:
        for question in read_questions(language):
            text, topic = question["text"], question["topic"]
            started = time.perf_counter()
            search.search(text, language)  # what a fallback turn costs
            latencies.append((time.perf_counter() - started) * 1000)
            scores = search.passage_scores(text, language)
            ranked = {}
            for system, weight in SYSTEMS.items():
                fused = scores.fused(weight)
                answers = search.rank(fused, text, language)[:3]
                ranked[system] = [(a.article.topic, a.score) for a in answers]
            scored.append(Scored(language, topic, calibration_half(text), ranked))
    return scored, latencies


def choose_threshold(scores: list[float]) -> float:
    """The lowest threshold that answers at most 5% of these off-domain messages."""
    ordered = sorted(scores, reverse=True)
    allowed = int(MAX_OFF_DOMAIN_ANSWERED * len(ordered))  # how many may stay above
    return float(np.nextafter(ordered[allowed], 1.0)) if ordered else 0.0


def share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def evaluate(scored: list[Scored]) -> dict:
    results: dict = {}
    for system in SYSTEMS:
        off_calibration = [
            s.ranked[system][0][1] for s in scored if s.topic == OFF_DOMAIN and s.calibration
        ]
        threshold = choose_threshold(off_calibration)
        per_language = {}
        for language in LANGUAGES:
            mine = [s for s in scored if s.language == language]
            questions = [s for s in mine if s.topic != OFF_DOMAIN]
            off = [s for s in mine if s.topic == OFF_DOMAIN]
            top1 = [s.ranked[system][0][0] == s.topic for s in questions]
            confident = [s.ranked[system][0][1] >= threshold for s in questions]
            per_language[language] = {
                "questions": len(questions),
                "top1": share(top1),
                "top3": share([s.topic in [t for t, _ in s.ranked[system]] for s in questions]),
                "top1_held_out": share(
                    [s.ranked[system][0][0] == s.topic for s in questions if not s.calibration]
                ),
                "top3_held_out": share(
                    [
                        s.topic in [t for t, _ in s.ranked[system]]
                        for s in questions
                        if not s.calibration
                    ]
                ),
                "answered": share(confident),
                "answered_right": share([c and r for c, r in zip(confident, top1, strict=True)]),
                "off_domain": len(off),
                "off_domain_answered": share([s.ranked[system][0][1] >= threshold for s in off]),
                "off_domain_answered_held_out": share(
                    [s.ranked[system][0][1] >= threshold for s in off if not s.calibration]
                ),
            }
        held_out = [s for s in scored if s.topic == OFF_DOMAIN and not s.calibration]
        results[system] = {
            "threshold": threshold,
            "calibration_off_domain": len(off_calibration),
            "held_out_off_domain": len(held_out),
            "held_out_off_domain_answered": share(
                [s.ranked[system][0][1] >= threshold for s in held_out]
            ),
            "languages": per_language,
        }
    return results


def report(results: dict, latencies: list[float], articles: int, passages: int) -> str:
    p95 = float(np.percentile(latencies, 95))
    lines = [
        "# Help-centre search",
        "",
        f"`make help-eval` (bench/help_eval.py). {articles} articles, {passages} passages;",
        "questions: `tests/help/questions/<lang>.yml`, written apart from the articles",
        "(from the topic list only).",
        "Goals: right topic first ≥ 85% and in the top 3 ≥ 95% per language; off-domain",
        "messages answered ≤ 5%; search p95 < 20 ms.",
        "",
        "| system | lang | top-1 | top-3 | top-1 / top-3 held-out half "
        "| answered (right) at threshold | off-domain answered |",
        "|---|---|---|---|---|---|---|",
    ]
    for system, result in results.items():
        for language, r in result["languages"].items():
            lines.append(
                f"| {system} | {language} | {r['top1']:.1%} | {r['top3']:.1%} | "
                f"{r['top1_held_out']:.1%} / {r['top3_held_out']:.1%} | "
                f"{r['answered']:.1%} ({r['answered_right']:.1%}) | "
                f"{r['off_domain_answered']:.1%} of {r['off_domain']} |"
            )
    lines += [
        "",
        "## Threshold",
        "",
        "The off-domain messages are split in two by a hash of their text (fixed, not chosen).",
        "On the first half the threshold is the lowest score that leaves at most 5% of them",
        "answered; the second half was not looked at to choose it. Per system:",
        "",
        "| system | threshold | calibration half | held-out half answered |",
        "|---|---|---|---|",
    ]
    for system, result in results.items():
        lines.append(
            f"| {system} | {result['threshold']:.3f} | "
            f"{result['calibration_off_domain']} messages | "
            f"{result['held_out_off_domain_answered']:.1%} of {result['held_out_off_domain']} |"
        )
    lines += [
        "",
        "The shipped threshold is `THRESHOLD` in bot/services/help_centre/search.py; the",
        f"hybrid's weights {WEIGHTS} (lexical, passage embedding, title embedding) were picked",
        "among 8 fusions by their accuracy on the first half of the questions (the same hash",
        "split); the held-out columns above are the other half, which did not choose them.",
        "",
        "## Latency",
        "",
        "One search (lemmas, query embedding, BM25, fusion, ranking, quote),",
        f"{len(latencies)} queries, one thread: p50 {statistics.median(latencies):.1f} ms,",
        f"p95 {p95:.1f} ms.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--help-dir", type=Path, default=get_settings().help_centre_dir)
    args = parser.parse_args(argv)
    index, _ = load_or_build(args.help_dir, index_directory(get_settings().model_dir))
    for error in index.errors:
        print(f"help centre: {error}")
    search = HelpSearch(index)
    search.search("warm up", "en")  # load the encoder and spaCy outside the timings
    scored, latencies = score_all(search)
    results = evaluate(scored)
    text = report(results, latencies, len(index.articles), len(index.passages))
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "help_search.md").write_text(text, encoding="utf-8")
    (REPORTS / "help_search.json").write_text(
        json.dumps({"results": results, "latency_ms": latencies}, indent=1), encoding="utf-8"
    )
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
