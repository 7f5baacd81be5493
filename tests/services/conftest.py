"""A migrated database seeded with the demo accounts, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db.migrate import downgrade, upgrade
from bot.db.session import make_engine
from bot.demo_data import seed_demo
from tests.services.common import TODAY


@pytest.fixture(params=["sqlite", "postgresql"])
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker]:
    """Migrated and seeded database; downgraded afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'accounts.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(engine, future=True, expire_on_commit=False)
    with factory() as session:
        seed_demo(session, TODAY)
        session.commit()
    yield factory
    engine.dispose()
    downgrade(url)


@pytest.fixture
def session(factory: sessionmaker) -> Iterator[Session]:
    with factory() as session:
        yield session
