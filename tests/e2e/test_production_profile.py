"""The production profile runs on the real PostgreSQL and Redis of this machine."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.support.replies import identify
from tests.support.servers import Assistant

pytestmark = pytest.mark.slow


def test_conversation_on_postgresql_and_redis(production_assistant: Assistant) -> None:
    who = f"prod-{uuid.uuid4().hex[:8]}"
    first = production_assistant.send(who, "bonjour")
    assert identify(first[0]["text"]) == ("utter_greet", "fr")
    second = production_assistant.send(who, "merci beaucoup")
    assert identify(second[0]["text"]) == ("utter_thank", "fr")

    engine = sa.create_engine(production_assistant.env["TRACKER_STORE_URL"], future=True)
    with engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": f"rest:{who}"}
        ).scalar()
        accounts = connection.execute(sa.text("SELECT count(*) FROM accounts")).scalar()
    engine.dispose()
    assert stored and stored > 4
    assert accounts == 13  # demo data seeded into the PostgreSQL account DB
