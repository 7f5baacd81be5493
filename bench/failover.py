"""Two Rasa servers behind HAProxy: throughput against one, and a server killed mid-run.

`make bench-failover` starts HAProxy, two Rasa servers and an action server on the
real PostgreSQL and Redis (a throw-away schema), then in one run:

1. saturation throughput with one server enabled in HAProxy, then with both
   (WORKERS clients in a closed loop, each through whole conversations);
2. the kill run: the same load for KILL_RUN_SECONDS, and one Rasa server killed
   (SIGKILL) after a third of it. A client whose message fails retries it, as a
   widget would, for up to RETRY_SECONDS. Counted: errors during the switch, and
   lost conversations (a message given up, or one acknowledged but missing from the
   tracker afterwards, or stored twice).

Writes reports/failover.md.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import text

from bench.nlu_eval import REPORTS
from bot.config.settings import get_settings
from bot.db.session import make_engine
from bot.ops.cli import latest_model
from tests.scaleout.conftest import Cluster, start_cluster
from tests.support.environment import PG_ADMIN_URL, REDIS_URL

WORKERS = 8
MEASURE_SECONDS = 40
KILL_RUN_SECONDS = 90
RETRY_SECONDS = 90
MESSAGES = ["hello", "how do I reset my password", "thanks", "what can you do", "bye"]


@dataclass
class Conversation:
    sender: str
    acknowledged: list[str] = field(default_factory=list)
    given_up: bool = False


@dataclass
class Load:
    conversations: list[Conversation] = field(default_factory=list)
    replies: int = 0
    errors: list[float] = field(default_factory=list)  # when each failed attempt happened
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _post(url: str, sender: str, message: str) -> bool:
    try:
        response = requests.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=70
        )
        return response.status_code == 200 and bool(response.json())
    except (requests.RequestException, ValueError):
        return False


def _client(cluster: Cluster, load: Load, until: float, started: float) -> None:
    while time.monotonic() < until:
        conversation = Conversation(f"bench-{secrets.token_hex(6)}")
        with load.lock:
            load.conversations.append(conversation)
        for message in MESSAGES:
            first_try = time.monotonic()
            while not _post(cluster.proxy, conversation.sender, message):
                with load.lock:
                    load.errors.append(time.monotonic() - started)
                if time.monotonic() - first_try > RETRY_SECONDS:
                    conversation.given_up = True
                    break
                time.sleep(1)
            if conversation.given_up:
                break
            with load.lock:
                load.replies += 1
                load.latencies.append(time.monotonic() - first_try)
            conversation.acknowledged.append(message)
            if time.monotonic() >= until:
                break


def run_load(cluster: Cluster, seconds: float, kill_after: float | None = None) -> Load:
    load = Load()
    started = time.monotonic()
    until = started + seconds
    clients = [
        threading.Thread(target=_client, args=(cluster, load, until, started))
        for _ in range(WORKERS)
    ]
    for client in clients:
        client.start()
    if kill_after is not None:
        time.sleep(kill_after)
        os.kill(cluster.rasa_processes[1].pid, signal.SIGKILL)
    for client in clients:
        client.join()
    return load


def haproxy_command(cluster: Cluster, command: str) -> str:
    with socket.socket(socket.AF_UNIX) as connection:
        connection.connect(str(cluster.stats_socket))
        connection.sendall(command.encode() + b"\n")
        return connection.recv(65536).decode()


def set_second_server(cluster: Cluster, enabled: bool) -> None:
    verb = "enable" if enabled else "disable"
    for backend in ("rasa_servers", "rasa_sockets"):
        haproxy_command(cluster, f"{verb} server {backend}/rasa2")


def lost_conversations(cluster: Cluster, load: Load) -> tuple[int, int]:
    """(lost, duplicated): checked on the surviving server's trackers."""
    lost = duplicated = 0
    for conversation in load.conversations:
        if conversation.given_up:
            lost += 1
            continue
        tracker = cluster.tracker(cluster.rest_conversation(conversation.sender), server=0)
        said = [event["text"] for event in tracker["events"] if event["event"] == "user"]
        if said != conversation.acknowledged:
            if list(dict.fromkeys(said)) == conversation.acknowledged:
                duplicated += 1
            else:
                lost += 1
    return lost, duplicated


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else float("nan")


def cluster_services(database_url: str) -> dict[str, str]:
    """The settings of a scaled-out assistant: PostgreSQL accounts and trackers, Redis
    locks and socket.io manager (bench/load.py's scaled-out target uses them too)."""
    return {
        "DATABASE_URL": database_url,
        "TRACKER_STORE_URL": database_url,
        "LOCK_STORE_URL": REDIS_URL,
        "SOCKETIO_MANAGER_URL": REDIS_URL,
        "LOG_LEVEL": "WARNING",
    }


def measure(
    model: Path, measure_s: float = MEASURE_SECONDS, kill_run_s: float = KILL_RUN_SECONDS
) -> dict[str, Any]:
    """One server, two servers, then two with one killed after a third of the run."""
    schema = f"bench_{secrets.token_hex(4)}"
    engine = make_engine(PG_ADMIN_URL)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    services = cluster_services(f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}")
    try:
        with tempfile.TemporaryDirectory() as workdir:
            cluster_run = start_cluster(model, Path(workdir), services)
            cluster = next(cluster_run)
            try:
                run_load(cluster, 10)  # warm up both servers
                set_second_server(cluster, enabled=False)
                one = run_load(cluster, measure_s)
                set_second_server(cluster, enabled=True)
                two = run_load(cluster, measure_s)
                kill_after = kill_run_s / 3
                killed = run_load(cluster, kill_run_s, kill_after=kill_after)
                lost, duplicated = lost_conversations(cluster, killed)
            finally:
                cluster_run.close()
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    return {
        "workers": WORKERS,
        "messages": len(MESSAGES),
        "measure_s": measure_s,
        "kill_run_s": kill_run_s,
        "kill_after_s": kill_after,
        "one": summary(one, measure_s),
        "two": summary(two, measure_s),
        "ratio": (two.replies / measure_s) / max(one.replies / measure_s, 1e-9),
        "kill": {
            "conversations": len(killed.conversations),
            "replies": killed.replies,
            "failed_attempts": len(killed.errors),
            "first_error_s": min(killed.errors) if killed.errors else None,
            "last_error_s": max(killed.errors) if killed.errors else None,
            "lost": lost,
            "duplicated": duplicated,
        },
    }


def summary(load: Load, seconds: float) -> dict[str, Any]:
    return {
        "replies_per_s": load.replies / seconds,
        "p50_s": statistics.median(load.latencies) if load.latencies else float("nan"),
        "p95_s": p95(load.latencies),
        "errors": len(load.errors),
    }


def main() -> int:
    settings = get_settings()
    model = Path(os.environ.get("TEST_MODEL") or latest_model(settings.model_dir) or "")
    if not model.is_file():
        print("no trained model: run make train (or set TEST_MODEL)", file=sys.stderr)
        return 2
    lines = report_lines(measure(model))
    path = REPORTS / "failover.md"
    path.write_text(
        "\n".join(["# Two Rasa servers behind HAProxy (make bench-failover)", "", *lines]),
        encoding="utf-8",
    )
    print("\n".join(lines))
    print(f"written {path}")
    return 0


def report_lines(result: dict[str, Any]) -> list[str]:
    """The failover figures as Markdown (reports/failover.md, reports/bench.md)."""
    one, two, kill = result["one"], result["two"], result["kill"]
    rows = [
        f"| {name} | {r['replies_per_s']:.1f} | {r['p50_s']:.2f} | {r['p95_s']:.2f} "
        f"| {r['errors']} |"
        for name, r in (("1 Rasa server", one), ("2 Rasa servers", two))
    ]
    errors = kill["failed_attempts"]
    return [
        f"{os.cpu_count()} cores, shared with whatever else runs; {result['workers']} clients in "
        f"a closed loop through whole conversations ({result['messages']} messages), REST "
        f"through HAProxy, PostgreSQL trackers, Redis locks, one action server; "
        f"{result['measure_s']:.0f} s per measurement.",
        "",
        "| | replies/s | p50 s | p95 s | errors |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Throughput ratio 2/1: **{result['ratio']:.2f}x** (goal 1.4x).",
        "",
        f"Kill run: {result['kill_run_s']:.0f} s, server 2 killed (SIGKILL) at "
        f"{result['kill_after_s']:.0f} s; {kill['conversations']} conversations, "
        f"{kill['replies']} replies; failed attempts (retried by the client): **{errors}**"
        + (
            f" (between {kill['first_error_s']:.1f} s and {kill['last_error_s']:.1f} s)"
            if errors
            else ""
        )
        + f"; lost conversations: **{kill['lost']}**; conversations with a message stored "
        f"twice: {kill['duplicated']}.",
        "",
    ]


if __name__ == "__main__":
    sys.exit(main())
