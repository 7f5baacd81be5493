"""`make help-eval` (and `make eval`): how well the help-centre search answers two
question sets written apart from the articles, each by its own writer:
- eval (tests/help/questions/<lang>.yml): read only, never used to write an article or
  tune the search; only its aggregate numbers and per-topic confusion counts are shown;
- dev and dev2 (tests/help/dev/, tests/help/dev2/): the search was tuned on them, and
  `--failures` prints their misses (never the eval set's).

For the hybrid search and its peers (BM25 over our lemmas alone, the sentence encoder
alone, the hybrid without the articles' questions): top-1 and top-3 topic accuracy per
language and set; the threshold per language, chosen as the lowest that keeps at most
5% of that language's calibration off-domain messages answered (all of the dev sets'
and one half of eval's, a fixed split by a hash of the text), and the share of the
other half still answered; how
many questions get a confident answer (and a right one) at that threshold; search
latency per query. Writes reports/help_search.md and reports/help_search.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bench.text_halves import first_half
from bot.config.settings import LANGUAGES, get_settings
from bot.nlu.sentence_encoder import embed
from bot.ops.cli import latest_model
from bot.rasa.server import one_blas_thread
from bot.services.help_centre.answering import OUT_OF_SCOPE_MARGIN, SURE_OUT_OF_SCOPE
from bot.services.help_centre.index import index_directory, load_or_build
from bot.services.help_centre.search import (
    CLASSIFIER_SHARE,
    KNOWN_WORDS_FLOOR,
    THRESHOLDS,
    WEIGHTS,
    HelpSearch,
    Weights,
)

ROOT = Path(__file__).resolve().parent.parent
HELP_SETS = ROOT / "tests" / "help"
# eval and eval2 (two writers): nothing was tuned on them; dev and dev2 (two more) to tune on
SETS = {
    "eval": HELP_SETS / "questions",
    "eval2": HELP_SETS / "eval2",
    "dev": HELP_SETS / "dev",
    "dev2": HELP_SETS / "dev2",
}
TUNING_SETS = ("dev", "dev2")
# the goals are judged on both evaluation sets together (300 questions per language)
POOLED = "eval+eval2"
POOLED_SETS = ("eval", "eval2")
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
    return first_half(text)


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
        if in_set(s, set_name) and s.topic != OFF_DOMAIN and first != s.topic:
            counts[(s.topic, first)] = counts.get((s.topic, first), 0) + 1
    return sorted(((a, b, n) for (a, b), n in counts.items()), key=lambda c: (-c[2], c[0]))


def in_set(scored: Scored, set_name: str) -> bool:
    return scored.set in POOLED_SETS if set_name == POOLED else scored.set == set_name


def evaluate(scored: list[Scored]) -> dict:
    """Per system and language: the threshold chosen on that language's calibration
    off-domain messages, the held-out half's rate at it, and each set's rates."""
    results: dict = {}
    for system in SYSTEMS:
        thresholds, calibrated, held_out_counts, held_out_rates = {}, {}, {}, {}
        for language in LANGUAGES:
            off_domain = [s for s in scored if s.topic == OFF_DOMAIN and s.language == language]
            calibration = [s.ranked[system][0][1] for s in off_domain if s.calibration]
            thresholds[language] = choose_threshold(calibration)
            held_out = [s for s in off_domain if not s.calibration]
            calibrated[language] = len(calibration)
            held_out_counts[language] = len(held_out)
            held_out_rates[language] = share(
                [s.ranked[system][0][1] >= thresholds[language] for s in held_out]
            )
        results[system] = {
            "thresholds": thresholds,
            "calibration_off_domain": calibrated,
            "held_out_off_domain": held_out_counts,
            "held_out_off_domain_answered": held_out_rates,
            "sets": {
                set_name: {
                    language: rates(
                        [s for s in scored if in_set(s, set_name) and s.language == language],
                        system,
                        thresholds[language],
                    )
                    for language in LANGUAGES
                }
                for set_name in (POOLED, *SETS)
            },
        }
    results["confusions"] = {set_name: confusions(scored, set_name) for set_name in POOLED_SETS}
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
        "Four question sets, each written apart from the articles by its own writer (from",
        "the topic list or titles, never the bodies): **eval** `tests/help/questions/` and",
        "**eval2** `tests/help/eval2/`, never read to write or tune anything (only their",
        "aggregate numbers and per-topic confusion counts are looked at), and **dev**",
        "`tests/help/dev/` and **dev2** `tests/help/dev2/`, on which the search was tuned.",
        "The articles' `questions:` were written from each article's subject and sections,",
        "never from any of the sets. The goals are judged on **eval+eval2** (both",
        "evaluation sets, 300 questions and 85 off-domain messages per language):",
        "right topic first ≥ 85% and in the top 3 ≥ 95% per language;",
        "off-domain messages answered ≤ 5%; search p95 < 20 ms.",
        "",
        "| system | set | lang | top-1 | top-3 | answered (right) at threshold "
        "| off-domain answered |",
        "|---|---|---|---|---|---|---|",
    ]
    for system in SYSTEMS:
        for set_name in results[system]["sets"]:
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
        "Per conversation language: the calibration off-domain messages are all of dev's",
        "and dev2's and the half of eval's and eval2's picked by a hash of their text",
        "(fixed, not chosen); the threshold is the lowest score that leaves at most 5% of",
        "that language's answered. The other halves were not looked at to choose it.",
        "Per language because the scores' scale differs: one threshold for all answered",
        "two to three times as many French and English off-domain messages as Italian.",
        "",
        "| system | language | threshold | calibration messages | held-out half answered |",
        "|---|---|---|---|---|",
    ]
    for system in SYSTEMS:
        result = results[system]
        for language in LANGUAGES:
            lines.append(
                f"| {system} | {language} | {result['thresholds'][language]:.3f} | "
                f"{result['calibration_off_domain'][language]} | "
                f"{result['held_out_off_domain_answered'][language]:.1%} of "
                f"{result['held_out_off_domain'][language]} |"
            )
    lines += [
        "",
        "The shipped thresholds are `THRESHOLDS` in bot/services/help_centre/search.py ("
        + ", ".join(f"{language} {value:g}" for language, value in THRESHOLDS.items())
        + "); the",
        f"hybrid's weights {WEIGHTS} (passage BM25, passage embedding, title embedding,",
        "title-or-question score, BM25 of title and questions) were chosen by their",
        "accuracy on the dev set; the eval rows are the set that did not choose them. The",
        f"title-or-question score is {1 - CLASSIFIER_SHARE:g} x the closest title or question's",
        f"embedding + {CLASSIFIER_SHARE:g} x the probability the article classifier gives",
        "the article (a logistic regression over all the articles' questions, one class per",
        "article id; +3.5 points top-1 on dev and dev2, share and regularisation chosen there).",
        f"The hybrid's score is then scaled by {KNOWN_WORDS_FLOOR:g} + {1 - KNOWN_WORDS_FLOOR:g}"
        " x the",
        "share of the query's word weight (IDF) carried by words the help centre has",
        "(`KNOWN_WORDS_FLOOR`, chosen on dev and dev2 as the one answering most questions",
        "rightly at the calibrated thresholds): it ranks nothing differently, but at the same",
        'off-domain rate it answers far more questions ("change my Facebook password" no',
        'longer scores like "change my password"). The peers are not scaled.',
        "Also tried on dev and left out: reciprocal-rank fusion of the same scores (2-4",
        "points lower top-1, and no score to hold a threshold against); the best sentence's",
        "embedding in place of the passage's, the mean of an article's 2-3 closest",
        "questions in place of the closest, other languages' questions of the same article",
        "(each within a question of the weighted sum on dev); a long message's sentences",
        "embedded one by one (within a point on dev and dev2).",
        "",
        "## Where the hybrid goes wrong on eval (right topic → topic ranked first, count)",
        "",
        ", ".join(f"{a} → {b} {n}" for a, b, n in results["confusions"]["eval"][:15]) or "none",
        "",
        "eval2: "
        + (
            ", ".join(f"{a} → {b} {n}" for a, b, n in results["confusions"]["eval2"][:15]) or "none"
        ),
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


END_TO_END_GROUPS = {POOLED: POOLED_SETS, "dev+dev2": TUNING_SETS}


def end_to_end(scored: list[Scored], model: Path) -> dict:
    """As the dialogue answers: the trained NLU reads each message; only what it routes
    to the help centre is searched, against the shipped threshold of the language (plus
    the margin a sure out-of-scope reading asks). Per group of sets and language: the
    off-domain messages answered with an article, and the questions answered with the
    right article or with a wrong one (the others get an intent, an FAQ or no article)."""
    from bench.nlu_eval import Example, predict_rasa, quiet_parse_logs
    from bot.services.help_centre.answering import search_margin, should_search

    quiet_parse_logs()
    predictions, _ = predict_rasa(model, [Example(s.text, s.topic, s.language) for s in scored])
    answered: list[str | None] = []  # the topic answered with, per message
    for s, prediction in zip(scored, predictions, strict=True):
        label = "nlu_fallback" if prediction.fallback else prediction.label
        topic, score = s.ranked["hybrid"][0]
        bar = THRESHOLDS[s.language] + search_margin(label, prediction.confidence)
        answered.append(topic if should_search(label, s.text) and score >= bar else None)
    results: dict = {}
    for group, sets in END_TO_END_GROUPS.items():
        for language in LANGUAGES:
            rows = [
                (s, a)
                for s, a in zip(scored, answered, strict=True)
                if s.set in sets and s.language == language
            ]
            off = [a for s, a in rows if s.topic == OFF_DOMAIN]
            questions = [(s, a) for s, a in rows if s.topic != OFF_DOMAIN]
            results.setdefault(group, {})[language] = {
                "off_domain": len(off),
                "off_domain_answered": sum(a is not None for a in off),
                "questions": len(questions),
                "right": share([a == s.topic for s, a in questions]),
                "wrong": share([a is not None and a != s.topic for s, a in questions]),
            }
    return results


def end_to_end_lines(results: dict) -> list[str]:
    lines = [
        "## End to end (the NLU routes, as in the dialogue)",
        "",
        "The trained model reads each message; out of scope, not understood and how-to",
        "readings are searched, at the shipped thresholds (`THRESHOLDS`), an article",
        f"only when the out-of-scope reading is sure (≥ {SURE_OUT_OF_SCOPE:g}) clearing it by",
        f"{OUT_OF_SCOPE_MARGIN:g} (`answering.OUT_OF_SCOPE_MARGIN`, chosen on dev+dev2). "
        "The other questions",
        "get an intent or an FAQ (scored by `make eval`'s NLU report, not here).",
        "",
        "| sets | lang | off-domain answered with an article | questions: right article "
        "| questions: wrong article |",
        "|---|---|---|---|---|",
    ]
    for group, languages in results.items():
        for language, r in languages.items():
            lines.append(
                f"| {group} | {language} | {r['off_domain_answered']} of {r['off_domain']} "
                f"({r['off_domain_answered'] / max(r['off_domain'], 1):.1%}) | "
                f"{r['right']:.1%} | {r['wrong']:.1%} |"
            )
    return [*lines, ""]


def print_failures(scored: list[Scored]) -> None:
    """The dev set's misses of the hybrid (the eval set's are never printed)."""
    for s in scored:
        first = s.ranked["hybrid"][0]
        if s.set in TUNING_SETS and s.topic != OFF_DOMAIN and first[0] != s.topic:
            in_top3 = "top3" if s.topic in [t for t, _ in s.ranked["hybrid"]] else "    "
            where = f"{s.set:4} {s.language} {s.topic:>28} -> {first[0]:<28} {in_top3}"
            print(f"{where} {first[1]:.3f} {s.text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--help-dir", type=Path, default=get_settings().help_centre_dir)
    parser.add_argument("--failures", action="store_true", help="print the dev set's misses")
    parser.add_argument(
        "--no-nlu", action="store_true", help="skip the end-to-end table (no model parse)"
    )
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
    model = None if args.no_nlu else latest_model(get_settings().model_dir)
    if model is not None:
        results["end_to_end"] = end_to_end(scored, model)
        text += "\n" + "\n".join(end_to_end_lines(results["end_to_end"]))
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "help_search.md").write_text(text, encoding="utf-8")
    (REPORTS / "help_search.json").write_text(
        json.dumps({"results": results, "latency_ms": latencies}, indent=1), encoding="utf-8"
    )
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
