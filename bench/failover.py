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

import requests
from sqlalchemy import text

from bench.nlu_eval import REPORTS
from bot.cli import latest_model
from bot.db.session import make_engine
from bot.settings import get_settings
from tests.environment import PG_ADMIN_URL, REDIS_URL
from tests.scaleout.conftest import Cluster, start_cluster

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


def main() -> int:
    settings = get_settings()
    model = Path(os.environ.get("TEST_MODEL") or latest_model(settings.model_dir) or "")
    if not model.is_file():
        print("no trained model: run make train (or set TEST_MODEL)", file=sys.stderr)
        return 2
    schema = f"bench_{secrets.token_hex(4)}"
    engine = make_engine(PG_ADMIN_URL)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    services = {
        "DATABASE_URL": database,
        "TRACKER_STORE_URL": database,
        "LOCK_STORE_URL": REDIS_URL,
        "SOCKETIO_MANAGER_URL": REDIS_URL,
        "LOG_LEVEL": "WARNING",
    }
    try:
        with tempfile.TemporaryDirectory() as workdir:
            cluster_run = start_cluster(model, Path(workdir), services)
            cluster = next(cluster_run)
            try:
                run_load(cluster, 10)  # warm up both servers
                set_second_server(cluster, enabled=False)
                one = run_load(cluster, MEASURE_SECONDS)
                set_second_server(cluster, enabled=True)
                two = run_load(cluster, MEASURE_SECONDS)
                kill_after = KILL_RUN_SECONDS / 3
                killed = run_load(cluster, KILL_RUN_SECONDS, kill_after=kill_after)
                lost, duplicated = lost_conversations(cluster, killed)
            finally:
                cluster_run.close()
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    write_report(one, two, killed, kill_after, lost, duplicated)
    return 0


def write_report(
    one: Load, two: Load, killed: Load, kill_after: float, lost: int, duplicated: int
) -> None:
    rate_one = one.replies / MEASURE_SECONDS
    rate_two = two.replies / MEASURE_SECONDS
    lines = [
        "# Two Rasa servers behind HAProxy (make bench-failover)",
        "",
        f"{os.cpu_count()} cores, shared with whatever else runs; {WORKERS} clients in a closed "
        f"loop through whole conversations ({len(MESSAGES)} messages), REST through HAProxy, "
        "PostgreSQL trackers, Redis locks, one action server.",
        "",
        "| | replies/s | p50 s | p95 s | errors |",
        "|---|---|---|---|---|",
        f"| 1 Rasa server | {rate_one:.1f} | {statistics.median(one.latencies):.2f} | "
        f"{p95(one.latencies):.2f} | {len(one.errors)} |",
        f"| 2 Rasa servers | {rate_two:.1f} | {statistics.median(two.latencies):.2f} | "
        f"{p95(two.latencies):.2f} | {len(two.errors)} |",
        "",
        f"Throughput ratio 2/1: **{rate_two / rate_one:.2f}x** (goal 1.4x).",
        "",
        f"Kill run: {KILL_RUN_SECONDS} s, server 2 killed (SIGKILL) at {kill_after:.0f} s; "
        f"{len(killed.conversations)} conversations, {killed.replies} replies; "
        f"failed attempts (retried by the client): **{len(killed.errors)}**"
        + (
            f" (between {min(killed.errors):.1f} s and {max(killed.errors):.1f} s)"
            if killed.errors
            else ""
        )
        + f"; lost conversations: **{lost}**; conversations with a message stored twice: "
        f"{duplicated}.",
        "",
    ]
    path = REPORTS / "failover.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    print(f"written {path}")


if __name__ == "__main__":
    sys.exit(main())
