"""Every message the chat widget is sent, kept server-side so none is lost.

The widget's history lived only in the browser: a message sent while the customer
was on another page (an agent's answer, the "agent joined" notice) reached no socket
and was never shown. Now each message the widget channel sends (bot, agent, system
notice: bot/channels/socketio.py `WidgetOutput`) is recorded first and carries its
number, `seq` (1, 2, 3... per conversation, in the order sent); a widget that comes
back asks for the messages after the last number it showed and drops any number
it already has.

Stored as the tracker store keeps the same bot events (`scrub_value`: card numbers
removed, emails masked, one-time codes replaced), under the keyed hash of the
conversation ID, never the ID itself. Retention and erasure delete the rows with
the conversation's other rows (bot/services/privacy/).

Numbers: the conversation's highest + 1, in the transaction that inserts the row;
the unique (conversation, seq) constraint makes a concurrent writer (another Rasa
server; Rasa's lock store normally keeps them apart) fail and take the next number
after a short jittered wait, so numbers are committed in the order they are given.
Runs in a worker thread (bot/channels/socketio.py): the wait stalls no event loop.
"""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import ConversationMessage
from bot.services.privacy.redaction import conversation_key
from bot.services.privacy.tracker_scrubbing import scrub_value

MAX_MISSED = 200  # at most this many per request: the widget keeps as many in its history
ATTEMPTS = 20  # numbers taken by concurrent writers before this one gives up
BACKOFF_SECONDS = 0.005  # times the attempt, jittered: writers that collided spread out


class DeliveryError(Exception):
    """The message could not be numbered (the database kept refusing)."""


def record(session: Session, conversation_id: str, payload: dict[str, Any], now: datetime) -> int:
    """Store one message the widget is sent (scrubbed) and commit; its number."""
    key = conversation_key(conversation_id)
    stored = scrub_value(payload)
    for attempt in range(ATTEMPTS):
        newest = session.scalar(
            select(func.max(ConversationMessage.seq)).where(
                ConversationMessage.conversation_key == key
            )
        )
        seq = int(newest or 0) + 1
        session.add(ConversationMessage(conversation_key=key, seq=seq, at=now, payload=stored))
        try:
            session.commit()
        except IntegrityError:  # another writer took this number first: take the next
            session.rollback()
            time.sleep(random.uniform(0, BACKOFF_SECONDS * (attempt + 1)))
            continue
        return seq
    raise DeliveryError(f"no message number after {ATTEMPTS} attempts")


def missed(
    session: Session, conversation_id: str, after: int, limit: int = MAX_MISSED
) -> list[dict[str, Any]]:
    """The conversation's messages numbered above `after`, oldest first, each as the
    widget received it (`id`: its number); the newest `limit` if more were missed."""
    rows = session.scalars(
        select(ConversationMessage)
        .where(
            ConversationMessage.conversation_key == conversation_key(conversation_id),
            ConversationMessage.seq > after,
        )
        .order_by(ConversationMessage.seq.desc())
        .limit(limit)
    ).all()
    return [{**row.payload, "id": row.seq} for row in reversed(rows)]
