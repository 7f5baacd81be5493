"""How the SQL tracker store's cost per turn grows with the conversation's length.

Rasa's SQLTrackerStore, per user turn, loads every event of the current session
(`retrieve`), replays them into a tracker, and on `save` counts the stored events of
the session again before inserting the new ones; ours (bot/rasa/tracker_store.py) keeps
the session between turns and checks it with one indexed query. This measures
retrieve + save of one more turn on a conversation that already has N turns, for
both stores (SQLite file, and PostgreSQL when reachable), in this process:
`python -m bench.tracker_growth`.
bench/load.py runs it too and puts the table in reports/bench.md.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.nlu_eval import ROOT

LENGTHS = (1, 25, 100, 250)
REPEATS = 5


def turn_events(number: int) -> list:
    """What one user turn adds to a tracker here (user, slots, action, bot reply)."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    parse_data = {
        "text": f"message {number} about my account",
        "intent": {"name": "check_account_status", "confidence": 0.93},
        "entities": [],
        "detected_language": {"code": "en", "confidence": 0.97, "words": 5},
        "intent_ranking": [{"name": "check_account_status", "confidence": 0.93}] * 10,
    }
    return [
        UserUttered(parse_data["text"], parse_data["intent"], [], parse_data),
        SlotSet("language", "en"),
        ActionExecuted("utter_check_account_status"),
        BotUttered("Let me check your account. " * 6, {"utter_action": "utter_x"}),
        ActionExecuted("action_listen"),
    ]


async def measure(url: str, ours: bool) -> dict[int, float]:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa.tracker_store import ScrubbingSQLTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    store = (ScrubbingSQLTrackerStore if ours else SQLTrackerStore)(domain, host=url)
    results = {}
    for length in LENGTHS:
        sender = f"growth-{length}-{time.time_ns()}"
        tracker = DialogueStateTracker.from_events(
            sender, [ActionExecuted("action_session_start"), SessionStarted()], slots=domain.slots
        )
        for number in range(length):
            for event in turn_events(number):
                tracker.update(event)
        await store.save(tracker)
        timings = []
        for number in range(REPEATS):
            started = time.perf_counter()
            tracker = await store.retrieve(sender)
            assert tracker is not None
            for event in turn_events(length + number):
                tracker.update(event)
            await store.save(tracker)
            timings.append((time.perf_counter() - started) * 1000)
        results[length] = round(statistics.median(timings), 1)
    store.engine.dispose()
    return results


def run() -> dict[str, dict[int, float]]:
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for ours, name in ((False, "Rasa's"), (True, "ours")):
            url = f"sqlite:///{Path(folder) / f'tracker-{ours}.db'}"
            results[f"SQLite, {name}"] = asyncio.run(measure(url, ours))
    try:
        from tests.support.environment import throwaway_schema

        with throwaway_schema() as url:
            for ours, name in ((False, "Rasa's"), (True, "ours")):
                results[f"PostgreSQL, {name}"] = asyncio.run(measure(url, ours))
    except Exception as error:  # PostgreSQL not reachable: SQLite only
        print(f"  tracker growth: no PostgreSQL ({str(error).splitlines()[0]})", flush=True)
    return results


if __name__ == "__main__":
    for store, timings in run().items():
        print(store, timings)
