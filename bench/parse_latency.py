"""`make bench`: in-process parse time per message with the trained model, and the
help-centre search time per fallback turn.

Loads the latest model from MODEL_DIR, parses every held-out message (after a
warm-up) and reports p50 / p95 / max in milliseconds to reports/parse_latency.md.
Then, for the messages routed to the help centre (out of scope, not understood, a
how-to question: bot/services/help_centre/answering.py), times the search the action
server runs on them (the index as `make help-index` left it, loaded once), with its
ratio to the parse time (goal: p95 under 20 ms, issue #24).
A benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

from bench.nlu_eval import REPORTS, heldout_paths, load_examples
from bot.config.settings import get_settings
from bot.ops.cli import latest_model
from bot.services.help_centre import answering
from bot.services.help_centre.index import index_directory
from bot.services.help_centre.live_search import LiveSearch


def percentiles(timings: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max of sorted timings."""
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))], timings[-1]


def search_timings(routed: list[tuple[str, str]]) -> list[float]:
    """Milliseconds per help-centre search, as the action runs it (after a warm-up)."""
    settings = get_settings()
    search = LiveSearch(settings.help_centre_dir, index_directory(settings.model_dir)).current()
    if search is None or not routed:
        return []
    for text, language in routed[:10]:
        search.search(text, language, limit=1)
    timings = []
    for text, language in routed:
        started = time.perf_counter()
        answering.confident_answer(search.search(text, language, limit=1))
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def main() -> None:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.core.agent import Agent

    model = latest_model(get_settings().model_dir)
    if model is None:
        raise SystemExit("no trained model: run make train")
    agent = Agent.load(str(model))
    texts = [e.text for e in load_examples(heldout_paths())]

    routed: list[tuple[str, str]] = []  # (text, language) of the help centre's turns

    async def run() -> list[float]:
        for text in texts[:20]:  # warm-up: lazy spaCy pipelines, TF graphs
            await agent.parse_message(text)
        timings = []
        for text in texts:
            started = time.perf_counter()
            parsed = await agent.parse_message(text)
            timings.append((time.perf_counter() - started) * 1000)
            intent = (parsed.get("intent") or {}).get("name")
            if answering.should_search(intent, text):
                language = (parsed.get("detected_language") or {}).get("code") or "en"
                routed.append((text, language))
        return sorted(timings)

    timings = asyncio.run(run())
    p50, p95, most = percentiles(timings)
    report = (
        "# In-process parse time\n\n"
        f"`make bench` on {time.strftime('%Y-%m-%d %H:%M')}, model `{model.name}`, "
        f"{len(timings)} held-out messages, one at a time (2-core machine; load average "
        f"{os.getloadavg()[0]:.1f} at the end: other work on the machine slows every figure).\n\n"
        "| p50 (ms) | p95 (ms) | max (ms) |\n|---|---|---|\n"
        f"| {p50:.1f} | {p95:.1f} | {most:.1f} |\n"
    )
    searches = search_timings(routed)
    if searches:
        s50, s95, smax = percentiles(searches)
        report += (
            "\n## Help-centre search per fallback turn\n\n"
            f"The {len(searches)} of those messages routed to the help centre (out of scope, "
            "not understood, how-to), searched as the action server does, index loaded once. "
            "Goal: p95 under 20 ms.\n\n"
            "| p50 (ms) | p95 (ms) | max (ms) | p50 / parse p50 | p95 / parse p95 |\n"
            "|---|---|---|---|---|\n"
            f"| {s50:.1f} | {s95:.1f} | {smax:.1f} | {s50 / p50:.2f} | {s95 / p95:.2f} |\n"
        )
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "parse_latency.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
