"""What the running assistant keeps of a conversation (Rasa's tracker store, the
account database, files under var/), read back as an operator with a copy would.

Real Rasa + action servers (`assistant`: SQLite; `production_assistant`: PostgreSQL)."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.db.models import Base
from bot.services.conversation_ids import namespaced
from bot.services.identity.sealing import PREFIX
from tests.support.environment import ROOT
from tests.support.outbox import latest_code, mails_to
from tests.support.replies import identify
from tests.support.searchable import searchable
from tests.support.servers import Assistant

CARD = "4111 1111 1111 1111"
# Tables the company owns (the account records); everything else the assistant wrote.
ACCOUNT_TABLES = frozenset(
    {"accounts", "team_memberships", "products", "subscriptions", "addons",
     "billing_contacts", "payment_methods", "alembic_version"}
)  # fmt: skip


def names(assistant: Assistant, sender: str, message: str) -> list[str]:
    replies = assistant.send(sender, message)
    found = [identify(r["text"]) for r in replies if r.get("text")]
    return [f[0] if f else "?" for f in found]


def stored_events(assistant: Assistant, rest_sender: str) -> list[dict]:
    """The stored events of the REST conversation of `rest_sender`."""
    sender = namespaced("rest", rest_sender)
    engine = sa.create_engine(assistant.env["TRACKER_STORE_URL"], future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).scalars()
        events = [json.loads(row) for row in rows]
    engine.dispose()
    return events


def rows_written_by_the_assistant(assistant: Assistant) -> str:
    """Every row of every table but the account records, in both stores, as text."""
    dumps = []
    for url in {assistant.env["DATABASE_URL"], assistant.env["TRACKER_STORE_URL"]}:
        engine = sa.create_engine(url, future=True)
        with engine.connect() as connection:
            for table in sa.inspect(connection).get_table_names():
                if table not in ACCOUNT_TABLES:
                    rows = connection.execute(sa.text(f'SELECT * FROM "{table}"')).all()
                    dumps.append(table + json.dumps([list(map(str, r)) for r in rows]))
        engine.dispose()
    return "\n".join(dumps)


def test_a_card_number_anywhere_gets_the_warning_and_is_never_stored(
    assistant: Assistant,
) -> None:
    who = f"rest-{uuid.uuid4().hex[:10]}"
    assistant.send(who, "bonjour")
    replies = names(assistant, who, f"ma carte {CARD} a été débitée deux fois")
    assert replies[0] == "utter_card_number_removed"
    assert identify(assistant.texts(who, f"voici {CARD.replace(' ', '')}").split("\n")[0]) == (
        "utter_card_number_removed", "fr",
    )  # fmt: skip
    events = searchable(json.dumps(stored_events(assistant, who)))
    assert "[card number removed]" in events
    assert "4111" not in events and "1111" not in events


def test_handoff_questions_refuse_a_card_number_and_keep_details_sealed_between_turns(
    assistant: Assistant,
) -> None:
    """Lost account: the identifier given three turns before the code is sent still
    reaches the right mailbox, though the tracker store only ever held it sealed."""
    who = f"rest-{uuid.uuid4().hex[:10]}"
    email = "limited@example.com"
    assistant.send(who, "i can't log in to my account")
    assert names(assistant, who, "/talk_to_human")[-1] == "utter_ask_handoff_identifier"
    assert names(assistant, who, "4111-1111-1111-1111") == [
        "utter_card_number_removed", "utter_ask_handoff_identifier",
    ]  # fmt: skip
    assert names(assistant, who, email) == ["utter_ask_handoff_card_last4"]
    assert names(assistant, who, f"my card is {CARD}") == [
        "utter_card_number_removed", "utter_ask_handoff_card_last4",
    ]  # fmt: skip
    assert names(assistant, who, "it ends with 4242") == ["utter_ask_handoff_billing_address"]
    before = len(mails_to(assistant, email))
    assert names(assistant, who, "/deny") == ["utter_code_sent", "utter_ask_handoff_code"]
    assert len(mails_to(assistant, email)) == before + 1  # sent to the sealed identifier
    code = latest_code(assistant, email)
    assert names(assistant, who, code)[:2] == ["utter_handoff_verified", "utter_handoff_queued"]

    events = stored_events(assistant, who)
    dump = searchable(json.dumps(events))
    for secret in ("4111", email, code, code[:3] + " " + code[3:]):
        assert secret not in dump
    card_slot = [e["value"] for e in events if e.get("name") == "handoff_card_last4"]
    assert "4242" in card_slot
    assert all(v is None or v == "skipped" or re.fullmatch(r"\d{4}", v) for v in card_slot)
    identifier = [e["value"] for e in events if e.get("name") == "handoff_identifier"]
    assert any(str(v).startswith(PREFIX) for v in identifier)


@pytest.mark.parametrize("profile", ["assistant", "production_assistant"])
def test_erase_leaves_no_row_that_names_the_account(
    profile: str, request: pytest.FixtureRequest
) -> None:
    assistant: Assistant = request.getfixturevalue(profile)
    email, public_id = "sub.expired@example.com", "AC-100003"
    who = f"rest-{uuid.uuid4().hex[:10]}"
    assert names(assistant, who, "is my account still active?")[-1] == "utter_ask_identifier"
    assert names(assistant, who, email) == ["utter_code_sent", "utter_ask_otp_code"]
    assert "utter_verified" in names(assistant, who, latest_code(assistant, email))
    names(assistant, who, "forgot my password")
    names(assistant, who, email)  # a reset link, linked to the account by the audit row
    assert stored_events(assistant, who)

    erased = subprocess.run(
        [sys.executable, "-m", "bot", "erase", "--account", public_id, "--yes"],
        cwd=ROOT, env=assistant.env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert erased.returncode == 0, erased.stderr
    assert re.match(r"erased [1-9]\d* conversation", erased.stdout)
    assert email not in erased.stdout and public_id not in erased.stdout
    assert stored_events(assistant, who) == []
    written = rows_written_by_the_assistant(assistant)
    assert email not in written and public_id not in written


def file_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_databases_and_the_secret_are_readable_by_their_owner_only(
    assistant: Assistant, tmp_path: Path
) -> None:
    assistant.send(f"rest-{uuid.uuid4().hex[:10]}", "hello")  # the tracker store has rows
    for variable in ("DATABASE_URL", "TRACKER_STORE_URL"):
        path = Path(assistant.env[variable].removeprefix("sqlite:///"))
        assert file_mode(path) == 0o600, path
    secret = ROOT / "var" / "secret_key"
    if secret.exists():
        assert file_mode(secret) == 0o600
    # a database created earlier with a wider mode is narrowed when a process starts
    old = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{old}", future=True)
    Base.metadata.create_all(engine)
    engine.dispose()
    old.chmod(0o644)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{old}", "DEMO": "true",  # no SMTP here
           "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}"}  # fmt: skip
    subprocess.run([sys.executable, "-m", "bot", "check"], env=env, cwd=ROOT, check=True)
    assert file_mode(old) == 0o600
    assert file_mode(tmp_path / "tracker.db") == 0o600  # created by the check itself


def test_a_typed_satisfaction_payload_stores_no_answer(assistant: Assistant) -> None:
    """A customer (or a script) typing the satisfaction buttons' payloads, with no
    question waiting, or naming the step slot itself, gets the neutral reply and
    leaves no answer for the Insights figures."""
    who = f"rest-{uuid.uuid4().hex[:10]}"
    assistant.send(who, "hello")
    for payload in (
        '/satisfaction{"satisfaction_helped": false}',
        '/satisfaction{"satisfaction_rating": 1}',
        '/satisfaction{"satisfaction_step": "rating", "satisfaction_rating": 1}',
        '/affirm{"satisfaction_step": "helped", "satisfaction_helped": true}',
    ):
        assistant.send(who, payload)
    stored = [
        (e.get("name"), e.get("value"))
        for e in stored_events(assistant, who)
        if e.get("event") == "slot" and str(e.get("name")).startswith("satisfaction_")
    ]
    assert all(value is None for _, value in stored), stored
    assert names(assistant, who, '/satisfaction{"satisfaction_rating": 5}') == [
        "utter_satisfaction_not_asked"
    ]


@pytest.mark.parametrize("profile", ["assistant", "production_assistant"])
def test_a_burst_of_messages_on_one_conversation_is_stored_once_each_and_scrubbed(
    profile: str, request: pytest.FixtureRequest
) -> None:
    """An attacker (or a flaky widget) sends 12 messages to one conversation at once.
    The database calls of a turn wait off the event loop now; the conversation's lock
    must still keep the turns apart: every message stored exactly once, none lost,
    each scrubbed, the tracker read back as stored."""
    from concurrent.futures import ThreadPoolExecutor

    assistant: Assistant = request.getfixturevalue(profile)
    who = f"burst-{uuid.uuid4().hex[:10]}"
    texts = [f"message {n}: my card {CARD}, email active@example.com" for n in range(12)]
    with ThreadPoolExecutor(len(texts)) as pool:
        replies = list(pool.map(lambda text: assistant.send(who, text), texts))
    assert all(replies)  # every message answered
    events = stored_events(assistant, who)
    users = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(users) == sorted(
        f"message {n}: my card [card number removed], email a***@example.com" for n in range(12)
    )
    dump = searchable(json.dumps(events))
    assert "4111" not in dump.replace(" ", "") and "active@example.com" not in dump
    # each turn's reply follows its own message: the turns did not interleave
    kinds = [e["event"] for e in events if e["event"] in ("user", "bot")]
    assert kinds[0] == "user" and all(
        kinds[i + 1] == "bot" for i, kind in enumerate(kinds[:-1]) if kind == "user"
    )
