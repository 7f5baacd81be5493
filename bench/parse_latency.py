"""`make bench`: in-process parse time per message with the trained model.

Loads the latest model from MODEL_DIR, parses every held-out message (after a
warm-up) and reports p50 / p95 / max in milliseconds to reports/parse_latency.md.
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


def main() -> None:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.core.agent import Agent

    model = latest_model(get_settings().model_dir)
    if model is None:
        raise SystemExit("no trained model: run make train")
    agent = Agent.load(str(model))
    texts = [e.text for e in load_examples(heldout_paths())]

    async def run() -> list[float]:
        for text in texts[:20]:  # warm-up: lazy spaCy pipelines, TF graphs
            await agent.parse_message(text)
        timings = []
        for text in texts:
            started = time.perf_counter()
            await agent.parse_message(text)
            timings.append((time.perf_counter() - started) * 1000)
        return sorted(timings)

    timings = asyncio.run(run())
    p50 = statistics.median(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    report = (
        "# In-process parse time\n\n"
        f"`make bench` on {time.strftime('%Y-%m-%d %H:%M')}, model `{model.name}`, "
        f"{len(timings)} held-out messages, one at a time (2-core machine).\n\n"
        "| p50 (ms) | p95 (ms) | max (ms) |\n|---|---|---|\n"
        f"| {p50:.1f} | {p95:.1f} | {timings[-1]:.1f} |\n"
    )
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "parse_latency.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
