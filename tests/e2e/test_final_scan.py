"""Acceptance: after the full suite, a scan of var/ logs, the SQLite tracker store and
the PostgreSQL tracker tables, and the Insights tables read from them, finds no full
card number, one-time code, reset token or full email of a demo account outside the
account tables.

Runs after every other test (tests/conftest.py moves `final_scan` tests to the end),
on the session's `assistant` (SQLite) and `production_assistant` (PostgreSQL) whose
stores the whole suite used. It first drives one more conversation through each with
every kind of secret, then scans. The secrets: the demo emails (bot/ops/demo_data.py),
every code and reset token mailed (read from the outbox, where they are allowed),
and the card numbers the tests use.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.ops.demo_data import DEMO_ACCOUNTS
from tests.e2e.test_stored_conversations import names
from tests.support.environment import FINAL_SCAN, ROOT
from tests.support.outbox import CODE, latest_code, outbox_rows
from tests.support.rasa_api import send_as_bot
from tests.support.searchable import card_pattern, code_pattern, searchable
from tests.support.servers import Assistant
from tests.support.widget_client import WidgetClient

pytestmark = [pytest.mark.slow, getattr(pytest.mark, FINAL_SCAN)]

CARD_NUMBERS = ("4111111111111111", "4111111111111234", "378282246310005")
DEMO_EMAILS = sorted(
    {a.email for a in DEMO_ACCOUNTS} | {email for a in DEMO_ACCOUNTS for email, _ in a.contacts}
)


def drive_every_secret(assistant: Assistant) -> None:
    """A card number in the handoff form and in free text, an email in reset and
    verify, a wrong and a right code."""
    email = "monthly@example.com"
    who = f"scan-{uuid.uuid4().hex[:10]}"
    names(assistant, who, "i can't log in")
    names(assistant, who, "/talk_to_human")
    names(assistant, who, "4111 1111 1111 1111")  # as the identifier
    names(assistant, who, email)
    names(assistant, who, "my card number is 4111-1111-1111-1111")  # in the card question
    names(assistant, who, "sorry: 4111\u00a01111\u00a01111\u00a01111, or 4111_1111_1111_1111")
    names(assistant, who, "1881")
    assert names(assistant, who, "/deny")[0] == "utter_code_sent"
    code = latest_code(assistant, email)
    names(assistant, who, f"{(int(code) + 1) % 10**6:06d}")  # wrong
    names(assistant, who, code)

    # the status check uses an account no other end-to-end test asks codes for: the
    # per-account hourly limits count every test's requests on the shared assistant
    email = "suspended@example.com"
    other = f"scan-{uuid.uuid4().hex[:10]}"
    names(assistant, other, "hello, my card is 378282246310005 or 4111.1111.1111.1111")
    names(assistant, other, "i forgot my password")
    names(assistant, other, email)
    names(assistant, other, "is my account still active?")
    names(assistant, other, email)
    code = latest_code(assistant, email)
    names(assistant, other, code[:3] + "." + str((int(code[3:]) + 1) % 1000).zfill(3))  # wrong
    assert "utter_verified" in names(assistant, other, code[:3] + "-" + code[3:])

    # an agent pasting an email, a card number and the code into the widget's chat:
    # stored for the widget's catch-up (conversation_messages), scrubbed
    widget = WidgetClient(assistant.rasa_url, {})
    try:
        widget.say("hello")
        widget.turn()
        pasted = f"Sent to {email} for card 4111 1111 1111 1111, code {code}"
        send_as_bot(assistant.rasa_url, assistant.env, widget.session_id, pasted)
        assert widget.next()["text"] == pasted  # live, as the agent wrote it
    finally:
        widget.close()


def mailed_secrets(assistant: Assistant) -> set[str]:
    """Every code and reset token in the outbox of this assistant's account database."""
    secrets: set[str] = set()
    for body in (row.body for row in outbox_rows(assistant)):
        secrets.update(CODE.findall(body))
        secrets.update(re.findall(r"token=([\w-]+)", body))
    return secrets


def patterns(secrets: set[str]) -> list[re.Pattern[str]]:
    found = [re.compile(re.escape(email), re.IGNORECASE) for email in DEMO_EMAILS]
    for card in CARD_NUMBERS:
        found.append(card_pattern(card))
    for secret in secrets:
        if secret.isdigit():  # a code, also typed "123 456", "123-456", "123.456"
            found.append(code_pattern(secret))
        else:
            found.append(re.compile(re.escape(secret)))
    return found


def leaks(where: str, text: str, secrets: list[re.Pattern[str]]) -> list[str]:
    # floats blanked first: an event's timestamp 1796413271.902249 is no mailed code 902249
    text = searchable(text)
    return [f"{where}: {pattern.pattern}" for pattern in secrets if pattern.search(text)]


def tracker_rows(assistant: Assistant) -> str:
    engine = sa.create_engine(assistant.env["TRACKER_STORE_URL"], future=True)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT sender_id, data FROM events")).all()
    engine.dispose()
    assert rows, "the tracker store is empty: the scan would prove nothing"
    return "\n".join(f"{sender} {data}" for sender, data in rows)


def insight_rows(assistant: Assistant) -> str:
    """The Insights tables (conversation facts, review list) once every event is read,
    and the messages kept for the widget's catch-up."""
    time.sleep(2.5)  # the refresh leaves the last 2 s of events for later
    subprocess.run(
        [sys.executable, "-m", "bot", "insights-refresh"],
        env=assistant.env, cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    engine = sa.create_engine(assistant.env["DATABASE_URL"], future=True)
    # every column that holds words (times and keyed hashes hold digits by construction)
    queries = (
        "SELECT channel, language, intents, handoff_topic FROM insight_conversations",
        "SELECT language, channel, text, predicted_intent, best_guess FROM insight_review_messages",
        "SELECT payload FROM conversation_messages",  # what the widget was sent
    )
    with engine.connect() as connection:
        rows = [str(row) for query in queries for row in connection.execute(sa.text(query))]
    engine.dispose()
    assert rows, "the Insights tables are empty: the scan would prove nothing"
    return "\n".join(rows)


def sqlite_files(url: str) -> list[Path]:
    path = Path(url.removeprefix("sqlite:///"))
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()]


def log_files(*assistants: Assistant) -> list[Path]:
    files = list((ROOT / "var").glob("**/*.log"))
    for assistant in assistants:
        if assistant.workdir is not None:
            files += list(assistant.workdir.glob("*.log"))
            # the desk (and other processes) started beside it in the same run
            files += list(assistant.workdir.parent.glob("desk*/*.log"))
    return sorted(set(files))


def test_no_store_or_log_keeps_a_card_number_code_token_or_demo_email(
    assistant: Assistant, production_assistant: Assistant
) -> None:
    found: list[str] = []
    for profile in (assistant, production_assistant):
        drive_every_secret(profile)
    for profile in (assistant, production_assistant):
        secrets = patterns(mailed_secrets(profile))
        assert len(secrets) > len(DEMO_EMAILS) + len(CARD_NUMBERS)  # codes and tokens mailed
        found += leaks(profile.env["TRACKER_STORE_URL"], tracker_rows(profile), secrets)
        found += leaks("insights of " + profile.env["DATABASE_URL"], insight_rows(profile), secrets)
        if profile.env["TRACKER_STORE_URL"].startswith("sqlite:///"):
            for file in sqlite_files(profile.env["TRACKER_STORE_URL"]):
                # UTF-8, so a non-breaking space is one separator, never a letter
                text = file.read_bytes().decode("utf-8", errors="replace")
                found += leaks(str(file), text, secrets)
        for log in log_files(profile):
            found += leaks(str(log), log.read_text(errors="replace"), secrets)
    assert found == []
