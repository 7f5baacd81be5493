"""Shared fixtures: the trained model (trained once per run), real databases, and
real Rasa + action server processes talking over HTTP."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import latest_model, rasa_environment
from bot.db.migrate import downgrade, upgrade
from bot.db.session import make_engine
from bot.demo_data import seed_demo
from bot.settings import load_settings
from tests.helpdesk import Helpdesk

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
TODAY = date(2026, 11, 22)  # the fixed "today" of tests that seed the demo data


FINAL_SCAN = "final_scan"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked final_scan run after every other test (they scan what the run left)."""
    items.sort(key=lambda item: item.get_closest_marker(FINAL_SCAN) is not None)


def require_service(name: str, reason: str) -> None:
    """Skip with a printed reason, or fail when CI says services must be there."""
    message = f"{name} unavailable: {reason}"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (REQUIRE_SERVICES=1)")
    print(f"SKIP: {message}")
    pytest.skip(message)


def postgres_reachable() -> str | None:
    engine = make_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None
    except Exception as error:
        return str(error).splitlines()[0]
    finally:
        engine.dispose()


@contextmanager
def throwaway_schema() -> Iterator[str]:
    """The URL of a fresh schema in the PostgreSQL test database, dropped afterwards."""
    problem = postgres_reachable()
    if problem:
        require_service("PostgreSQL at " + PG_ADMIN_URL, problem)
    schema = f"t_{secrets.token_hex(4)}"
    engine = make_engine(PG_ADMIN_URL)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh schema for the whole run (account DBs, the production tracker store)."""
    with throwaway_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty account database: a SQLite file, then the real PostgreSQL.

    Each PostgreSQL test gets a schema of its own: `factory` downgrades what it used,
    and the run's shared schema (`postgres_url`) holds the account tables of the
    production assistant and the cluster, which must outlive every service test.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'accounts.db'}"
        return
    with throwaway_schema() as url:
        yield url


@pytest.fixture
def factory(database_url: str) -> Iterator[sessionmaker]:
    """Migrated and seeded with the demo accounts (as of TODAY); downgraded afterwards."""
    upgrade(database_url)
    engine = make_engine(database_url)
    factory = sessionmaker(engine, future=True, expire_on_commit=False)
    with factory() as session:
        seed_demo(session, TODAY)
        session.commit()
    yield factory
    engine.dispose()
    downgrade(database_url)


@pytest.fixture
def session(factory: sessionmaker) -> Iterator[Session]:
    with factory() as session:
        yield session


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        require_service("Redis at " + REDIS_URL, str(error))
    return REDIS_URL


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(RABBITMQ_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 5672), timeout=2):
            pass
    except OSError as error:
        require_service("RabbitMQ at " + (parts.hostname or ""), str(error))
    return RABBITMQ_URL


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The assistant's model: trained once per run (make test trains it first).

    TEST_MODEL=/path/to/model.tar.gz uses that model as is (while data changes
    under a long piece of work, to avoid retraining on every run).
    """
    if os.environ.get("TEST_MODEL"):
        return Path(os.environ["TEST_MODEL"])
    model_dir = ROOT / "models"
    subprocess.run([sys.executable, "-m", "bot", "train", "--if-stale"], cwd=ROOT, check=True)
    model = latest_model(model_dir)
    assert model is not None, "training produced no model"
    return model


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not start in {timeout}s:\n{log.read_text()[-3000:]}")


@dataclass
class Assistant:
    """A running Rasa server + action server pair (and the mail worker)."""

    rasa_url: str
    env: dict[str, str]
    workdir: Path | None = None  # where its processes' logs are
    pids: dict[str, int] = field(default_factory=dict)  # process name -> pid (bench/load.py)

    def send(self, sender: str, message: str, **metadata: str) -> list[dict]:
        body: dict = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        response = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def texts(self, sender: str, message: str, **metadata: str) -> str:
        return "\n".join(m.get("text", "") for m in self.send(sender, message, **metadata))


def start_assistant(
    model: Path, workdir: Path, settings: dict[str, str], *, start_timeout: float | None = None
) -> Iterator[Assistant]:
    rasa_port, action_port = free_port(), free_port()
    env = {
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "LISTEN_HOST": "127.0.0.1",
        # the site the browser tests start: Rasa lets only its origin in (ALLOWED_ORIGINS)
        "SITE_PORT": str(free_port()),
        "DEMO": "true",
        "MODEL_DIR": str(model.parent),
        **settings,
    }
    subprocess.run([sys.executable, "-m", "bot", "migrate"], env=env, cwd=ROOT, check=True)
    subprocess.run([sys.executable, "-m", "bot", "seed-demo"], env=env, cwd=ROOT, check=True)
    processes = []
    try:
        for name, url in (
            ("actions", f"http://127.0.0.1:{action_port}/health"),
            ("rasa", f"http://127.0.0.1:{rasa_port}/"),
        ):
            log = workdir / f"{name}.log"
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", name],
                cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            )  # fmt: skip
            processes.append(process)
            # TEST_START_TIMEOUT: seconds to wait for a server on a busy machine (default 180)
            timeout = start_timeout or float(os.environ.get("TEST_START_TIMEOUT", "180"))
            wait_for(url, process, log, timeout)
        # the mail worker has no HTTP side: started, not waited for (it sends queued rows)
        log = workdir / "mail.log"
        mail_worker = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "mail"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append(mail_worker)
        rasa_env = rasa_environment(load_settings(environ=env), base=env)
        pids = {"actions": processes[0].pid, "rasa": processes[1].pid}
        yield Assistant(f"http://127.0.0.1:{rasa_port}", rasa_env, workdir, pids)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def always_open_policy(workdir: Path) -> Path:
    """The shipped policy with support open round the clock, so a handoff in a test
    reaches a person whatever the hour CI runs at (hours are tested in services)."""
    policy = yaml.safe_load((ROOT / "bot" / "policy.yml").read_text(encoding="utf-8"))
    for team in policy["support_hours"].values():
        team.update(days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open="00:00")
        team["close"] = "24:00"
    path = workdir / "policy.yml"
    path.write_text(yaml.safe_dump(policy), encoding="utf-8")
    return path


WEBHOOK_SECRET = "webhook-secret-for-the-tests"


@pytest.fixture(scope="session")
def helpdesk() -> Iterator[Helpdesk]:
    """The helpdesk the `assistant` posts new tickets to; it fails each ticket's first try."""
    server = Helpdesk(fail_every_first=True)
    yield server
    server.close()


@pytest.fixture(scope="session")
def assistant(
    model_path: Path, tmp_path_factory: pytest.TempPathFactory, helpdesk: Helpdesk
) -> Iterator[Assistant]:
    """The embedded profile: SQLite files and in-process lock store."""
    workdir = tmp_path_factory.mktemp("embedded")
    yield from start_assistant(
        model_path,
        workdir,
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'accounts.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
            "LOCK_STORE_URL": "memory://",
            "POLICY_FILE": str(always_open_policy(workdir)),
            "WEBHOOK_URL": helpdesk.url,
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "NLU_REVIEW_FILE": str(workdir / "nlu_review.yml"),
        },
    )


@dataclass
class Desk:
    """A running agent desk, talking to the `assistant` fixture's Rasa server."""

    url: str
    agent: str
    password: str


def start_desk(
    assistant: Assistant, workdir: Path, agent: str, name: str, languages: str
) -> Iterator[Desk]:
    """Create an agent and run the desk against `assistant`'s Rasa server."""
    port = free_port()
    env = {**assistant.env, "DESK_PORT": str(port)}
    password = secrets.token_urlsafe(12)
    subprocess.run(
        [sys.executable, "-m", "bot", "create-agent", agent, "--name", name,
         "--languages", languages, "--password-stdin"],
        input=password + "\n", text=True, env=env, cwd=ROOT, check=True,
    )  # fmt: skip
    log = workdir / "desk.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "desk"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/health", process, log)
        yield Desk(f"http://127.0.0.1:{port}", agent, password)
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def desk(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    yield from start_desk(assistant, tmp_path_factory.mktemp("desk"), "marie", "Marie", "it,fr,en")


@pytest.fixture(scope="session")
def supervisor(assistant: Assistant, desk: Desk) -> Desk:
    """A supervisor's sign-in on the running `desk` (`create-agent --supervisor`)."""
    password = secrets.token_urlsafe(12)
    subprocess.run(
        [sys.executable, "-m", "bot", "create-agent", "sofia", "--name", "Sofia",
         "--supervisor", "--password-stdin"],
        input=password + "\n", text=True, env=assistant.env, cwd=ROOT, check=True,
    )  # fmt: skip
    return Desk(desk.url, "sofia", password)


@pytest.fixture(scope="session")
def production_assistant(
    model_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_url: str,
    redis_url: str,
) -> Iterator[Assistant]:
    """The production profile: PostgreSQL tracker store and account DB, Redis locks."""
    workdir = tmp_path_factory.mktemp("production")
    yield from start_assistant(
        model_path,
        workdir,
        {
            "DATABASE_URL": postgres_url,
            "TRACKER_STORE_URL": postgres_url,
            "LOCK_STORE_URL": redis_url,
        },
    )
