"""`make bench`: how fast messages cross the handoff, with real servers.

Starts a Rasa server, an action server and the agent desk (embedded profile, in a
temporary folder), hands a widget (socket.io) conversation to an agent, then
measures, over ROUNDS messages each way:
- customer -> desk: from the customer's send until the desk's messages API (what
  the desk page polls every second) returns it; the goal is under 2 s including
  that poll interval;
- agent -> customer: from the desk's send until the widget receives it.
Writes p50 / p95 / max to reports/handoff_latency.md. Numbers depend on the machine.
"""

from __future__ import annotations

import queue
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import requests
import socketio

from bench.nlu_eval import REPORTS
from bot.config.settings import get_settings
from bot.desk.auth import CSRF_HEADER
from bot.ops.cli import latest_model
from tests.support.servers import always_open_policy, start_assistant, start_desk

ROUNDS = 30
DESK_POLL_SECONDS = 1.0  # desk.js polls the messages API this often


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.0f} | {p95:.0f} | {ordered[-1]:.0f}"


def main() -> None:
    model = latest_model(get_settings().model_dir)
    if model is None:
        raise SystemExit("no trained model: run make train")
    workdir = Path(tempfile.mkdtemp(prefix="handoff-bench-"))
    servers = start_assistant(
        model, workdir,
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'accounts.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
            "LOCK_STORE_URL": "memory://",
            "POLICY_FILE": str(always_open_policy(workdir)),
            "LOG_LEVEL": "WARNING",
        },
    )  # fmt: skip
    assistant = next(servers)
    desks = start_desk(assistant, workdir, "bench", "Bench", "it,fr,en")
    try:
        desk = next(desks)
        to_desk, to_customer = measure(assistant.rasa_url, desk.url, desk.password)
    finally:
        desks.close()
        servers.close()
    report = REPORTS / "handoff_latency.md"
    report.write_text(
        "# Handoff message latency\n\n"
        f"{ROUNDS} messages each way, real Rasa + action server + desk on this machine "
        "(`make bench`, bench/handoff_latency.py).\n\n"
        "| direction | p50 ms | p95 ms | max ms |\n|---|---|---|---|\n"
        f"| customer -> desk API | {percentiles(to_desk)} |\n"
        f"| customer -> desk page (+ {DESK_POLL_SECONDS:.0f} s poll, worst case) | "
        f"{percentiles([t + DESK_POLL_SECONDS * 1000 for t in to_desk])} |\n"
        f"| agent -> customer (widget) | {percentiles(to_customer)} |\n",
        encoding="utf-8",
    )
    print(report.read_text())


def measure(rasa_url: str, desk_url: str, password: str) -> tuple[list[float], list[float]]:
    received: queue.Queue[dict] = queue.Queue()
    session_id = f"bench-{uuid.uuid4().hex[:8]}"
    client = socketio.Client(reconnection=False)
    client.on("bot_uttered", received.put)
    client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"])
    client.emit("session_request", {"session_id": session_id})

    def say(text: str) -> None:
        client.emit("user_uttered", {"message": text, "session_id": session_id})

    say("I want to talk to a person")
    received.get(timeout=60)
    say("I want to talk to a person")  # asking again skips every question
    while "queue" not in (received.get(timeout=60).get("text") or ""):
        pass
    agent = requests.Session()
    agent.post(f"{desk_url}/login", data={"username": "bench", "password": password}, timeout=10)
    agent.headers[CSRF_HEADER] = "1"
    ticket = agent.get(f"{desk_url}/api/tickets", timeout=10).json()["tickets"][-1]
    url = f"{desk_url}/api/tickets/{ticket['id']}"
    agent.post(f"{url}/claim", timeout=30).raise_for_status()
    time.sleep(2)
    while not received.empty():
        received.get()

    to_desk, to_customer = [], []
    for number in range(ROUNDS):
        text = f"customer message {number}"
        started = time.perf_counter()
        say(text)
        while not any(
            m["text"] == text for m in agent.get(f"{url}/messages", timeout=10).json()["messages"]
        ):
            time.sleep(0.02)
        to_desk.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        agent.post(f"{url}/messages", json={"text": f"agent reply {number}"}, timeout=10)
        while received.get(timeout=30).get("text") != f"agent reply {number}":
            pass
        to_customer.append((time.perf_counter() - started) * 1000)
    client.disconnect()
    return to_desk, to_customer


if __name__ == "__main__":
    main()
