"""Shared fixtures: the trained model (trained once per run), real databases, and
real Rasa + action server processes talking over HTTP. Only hooks and fixtures live
here; what tests and benchmarks import is in tests/support/ (environment.py,
servers.py, ...)."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db.migrate import downgrade, upgrade
from bot.db.session import make_engine
from bot.ops.cli import latest_model
from bot.ops.demo_data import seed_demo
from tests.support.environment import (
    FINAL_SCAN,
    RABBITMQ_URL,
    REDIS_URL,
    ROOT,
    TODAY,
    require_service,
    throwaway_schema,
)
from tests.support.helpdesk import Helpdesk
from tests.support.servers import (
    WEBHOOK_SECRET,
    Assistant,
    Desk,
    always_open_policy,
    start_assistant,
    start_desk,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked final_scan run after every other test (they scan what the run left)."""
    items.sort(key=lambda item: item.get_closest_marker(FINAL_SCAN) is not None)


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


def _migrate_and_seed(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine, future=True) as session:
        seed_demo(session, TODAY)
        session.commit()
    engine.dispose()


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, seeded SQLite file that each SQLite test copies (migrating and
    seeding every test's own file was most of the fast tests' time)."""
    path = tmp_path_factory.mktemp("seeded") / "accounts.db"
    _migrate_and_seed(f"sqlite:///{path}")
    return path


@pytest.fixture
def factory(database_url: str, request: pytest.FixtureRequest) -> Iterator[sessionmaker]:
    """Migrated and seeded with the demo accounts (as of TODAY); downgraded afterwards."""
    sqlite_file = database_url.removeprefix("sqlite:///")
    if sqlite_file != database_url:
        shutil.copyfile(request.getfixturevalue("seeded_sqlite"), sqlite_file)
    else:
        _migrate_and_seed(database_url)
    engine = make_engine(database_url)
    factory = sessionmaker(engine, future=True, expire_on_commit=False)
    yield factory
    engine.dispose()
    if sqlite_file == database_url:  # the SQLite file goes with its test's folder
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
            "UPLOAD_DIR": str(workdir / "uploads"),
        },
    )


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


@pytest.fixture
def smtp_port() -> Iterator[int]:
    """Something listening like an SMTP server would (start-up only connects)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]
