"""What the tests run against: the repository, a fixed "today", the local services
(PostgreSQL, Redis, RabbitMQ), and how a missing one skips or fails a test."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db.session import make_engine

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
TODAY = date(2026, 11, 22)  # the fixed "today" of tests that seed the demo data
FINAL_SCAN = "final_scan"  # the marker of tests that run after every other


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


@contextmanager
def rasa_events_table(database_url: str) -> Iterator[Engine]:
    """Rasa's own `events` table (its SQL tracker store's schema) in `database_url`,
    beside the account tables (each test's database is its own), dropped afterwards."""
    from rasa.core.tracker_store import SQLTrackerStore

    engine = make_engine(database_url)
    SQLTrackerStore.Base.metadata.create_all(engine)
    try:
        yield engine
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE events"))
        engine.dispose()
