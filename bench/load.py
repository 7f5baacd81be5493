"""`make bench-load`: our Rasa server under load, side by side with a bare `rasa init`.

Targets, each started here on 127.0.0.1 and stopped afterwards:
- ours, embedded profile (SQLite tracker store and account DB, in-process locks);
- ours, production profile (PostgreSQL tracker store and account DB, Redis locks);
- the floor: the assistant `rasa init --no-prompt` creates, trained in this run, with
  the same tracker store and lock store as each of ours;
- ours, production profile scaled out: two Rasa servers behind HAProxy on the same
  two cores (bot/ops/cluster.py), realistic levels only: how a deployment that expects
  peaks of hundreds of conversations runs.
Modes (REST channel, aiohttp client, one conversation = one sender):
- saturation: N clients in a closed loop, no think time -> turns/s, p50/p95/p99;
- realistic: N concurrent conversations, each waiting 1-5 s between messages ->
  p50/p95/p99 and errors.
Our scripts (bench/scripts.py) cover it/fr/en: greeting, "can't log in", password
reset, account status verified with the code read from the outbox table, FAQ, a
person. A py-spy profile of our embedded server is taken during one saturation
level. Writes reports/bench.md, reports/bench.json and reports/bench_latency.png.
Every phase is bounded in time; a benchmark, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import sqlalchemy as sa
import yaml

from bench.nlu_eval import REPORTS, ROOT
from bench.profile import profile_summary, record_profile
from bench.scripts import ACCOUNT_EMAILS, ASSISTANT_SCRIPTS, CODE, EMAIL, FLOOR_SCRIPTS, Script
from bot.ops.cli import latest_model
from tests.support.environment import REDIS_URL, throwaway_schema

FLOOR_REDIS_DB = 3
REQUEST_TIMEOUT_S = 30.0
CODE_WAIT_S = 10.0
CLUSTER_SERVERS = 2  # the realistic levels against a scaled-out deployment
START_TIMEOUT_S = 600.0  # a loaded 2-core machine can take minutes to load a model
# Password resets mail these accounts; status checks mail ACCOUNT_EMAILS, so a code
# read from the outbox is never mixed up with a reset mail.
RESET_EMAILS = (
    "deactivated.recent@example.com",
    "deactivated.old@example.com",
    "username.login@example.com",
    "conflict@example.com",
    "deleted.by.admin@example.com",
)


@dataclass
class Level:
    mode: str  # "saturation" or "realistic"
    load: int  # clients or concurrent conversations
    seconds: float
    turns: int = 0
    conversations: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    def summary(self) -> dict:
        ordered = sorted(self.latencies_ms)
        return {
            "mode": self.mode,
            "load": self.load,
            "seconds": round(self.seconds, 1),
            "turns": self.turns,
            "turns_per_s": round(self.turns / self.seconds, 2) if self.seconds else 0.0,
            "conversations": self.conversations,
            "p50_ms": percentile(ordered, 50),
            "p95_ms": percentile(ordered, 95),
            "p99_ms": percentile(ordered, 99),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
        }


def percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[rank], 1)


# --- a target: a running Rasa server ------------------------------------------


@dataclass
class Target:
    name: str
    store: str  # "embedded" or "production"
    url: str
    scripts: tuple[Script, ...]
    rasa_pid: int
    other_pids: dict[str, int]
    database_url: str | None  # where the outbox table is (ours only)
    startup_s: float
    code_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    engine: sa.engine.Engine | None = None


def process_start_epoch(pid: int) -> float:
    """When the process started (seconds since the epoch), from /proc."""
    ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    boot = next(
        float(line.split()[1])
        for line in Path("/proc/stat").read_text().splitlines()
        if line.startswith("btime")
    )
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def memory_kb(pid: int) -> dict[str, int]:
    """Resident set size now and at its peak (VmRSS, VmHWM), in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(pid: int, limit_s: float = 30.0) -> None:
    """Wait until the server has worked through what is left of a load level."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(1.0)
        if cpu_seconds(pid) - before < 0.15:
            return


def bench_policy(workdir: Path) -> Path:
    """The shipped policy, open round the clock and with rate limits out of the way:
    hundreds of conversations use the same few demo accounts within the hour."""
    from tests.support.servers import always_open_policy

    path = always_open_policy(workdir)
    policy = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in policy:
        if key.startswith(("reset_limit_", "otp_limit_")):
            policy[key] = 1_000_000
    path.write_text(yaml.safe_dump(policy), encoding="utf-8")
    return path


@contextmanager
def our_server(model: Path, workdir: Path, store: str) -> Iterator[Target]:
    from tests.support.servers import start_assistant

    with contextmanager_or_null(store == "production") as schema_url:
        if store == "production":
            settings = {
                "DATABASE_URL": schema_url,
                "TRACKER_STORE_URL": schema_url,
                "LOCK_STORE_URL": REDIS_URL,
            }
        else:
            settings = {
                "DATABASE_URL": f"sqlite:///{workdir / 'accounts.db'}",
                "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
                "LOCK_STORE_URL": "memory://",
            }
        settings.update(
            POLICY_FILE=str(bench_policy(workdir)), LOG_LEVEL="WARNING", MAIL_BACKEND="outbox"
        )
        servers = start_assistant(model, workdir, settings, start_timeout=START_TIMEOUT_S)
        assistant = next(servers)
        ready = time.time()
        rasa_pid = assistant.pids["rasa"]
        try:
            yield Target(
                name=f"ours, {store}",
                store=store,
                url=assistant.rasa_url,
                scripts=ASSISTANT_SCRIPTS,
                rasa_pid=rasa_pid,
                other_pids={"action server": assistant.pids["actions"]},
                database_url=settings["DATABASE_URL"],
                startup_s=ready - process_start_epoch(rasa_pid),
                engine=sa.create_engine(settings["DATABASE_URL"], future=True),
            )
        finally:
            servers.close()


@contextmanager
def our_cluster(model: Path, workdir: Path, store: str) -> Iterator[Target]:
    """Two Rasa servers behind HAProxy on the production stores (the scale-out of
    bot/ops/cluster.py, on the same cores): where a peak of conversations is served."""
    from bench.failover import cluster_services
    from tests.scaleout.conftest import start_cluster

    with throwaway_schema() as schema_url:
        services = {
            **cluster_services(schema_url),
            "POLICY_FILE": str(bench_policy(workdir)),
            "MAIL_BACKEND": "outbox",
        }
        cluster_run = start_cluster(model, workdir, services, rasa_servers=CLUSTER_SERVERS)
        cluster = next(cluster_run)
        first, *others = cluster.rasa_processes
        try:
            yield Target(
                name=f"ours, {store}, {CLUSTER_SERVERS} servers",
                store=f"{store}, {CLUSTER_SERVERS} servers",
                url=cluster.proxy,
                scripts=ASSISTANT_SCRIPTS,
                rasa_pid=first.pid,
                other_pids={
                    f"Rasa server {number}": process.pid for number, process in enumerate(others, 2)
                },
                database_url=schema_url,
                startup_s=time.time() - process_start_epoch(first.pid),
                engine=sa.create_engine(schema_url, future=True),
            )
        finally:
            cluster_run.close()


@contextmanager
def contextmanager_or_null(wanted: bool) -> Iterator[str | None]:
    if not wanted:
        yield None
        return
    with throwaway_schema() as url:
        yield url


def floor_cache() -> Path:
    """A trained floor kept for `--reuse-floor`, per Rasa version (var/ is git-ignored)."""
    import rasa

    return ROOT / "var" / "bench" / f"floor-rasa-{rasa.__version__}"


def train_floor(workdir: Path, reuse: bool) -> tuple[Path, float | None]:
    """`rasa init --no-prompt`: the starter assistant, trained with its default config.

    Trained in this run unless `reuse` and a floor of this Rasa version was kept."""
    folder = workdir / "floor"
    cached = floor_cache()
    if reuse and latest_model(cached / "models") is not None:
        shutil.copytree(cached, folder)
        return latest_model(folder / "models"), None  # type: ignore[return-value]
    folder.mkdir()
    started = time.monotonic()
    with (workdir / "floor-train.log").open("w") as log:
        subprocess.run(
            [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(folder)],
            cwd=folder, env=rasa_env(), stdout=log, stderr=subprocess.STDOUT, check=True,
        )  # fmt: skip
    model = latest_model(folder / "models")
    if model is None:
        raise SystemExit(f"rasa init trained no model; see {workdir / 'floor-train.log'}")
    elapsed = time.monotonic() - started
    shutil.rmtree(cached, ignore_errors=True)
    shutil.copytree(folder, cached)
    return model, elapsed


def rasa_env() -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


def floor_endpoints(store: str, workdir: Path, schema_url: str | None) -> Path:
    if store == "production":
        endpoints = {
            "tracker_store": {"type": "SQL", "url": schema_url},
            "lock_store": {"type": "redis", "url": "127.0.0.1", "port": 6379, "db": FLOOR_REDIS_DB},
        }
    else:
        endpoints = {"tracker_store": {"type": "SQL", "url": f"sqlite:///{workdir / 'floor.db'}"}}
    path = workdir / f"floor-endpoints-{store}.yml"
    path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    return path


@contextmanager
def floor_server(model: Path, workdir: Path, store: str) -> Iterator[Target]:
    from tests.support.servers import free_port, stop, wait_for

    with contextmanager_or_null(store == "production") as schema_url:
        port = free_port()
        folder = model.parent.parent
        command = [
            sys.executable, "-m", "rasa", "run", "--model", str(model),
            "--endpoints", str(floor_endpoints(store, workdir, schema_url)),
            "--credentials", str(folder / "credentials.yml"),
            "--interface", "127.0.0.1", "--port", str(port), "--quiet",
        ]  # fmt: skip
        log = workdir / f"floor-{store}.log"
        process = subprocess.Popen(
            command, cwd=folder, env=rasa_env(), stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/", process, log, START_TIMEOUT_S)
            ready = time.time()
            yield Target(
                name=f"floor (rasa init), {store}",
                store=store,
                url=f"http://127.0.0.1:{port}",
                scripts=FLOOR_SCRIPTS,
                rasa_pid=process.pid,
                other_pids={},
                database_url=None,
                startup_s=ready - process_start_epoch(process.pid),
            )
        finally:
            stop([process])


# --- load ---------------------------------------------------------------------


def latest_mail_id(target: Target, email: str) -> int:
    with target.engine.connect() as connection:  # type: ignore[union-attr]
        value = connection.execute(
            sa.text("SELECT max(id) FROM mail_outbox WHERE to_address = :e"), {"e": email}
        ).scalar()
    return int(value or 0)


def code_after(target: Target, email: str, after_id: int) -> str | None:
    import re

    with target.engine.connect() as connection:  # type: ignore[union-attr]
        body = connection.execute(
            sa.text(
                "SELECT body FROM mail_outbox WHERE to_address = :e AND id > :i "
                "ORDER BY id DESC LIMIT 1"
            ),
            {"e": email, "i": after_id},
        ).scalar()
    if body is None:
        return None
    codes = re.findall(r"\b\d{6}\b", body)
    return codes[-1] if codes else None


async def read_code(target: Target, email: str, after_id: int) -> str | None:
    deadline = time.monotonic() + CODE_WAIT_S
    while time.monotonic() < deadline:
        code = await asyncio.to_thread(code_after, target, email, after_id)
        if code:
            return code
        await asyncio.sleep(0.2)
    return None


class Recorder:
    """Counts turns that end inside the measured window [start, end]."""

    def __init__(self, level: Level, start: float, end: float) -> None:
        self.level, self.start, self.end = level, start, end

    def measuring(self, at: float) -> bool:
        return self.start <= at <= self.end

    def turn(self, began: float, ended: float) -> None:
        # closed-loop throughput: the turns that end inside the window
        if self.measuring(ended):
            self.level.turns += 1
            self.level.latencies_ms.append((ended - began) * 1000)

    def error(self, kind: str, at: float) -> None:
        if self.measuring(at):
            self.level.errors[kind] += 1


async def send(
    session: aiohttp.ClientSession, target: Target, sender: str, text: str, record: Recorder
) -> bool:
    began = time.monotonic()
    try:
        async with session.post(
            f"{target.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
        ) as response:
            body = await response.json(content_type=None)
            ended = time.monotonic()
            if response.status != 200:
                record.error(f"http {response.status}", ended)
                return False
    except asyncio.TimeoutError:
        record.error("timeout", time.monotonic())
        return False
    except (aiohttp.ClientError, ValueError) as error:
        record.error(f"{type(error).__name__}: {str(error)[:60]}", time.monotonic())
        return False
    if not isinstance(body, list) or not body:
        record.error("no reply", ended)
        return False
    record.turn(began, ended)
    return True


async def play(
    session: aiohttp.ClientSession,
    target: Target,
    script: Script,
    record: Recorder,
    think: tuple[float, float] | None,
) -> None:
    """One conversation; a new sender each time."""
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    pool = ACCOUNT_EMAILS if script.needs_code else RESET_EMAILS
    email = random.choice(pool)
    lock = target.code_locks.setdefault(email, asyncio.Lock()) if script.needs_code else None
    mail_id, code = 0, None
    for number, turn in enumerate(script.turns):
        if number and think:
            await asyncio.sleep(random.uniform(*think))
        if time.monotonic() > record.end:
            return
        text = turn
        if turn == EMAIL:
            text = email
            if lock is not None:
                await lock.acquire()  # one status check per account at a time: whose code
                mail_id = await asyncio.to_thread(latest_mail_id, target, email)
        elif turn == CODE:
            if code is None:
                record.error("no code in the outbox", time.monotonic())
                return
            text = code
        ok = await send(session, target, sender, text, record)
        if turn == EMAIL and lock is not None:
            try:
                code = await read_code(target, email, mail_id) if ok else None
            finally:
                lock.release()
        if not ok:
            return


async def run_level(target: Target, level: Level, warmup_s: float) -> None:
    think = (1.0, 5.0) if level.mode == "realistic" else None
    start = time.monotonic() + warmup_s
    record = Recorder(level, start, start + level.seconds)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=0)

    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def worker() -> None:
            if think:  # conversations arrive spread over the warm-up
                await asyncio.sleep(random.uniform(0, warmup_s))
            while time.monotonic() < record.end:
                await play(session, target, random.choice(target.scripts), record, think)
                if record.measuring(time.monotonic()):
                    level.conversations += 1

        tasks = [asyncio.create_task(worker()) for _ in range(level.load)]
        await asyncio.sleep(max(0.0, record.end - time.monotonic()))
        await asyncio.sleep(2.0)  # let turns that end on time be counted
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def warm_up(target: Target) -> None:
    """Every script once, one at a time: lazy loads (spaCy, lingua, TF graphs) happen here."""
    level = Level("warm-up", 1, 0.0)
    record = Recorder(level, time.monotonic(), time.monotonic() + 600)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for script in target.scripts:
            await play(session, target, script, record, None)
    if level.errors:
        print(f"  warm-up errors: {dict(level.errors)}", flush=True)


def measure_target(
    target: Target, plan: list[Level], warmup_s: float, profile_at: tuple[str, int] | None
) -> dict:
    asyncio.run(warm_up(target))
    results = []
    profile = None
    for level in plan:
        print(f"  {target.name}: {level.mode} x{level.load} ...", flush=True)
        recorder = None
        if profile_at == (level.mode, level.load):
            recorder = record_profile(
                target.rasa_pid, warmup_s + 1, level.seconds - 2, REPORTS / "bench_profile.tmp"
            )
        asyncio.run(run_level(target, level, warmup_s))
        if recorder is not None:
            profile = profile_summary(recorder)
        summary = level.summary()
        print(f"    {json.dumps(summary)}", flush=True)
        results.append(summary)
        settle(target.rasa_pid)
    memory = {"rasa": memory_kb(target.rasa_pid)}
    for name, pid in target.other_pids.items():
        memory[name] = memory_kb(pid)
    if target.engine is not None:
        target.engine.dispose()
    return {
        "name": target.name,
        "store": target.store,
        "startup_s": round(target.startup_s, 1),
        "memory_kb": memory,
        "levels": results,
        "profile": profile,
    }


def build_plan(args: argparse.Namespace, floor: bool = False) -> list[Level]:
    plan = [Level("saturation", n, args.saturation_seconds) for n in args.clients]
    conversations = args.floor_conversations if floor else args.conversations
    plan += [Level("realistic", n, args.realistic_seconds) for n in conversations]
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--model", type=Path, help="our model (default: latest in models/)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--conversations", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument(
        "--floor-conversations",
        type=int,
        nargs="*",
        default=[200],
        help="realistic levels for the floor (the goal is set at 200; fewer levels fit 15 min)",
    )
    parser.add_argument(
        "--cluster-conversations",
        type=int,
        nargs="*",
        default=[200],
        help=f"realistic levels against {CLUSTER_SERVERS} servers behind HAProxy (none: skip)",
    )
    parser.add_argument("--saturation-seconds", type=float, default=8.0)
    parser.add_argument("--realistic-seconds", type=float, default=10.0)
    parser.add_argument("--warmup-seconds", type=float, default=2.0)
    parser.add_argument("--stores", nargs="+", default=["embedded", "production"])
    parser.add_argument("--no-floor", action="store_true", help="only our assistant")
    parser.add_argument(
        "--profile-store",
        default="embedded",
        help="the store whose server py-spy samples at 10 clients (the report's profile)",
    )
    parser.add_argument(
        "--failover-seconds",
        type=float,
        nargs=2,
        default=[15.0, 45.0],
        metavar=("MEASURE", "KILL_RUN"),
        help="bench/failover.py's run: seconds per throughput measurement, kill run length",
    )
    parser.add_argument("--no-failover", action="store_true", help="skip the two-server run")
    parser.add_argument(
        "--reuse-floor",
        action="store_true",
        help="use the floor trained by an earlier run of this Rasa version (var/bench/)",
    )
    parser.add_argument(
        "--save-as", help="write only reports/bench_<NAME>.json (e.g. 'before' on main)"
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite reports/bench.md from bench.json"
    )
    args = parser.parse_args(argv)
    if args.report_only:
        from bench.load_report import write_report

        write_report(json.loads((REPORTS / "bench.json").read_text(encoding="utf-8")))
        return 0

    began = time.monotonic()
    model = args.model or latest_model(ROOT / "models")
    if model is None:
        raise SystemExit("no trained model: run make train")
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    runs: list[dict] = []
    failures: list[str] = []
    floor_train_s = None
    try:
        if not args.no_floor:
            print("training the floor (rasa init --no-prompt) ...", flush=True)
            floor_model, floor_train_s = train_floor(workdir, args.reuse_floor)
            print(
                f"  trained in {floor_train_s:.0f} s"
                if floor_train_s
                else f"  reused {floor_cache()} (--reuse-floor)",
                flush=True,
            )
        for store in args.stores:
            here = workdir / f"ours-{store}"
            here.mkdir()
            profile_at = ("saturation", 10) if store == args.profile_store else None
            servers = [(our_server, model, profile_at)]
            if not args.no_floor:
                servers.append((floor_server, floor_model, None))
            for server, server_model, profile in servers:
                plan = build_plan(args, floor=server is floor_server)
                try:
                    with server(server_model, here, store) as target:
                        runs.append(measure_target(target, plan, args.warmup_seconds, profile))
                except RuntimeError as error:  # a server that did not start: say so, go on
                    print(f"  {server.__name__} ({store}) failed: {error}", flush=True)
                    failures.append(f"{server.__name__} ({store}): {str(error)[:300]}")
        if "production" in args.stores and args.cluster_conversations:
            print(f"{CLUSTER_SERVERS} Rasa servers behind HAProxy (production) ...", flush=True)
            here = workdir / "ours-cluster"
            here.mkdir()
            plan = [
                Level("realistic", n, args.realistic_seconds) for n in args.cluster_conversations
            ]
            try:
                with our_cluster(model, here, "production") as target:
                    runs.append(measure_target(target, plan, args.warmup_seconds, None))
            except (RuntimeError, OSError) as error:
                print(f"  our_cluster failed: {error}", flush=True)
                failures.append(f"our_cluster: {str(error)[:300]}")
        failover = None
        if not args.no_failover and not args.save_as:
            print("two Rasa servers behind HAProxy, then one killed (bench/failover.py) ...")
            import pytest

            from bench.failover import measure as measure_failover

            try:
                failover = measure_failover(model, *args.failover_seconds)
            # e.g. no haproxy (the cluster helper skips): say so, go on
            except (RuntimeError, OSError, pytest.skip.Exception) as error:
                failures.append(f"failover run: {str(error)[:300]}")
        growth = {}
        if not args.save_as:  # a "before" run is about our servers only
            print("tracker store cost against conversation length ...", flush=True)
            from bench.tracker_growth import run as tracker_growth

            growth = tracker_growth()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    data = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "git": git_revision(),
        "model": str(model.name),
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "floor_train_s": round(floor_train_s, 1) if floor_train_s else None,
        "total_s": round(time.monotonic() - began, 1),
        "settings": {k: v for k, v in vars(args).items() if k != "model"},
        "counting": "turns that end inside the measured window",
        "runs": runs,
        "failures": failures,
        "tracker_growth": growth,
        "failover": failover,
    }
    REPORTS.mkdir(exist_ok=True)
    name = f"bench_{args.save_as}.json" if args.save_as else "bench.json"
    (REPORTS / name).write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    if not args.save_as:
        from bench.load_report import write_report

        write_report(data)
    print(f"done in {data['total_s']:.0f} s", flush=True)
    return 0


def git_revision() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
