"""Insights figures for 10,000 conversations: how long the desk takes to read the
tracker events into our tables and to count them (`python -m bench.insights`,
`make bench-insights`; goal: the figures in under 5 seconds).

Writes 10,000 conversations of mixed outcomes (resolved, confirmed, handed off and
claimed, misunderstood, abandoned, rated) into Rasa's own `events` table, as the
tracker store stores them, on SQLite and, when reachable, PostgreSQL. Then measures,
each in this process: the first read of every event (`refresh`), the figures over all
of them (`report`, what every Insights call does after reading), a second read of
100 new conversations (incremental), and the CSV. Results in reports/insights_bench.md.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import sessionmaker

from bench.nlu_eval import ROOT
from bot.db.migrate import downgrade, upgrade
from bot.db.session import make_engine
from bot.services.insights.figures import Filters, refresh, report, report_csv
from bot.services.insights.outcomes import Windows
from bot.services.privacy.tracker_events import EVENTS

CONVERSATIONS = 10_000
NEW_CONVERSATIONS = 100
REPORT_REPEATS = 5
GOAL_SECONDS = 5.0
NOW = datetime(2026, 11, 29, 12, 0)
WINDOWS = Windows(quiet=timedelta(minutes=60), resolution=timedelta(hours=24))
LANGUAGES = ("it", "fr", "en")
CHANNELS = ("socketio", "rest", "telegram", "twilio")
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _user(intent: str, confidence: float = 0.93) -> dict[str, Any]:
    parse = {"intent": {"name": intent, "confidence": confidence}, "entities": []}
    return {"event": "user", "text": f"a message about {intent}", "parse_data": parse}


def _action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def _slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def conversation_events(number: int) -> list[dict[str, Any]]:
    """One conversation's events; the outcome cycles through every kind."""
    events = [
        _action("action_session_start"), {"event": "session_started"}, _action("action_listen"),
        _slot("language", LANGUAGES[number % 3]), _user("greet"), _action("utter_greet"),
    ]  # fmt: skip
    kind = number % 6
    if kind in (0, 1, 5):  # an answer; confirmed, left alone, or rated
        events += [_user("faq"), _action("utter_faq"), {"event": "bot", "text": "answer"}]
        if kind == 0:
            events += [_user("thank"), _action("utter_thank")]
        if kind == 5:
            helped = number % 4 != 0
            events += [_slot("satisfaction_helped", helped), _slot("satisfaction_rating", 4)]
    elif kind == 2:  # handed off, claimed, handed back
        events += [
            _user("cancel_subscription"), _slot("handoff_topic", "cancellation"),
            _user("talk_to_human"), _action("action_handoff"), {"event": "pause"},
            _slot("agent_name", "Marie"), {"event": "resume"}, _slot("agent_name", None),
        ]  # fmt: skip
    elif kind == 3:  # not understood twice
        events += [_user("nlu_fallback", 0.1), _action("utter_default")] * 2
    return events


def write_conversations(url: str, first: int, count: int, start: datetime) -> int:
    """Insert `count` conversations' events; how many events."""
    rows = []
    for number in range(first, first + count):
        at = start + timedelta(seconds=number * 7)
        sender = f"{CHANNELS[number % len(CHANNELS)]}:bench-{number}"
        for offset, event in enumerate(conversation_events(number)):
            stamp = (at + timedelta(seconds=offset)).replace(tzinfo=timezone.utc).timestamp()
            event = {**event, "timestamp": stamp}
            rows.append({
                "sender_id": sender, "type_name": event["event"], "timestamp": stamp,
                "intent_name": (event.get("parse_data") or {}).get("intent", {}).get("name"),
                "action_name": event.get("name"), "data": json.dumps(event),
            })  # fmt: skip
    engine = make_engine(url)
    with engine.begin() as connection:
        for chunk in range(0, len(rows), 5000):
            connection.execute(insert(EVENTS), rows[chunk : chunk + 5000])
    engine.dispose()
    return len(rows)


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def measure(url: str) -> dict[str, Any]:
    from rasa.core.tracker_store import SQLTrackerStore

    upgrade(url)
    engine = make_engine(url)
    SQLTrackerStore.Base.metadata.create_all(engine)
    factory = sessionmaker(engine, future=True, expire_on_commit=False)
    start = NOW - timedelta(days=3)
    events = write_conversations(url, 0, CONVERSATIONS, start)
    try:
        with factory() as session, engine.connect() as tracker:
            first_read, read = timed(lambda: refresh(session, tracker, WINDOWS, NOW))
            assert read == events, (read, events)
            reports = [timed(lambda: report(session, Filters(), NOW, WINDOWS)) for _ in range(5)]
            result = reports[-1][1]
            assert result.overall.conversations == CONVERSATIONS
            new_events = write_conversations(url, CONVERSATIONS, NEW_CONVERSATIONS, start)
            tracker.commit()
            second_read, read = timed(lambda: refresh(session, tracker, WINDOWS, NOW))
            assert read == new_events
            csv_time, _ = timed(lambda: report_csv(report(session, Filters(), NOW, WINDOWS)))
        return {
            "events": events,
            "first_read": first_read,
            "report_median": statistics.median(t for t, _ in reports),
            "report_max": max(t for t, _ in reports),
            "incremental_read": second_read,
            "new_events": new_events,
            "report_and_csv": csv_time,
            "resolution_rate": result.overall.resolution_rate,
        }
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE events"))
        engine.dispose()
        downgrade(url)


@contextmanager
def stores() -> Iterator[list[tuple[str, str]]]:
    with tempfile.TemporaryDirectory() as folder:
        found = [("SQLite", f"sqlite:///{Path(folder) / 'insights.db'}")]
        schema = f"bench_insights_{os.getpid()}"
        admin = make_engine(PG_URL)
        try:
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            found.append(("PostgreSQL", f"{PG_URL}?options=-csearch_path%3D{schema}"))
        except Exception as error:  # no PostgreSQL here: SQLite only, and say so
            print(f"PostgreSQL skipped: {str(error).splitlines()[0]}")
            schema = ""
        try:
            yield found
        finally:
            if schema:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def main() -> None:
    lines = [
        "# Insights: figures for 10,000 conversations",
        "",
        f"`python -m bench.insights` on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start), "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. {CONVERSATIONS:,} conversations of "
        "every outcome in Rasa's `events` table; times in seconds, in this process. "
        f"Goal: the figures in under {GOAL_SECONDS:.0f} s.",
        "",
        "| store | events | first read of every event | figures (median of 5 / max) "
        f"| {NEW_CONVERSATIONS} new conversations read | figures + CSV | goal met |",
        "|---|---|---|---|---|---|---|",
    ]
    with stores() as found:
        for name, url in found:
            r = measure(url)
            met = "yes" if r["report_max"] < GOAL_SECONDS else "**no**"
            lines.append(
                f"| {name} | {r['events']:,} | {r['first_read']:.2f} | "
                f"{r['report_median']:.2f} / {r['report_max']:.2f} | "
                f"{r['incremental_read']:.3f} ({r['new_events']} events) | "
                f"{r['report_and_csv']:.2f} | {met} |"
            )
            print(lines[-1])
    lines += [
        "",
        "The first read happens once (when the desk first opens Insights on an existing "
        "tracker store); afterwards each call reads only the events added since the last "
        "one, then counts every conversation of the period.",
    ]
    out = ROOT / "reports" / "insights_bench.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
