"""`make help-eval` (and `make eval`): how well the help-centre search answers two
question sets written apart from the articles, each by its own writer:
- eval (tests/help/questions/<lang>.yml): read only, never used to write an article or
  tune the search; only its aggregate numbers and per-topic confusion counts are shown;
- dev (tests/help/dev/<lang>.yml): the weights were chosen on it, and `--failures`
  prints its misses (never the eval set's).

For the hybrid search and its peers (BM25 over our lemmas alone, the sentence encoder
alone, the hybrid without the articles' questions): top-1 and top-3 topic accuracy per
language and set; the threshold, chosen as the lowest that keeps at most 5% of the
calibration off-domain messages answered (all of dev's and one half of eval's, a fixed
split by a hash of the text), and the share of the other half still answered; how
many questions get a confident answer (and a right one) at that threshold; search
latency per query. Writes reports/help_search.md and reports/help_search.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.config.settings import LANGUAGES, get_settings
from bot.nlu.sentence_encoder import embed
from bot.rasa.server import one_blas_thread
from bot.services.help_centre.index import index_directory, load_or_build
from bot.services.help_centre.search import KNOWN_WORDS_FLOOR, WEIGHTS, HelpSearch, Weights

ROOT = Path(__file__).resolve().parent.parent
HELP_SETS = ROOT / "tests" / "help"
# eval first: the set nothing was tuned on; dev and dev2 by two more writers, to tune on
SETS = {"eval": HELP_SETS / "questions", "dev": HELP_SETS / "dev", "dev2": HELP_SETS / "dev2"}
TUNING_SETS = ("dev", "dev2")
REPORTS = ROOT / "reports"
OFF_DOMAIN = "off_domain"
MAX_OFF_DOMAIN_ANSWERED = 0.05


def encoder_alone(weights: Weights) -> Weights:
    """The hybrid's three embedding scores in its proportions, without BM25."""
    _, semantic, title, question, _ = weights
    total = semantic + title + question or 1.0
    return (0.0, semantic / total, title / total, question / total, 0.0)


# (lexical, semantic, title, question, question lexical) weights of each system, and
# its known-words floor (1.0: the score is not scaled by the query's known words)
SYSTEMS: dict[str, tuple[Weights, float]] = {
    "hybrid": (WEIGHTS, KNOWN_WORDS_FLOOR),
    "bm25": ((1.0, 0.0, 0.0, 0.0, 0.0), 1.0),  # over the passages, as before #24's tuning
    "encoder": (encoder_alone(WEIGHTS), 1.0),
    "hybrid without questions": ((0.4, 0.3, 0.3, 0.0, 0.0), 1.0),  # the search before
}


@dataclass
class Scored:
    set: str  # eval or dev
    language: str
    text: str
    topic: str  # off_domain for the off-domain messages
    calibration: bool  # among the off-domain messages the threshold is chosen on
    ranked: dict[str, list[tuple[str, float]]]  # system -> (topic, score), best first


def calibration_half(text: str) -> bool:
    return hashlib.sha256(text.encode()).digest()[0] % 2 == 0


def read_questions(folder: Path, language: str) -> list[dict[str, str]]:
    path = folder / f"{language}.yml"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as source:
        return list(yaml.safe_load(source)["questions"])


def score_all(search: HelpSearch) -> tuple[list[Scored], list[float], list[float]]:
    """Every question scored by every system; the latency of a search and of its
    query embedding alone (the encoder's share, which the machine's load moves most)."""
    scored, latencies, encoder = [], [], []
    for set_name, folder in SETS.items():
        for language in LANGUAGES:
            for question in read_questions(folder, language):
                text, topic = question["text"], question["topic"]
                started = time.perf_counter()
                search.search(text, language)  # what a fallback turn costs
                latencies.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                embed([text])
                encoder.append((time.perf_counter() - started) * 1000)
                scores = search.passage_scores(text, language)
                ranked = {}
                for system, (weights, floor) in SYSTEMS.items():
                    answers = search.rank(scores.fused(weights, floor), text, language, 3)
                    ranked[system] = [(a.article.topic, a.score) for a in answers]
                # the tuning sets' off-domain messages all calibrate; eval's, one half by hash
                calibration = set_name in TUNING_SETS or calibration_half(text)
                scored.append(Scored(set_name, language, text, topic, calibration, ranked))
    return scored, latencies, encoder


def choose_threshold(scores: list[float]) -> float:
    """The lowest threshold that answers at most 5% of these off-domain messages."""
    ordered = sorted(scores, reverse=True)
    allowed = int(MAX_OFF_DOMAIN_ANSWERED * len(ordered))  # how many may stay above
    return float(np.nextafter(ordered[allowed], 1.0)) if ordered else 0.0


def share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def rates(found: list[Scored], system: str, threshold: float) -> dict:
    """Accuracy and answering of one system on one set and language."""
    questions = [s for s in found if s.topic != OFF_DOMAIN]
    off = [s for s in found if s.topic == OFF_DOMAIN]
    top1 = [s.ranked[system][0][0] == s.topic for s in questions]
    confident = [s.ranked[system][0][1] >= threshold for s in questions]
    return {
        "questions": len(questions),
        "top1": share(top1),
        "top3": share([s.topic in [t for t, _ in s.ranked[system]] for s in questions]),
        "answered": share(confident),
        "answered_right": share([c and r for c, r in zip(confident, top1, strict=True)]),
        "off_domain": len(off),
        "off_domain_answered": share([s.ranked[system][0][1] >= threshold for s in off]),
    }


def confusions(scored: list[Scored], set_name: str) -> list[tuple[str, str, int]]:
    """(right topic, topic ranked first instead, how many) of the hybrid, most first."""
    counts: dict[tuple[str, str], int] = {}
    for s in scored:
        first = s.ranked["hybrid"][0][0]
        if s.set == set_name and s.topic != OFF_DOMAIN and first != s.topic:
            counts[(s.topic, first)] = counts.get((s.topic, first), 0) + 1
    return sorted(((a, b, n) for (a, b), n in counts.items()), key=lambda c: (-c[2], c[0]))


def evaluate(scored: list[Scored]) -> dict:
    results: dict = {}
    off_domain = [s for s in scored if s.topic == OFF_DOMAIN]
    for system in SYSTEMS:
        calibration = [s.ranked[system][0][1] for s in off_domain if s.calibration]
        threshold = choose_threshold(calibration)
        held_out = [s for s in off_domain if not s.calibration]
        results[system] = {
            "threshold": threshold,
            "calibration_off_domain": len(calibration),
            "held_out_off_domain": len(held_out),
            "held_out_off_domain_answered": share(
                [s.ranked[system][0][1] >= threshold for s in held_out]
            ),
            "sets": {
                set_name: {
                    language: rates(
                        [s for s in scored if s.set == set_name and s.language == language],
                        system,
                        threshold,
                    )
                    for language in LANGUAGES
                }
                for set_name in SETS
            },
        }
    results["confusions"] = {set_name: confusions(scored, set_name) for set_name in SETS}
    return results


def report(
    results: dict,
    latencies: list[float],
    encoder: list[float],
    articles: int,
    entries: dict[str, int],
) -> str:
    p95 = float(np.percentile(latencies, 95))
    lines = [
        "# Help-centre search",
        "",
        f"`make help-eval` (bench/help_eval.py). {articles} articles, "
        f"{entries['passages']} passages, {entries['questions']} titles and questions.",
        "Two question sets, each written apart from the articles by its own writer (from the",
        "topic list or titles, never the bodies): **eval** `tests/help/questions/<lang>.yml`,",
        "never read to write or tune anything (only its aggregate numbers and per-topic",
        "confusion counts are looked at), and **dev** `tests/help/dev/<lang>.yml`, on which",
        "the weights were chosen. The articles' `questions:` were written from each article's",
        "subject and sections, never from either set.",
        "Goals (eval): right topic first ≥ 85% and in the top 3 ≥ 95% per language;",
        "off-domain messages answered ≤ 5%; search p95 < 20 ms.",
        "",
        "| system | set | lang | top-1 | top-3 | answered (right) at threshold "
        "| off-domain answered |",
        "|---|---|---|---|---|---|---|",
    ]
    for system in SYSTEMS:
        for set_name in SETS:
            for language, r in results[system]["sets"][set_name].items():
                if not r["questions"]:
                    continue
                lines.append(
                    f"| {system} | {set_name} | {language} | {r['top1']:.1%} | {r['top3']:.1%} | "
                    f"{r['answered']:.1%} ({r['answered_right']:.1%}) | "
                    f"{r['off_domain_answered']:.1%} of {r['off_domain']} |"
                )
    lines += [
        "",
        "## Threshold",
        "",
        "The calibration off-domain messages are all of dev's and the half of eval's picked",
        "by a hash of their text (fixed, not chosen); the threshold is the lowest score that",
        "leaves at most 5% of them answered. The other half of eval's was not looked at to",
        "choose it. Per system:",
        "",
        "| system | threshold | calibration messages | held-out half answered |",
        "|---|---|---|---|",
    ]
    for system in SYSTEMS:
        result = results[system]
        lines.append(
            f"| {system} | {result['threshold']:.3f} | {result['calibration_off_domain']} | "
            f"{result['held_out_off_domain_answered']:.1%} of {result['held_out_off_domain']} |"
        )
    lines += [
        "",
        "The shipped threshold is `THRESHOLD` in bot/services/help_centre/search.py; the",
        f"hybrid's weights {WEIGHTS} (passage BM25, passage embedding, title embedding,",
        "closest title or question embedding, BM25 of title and questions) were chosen by",
        "their accuracy on the dev set; the eval rows are the set that did not choose them.",
        f"The hybrid's score is then scaled by {KNOWN_WORDS_FLOOR} + {1 - KNOWN_WORDS_FLOOR} x the",
        "share of the query's word weight (IDF) carried by words the help centre has",
        "(`KNOWN_WORDS_FLOOR`, chosen on dev): it ranks nothing differently, but at the same",
        'off-domain rate it answers far more questions ("change my Facebook password" no',
        'longer scores like "change my password"). The peers are not scaled.',
        "Also tried on dev and left out: reciprocal-rank fusion of the same scores (2-4",
        "points lower top-1, and no score to hold a threshold against); the best sentence's",
        "embedding in place of the passage's, the mean of an article's 2-3 closest",
        "questions in place of the closest, other languages' questions of the same article",
        "(each within a question of the weighted sum on dev).",
        "",
        "## Where the hybrid goes wrong on eval (right topic → topic ranked first, count)",
        "",
        ", ".join(f"{a} → {b} {n}" for a, b, n in results["confusions"]["eval"][:15]) or "none",
        "",
        "## Latency",
        "",
        "One search (lemmas, query embedding, BM25, fusion, ranking, quote),",
        f"{len(latencies)} queries, one thread: p50 {statistics.median(latencies):.1f} ms,",
        f"p95 {p95:.1f} ms; the query's embedding alone: p50 {statistics.median(encoder):.1f} ms,",
        f"p95 {float(np.percentile(encoder, 95)):.1f} ms. The machine's load average at the end",
        f"was {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on it slows the",
        "encoder most).",
        "",
    ]
    return "\n".join(lines)


def print_failures(scored: list[Scored]) -> None:
    """The dev set's misses of the hybrid (the eval set's are never printed)."""
    for s in scored:
        first = s.ranked["hybrid"][0]
        if s.set in TUNING_SETS and s.topic != OFF_DOMAIN and first[0] != s.topic:
            in_top3 = "top3" if s.topic in [t for t, _ in s.ranked["hybrid"]] else "    "
            print(
                f"{s.set:4} {s.language} {s.topic:>28} -> {first[0]:<28} {in_top3} "
                f"{first[1]:.3f} {s.text}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--help-dir", type=Path, default=get_settings().help_centre_dir)
    parser.add_argument("--failures", action="store_true", help="print the dev set's misses")
    args = parser.parse_args(argv)
    index, _ = load_or_build(args.help_dir, index_directory(get_settings().model_dir))
    for error in index.errors:
        print(f"help centre: {error}")
    one_blas_thread()  # as the server runs a turn: BLAS's spinning threads only add time
    search = HelpSearch(index)
    search.search("warm up", "en")  # load the encoder and spaCy outside the timings
    scored, latencies, encoder = score_all(search)
    if args.failures:
        print_failures(scored)
    results = evaluate(scored)
    entries = {"passages": len(index.passages), "questions": len(index.question_articles)}
    text = report(results, latencies, encoder, len(index.articles), entries)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "help_search.md").write_text(text, encoding="utf-8")
    (REPORTS / "help_search.json").write_text(
        json.dumps({"results": results, "latency_ms": latencies}, indent=1), encoding="utf-8"
    )
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
