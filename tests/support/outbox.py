"""Reading the demo outbox (table `mail_outbox`) of a running assistant: the mails
its codes and reset links went out in. One reader for every end-to-end test."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from bot.services.mail.queue import OUTBOX
from tests.support.servers import Assistant

CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


@dataclass(frozen=True)
class OutboxRow:
    to: str | None  # None: a request for an unknown email (same work, nobody mailed)
    body: str
    status: str


def outbox_rows(assistant: Assistant) -> list[OutboxRow]:
    """Every row of the assistant's outbox, oldest first."""
    engine = sa.create_engine(assistant.env["DATABASE_URL"], future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT to_address, body, status FROM mail_outbox ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    return [OutboxRow(to, str(body or ""), status) for to, body, status in rows]


def sent_mails(assistant: Assistant) -> list[tuple[str, str]]:
    """(recipient, body) of the mails that went to someone, oldest first."""
    return [(row.to, row.body) for row in outbox_rows(assistant) if row.status == OUTBOX and row.to]


def mails_to(assistant: Assistant, to: str) -> list[str]:
    """Bodies of the mails to `to`, newest first."""
    return [row.body for row in reversed(outbox_rows(assistant)) if row.to == to]


def latest_mail(assistant: Assistant, to: str) -> str:
    bodies = mails_to(assistant, to)
    assert bodies, f"no mail to {to}"
    return bodies[0]


def latest_code(assistant: Assistant, to: str) -> str:
    """The one-time code of the newest mail to `to`."""
    return CODE.findall(latest_mail(assistant, to))[-1]
