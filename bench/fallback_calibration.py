"""Choose the FallbackClassifier's threshold and ambiguity threshold on data written
apart: for a grid of both, on a model trained by `make eval` (models/eval/ours), the
share of the realworld set's out-of-scope messages recognised and of its real requests
refused, per language (aggregates only), and the nearby set's dev half, end to end with
the help-centre search: right / confidently wrong / safe miss. The test half is never
read. `python -m bench.fallback_calibration` (after `python -m bench.nlu_eval`).
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench import nearby_eval
from bench.nlu_eval import (
    FALLBACK,
    HOW_TO,
    OUT_OF_SCOPE,
    ROOT,
    full_label,
    load_examples,
    nearby_paths,
    quiet_parse_logs,
    realworld_paths,
)
from bot.config.settings import LANGUAGES, get_settings
from bot.services.help_centre import answering

THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.5)
AMBIGUITIES = (0.0, 0.05, 0.1)


@dataclass(frozen=True)
class Ranked:
    label: str  # the classifier's best intent (faq/<key> for an FAQ)
    first: float  # its confidence
    second: float  # the runner-up's

    def falls_back(self, threshold: float, ambiguity: float) -> bool:
        """FallbackClassifier's rule: too unsure, or too close to the runner-up."""
        return self.first < threshold or self.first - self.second < ambiguity

    def rejected(self, threshold: float, ambiguity: float) -> bool:
        """Not answered with a flow or FAQ: fallback, out of scope or a how-to."""
        return self.falls_back(threshold, ambiguity) or self.label in (OUT_OF_SCOPE, HOW_TO)


def rank_all(model: Path, texts: list[str]) -> list[Ranked]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def run() -> list[Ranked]:
        ranked = []
        for text in texts:
            parsed = await agent.parse_message(text)
            ranking = [r for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK]
            intent = ranking[0]["name"]
            key = parsed.get("intent_label") if intent == "faq" else None
            second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
            ranked.append(Ranked(full_label(intent, key), ranking[0]["confidence"], second))
        return ranked

    return asyncio.run(run())


def main() -> None:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    quiet_parse_logs()
    from bot.services.help_centre.index import index_directory, load_or_build
    from bot.services.help_centre.search import HelpSearch

    model = sorted((ROOT / "models" / "eval" / "ours").glob("*.tar.gz"))[-1]
    realworld = load_examples(realworld_paths(), "realworld")
    dev = [m for m in nearby_eval.load(nearby_paths()) if m.half == "dev"]
    ranked_realworld = rank_all(model, [e.text for e in realworld])
    ranked_dev = rank_all(model, [m.text for m in dev])
    settings = get_settings()
    index, _ = load_or_build(settings.help_centre_dir, index_directory(settings.model_dir))
    search = HelpSearch(index)
    # what the search would answer for each dev message, asked once
    searched = [nearby_eval.read(OUT_OF_SCOPE, False, m.text, m.language, search) for m in dev]
    print(f"model {model.name}; realworld {len(realworld)}, nearby dev half {len(dev)}")
    for threshold in THRESHOLDS:
        for ambiguity in AMBIGUITIES:
            cells = []
            for language in LANGUAGES:
                pairs = [
                    (e, r)
                    for e, r in zip(realworld, ranked_realworld, strict=True)
                    if e.language == language
                ]
                limits = (threshold, ambiguity)
                outside = [r.rejected(*limits) for e, r in pairs if e.label == OUT_OF_SCOPE]
                inside = [r.rejected(*limits) for e, r in pairs if e.label != OUT_OF_SCOPE]
                cells.append(
                    f"{language} oos {sum(outside) / len(outside):.1%} "
                    f"refused {sum(inside) / len(inside):.1%}"
                )
            verdicts: Counter[str] = Counter()
            for message, r, found in zip(dev, ranked_dev, searched, strict=True):
                label = FALLBACK if r.falls_back(threshold, ambiguity) else r.label
                outcome = found.outcome if label in answering.HELP_INTENTS else label
                reading = nearby_eval.Reading(label, outcome)
                verdicts[nearby_eval.verdict(message, reading)] += 1
            print(
                f"threshold {threshold} ambiguity {ambiguity}: "
                + "; ".join(cells)
                + " | nearby dev "
                + ", ".join(f"{v} {verdicts[v]}" for v in nearby_eval.VERDICTS)
            )


if __name__ == "__main__":
    main()
