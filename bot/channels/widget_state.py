"""What the widget is told besides messages: the teams' hours and the wait.

- `session_confirm` carries `support_hours`: per language, the opening periods of the
  next 7 days as UTC instants (`[["2026-12-08T08:00:00Z", "2026-12-08T17:00:00Z"], ...]`,
  from bot/policy.yml), which the widget shows in the customer's own time zone.
- `waiting {"position": int, "minutes": int}` tells a widget where its conversation
  stands in the queue (bot/services/handoff/waiting.py); position 0: not waiting (any
  more). A socket gets it when it joins a conversation with an open ticket, and again
  whenever it changes: every `WAITING_POLL_SECONDS` each Rasa server reads the open
  tickets of the conversations whose sockets it holds and tells those sockets (not the
  other servers': they do the same for theirs) what changed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.config.policy import get_policy
from bot.db.models import HandoffTicket
from bot.db.session import session_scope
from bot.services.handoff.tickets import OPEN_STATUSES
from bot.services.handoff.waiting import NOT_WAITING, WaitingState, waiting_states
from bot.services.runtime import utcnow

logger = logging.getLogger(__name__)

WAITING_EVT = "waiting"
WAITING_POLL_SECONDS = 2.0


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def support_hours(now: datetime) -> dict[str, list[list[str]]]:
    """Each language team's opening periods over its next 7 days, UTC."""
    return {
        language: [[_iso(opens), _iso(closes)] for opens, closes in hours.openings(now)]
        for language, hours in get_policy().support_hours.items()
    }


def _read_states(conversation_ids: set[str]) -> dict[str, WaitingState]:
    with session_scope() as session:
        open_ones = session.scalars(
            select(HandoffTicket.conversation_id).where(HandoffTicket.status.in_(OPEN_STATUSES))
        ).all()
        wanted = conversation_ids.intersection(open_ones)
        return waiting_states(session, wanted, utcnow())


async def waiting_state(conversation_id: str) -> WaitingState | None:
    """The conversation's place in the queue (position 0 with no open ticket), or None
    when the database cannot say."""
    try:
        states = await asyncio.to_thread(_read_states, {conversation_id})
    except SQLAlchemyError as error:
        logger.warning("waiting state not read: %s", type(error).__name__)
        return None
    return states.get(conversation_id, NOT_WAITING)


class WaitingWatcher:
    """Tells this server's widget sockets when their place in the queue changes."""

    def __init__(self, sio: Any, namespace: str | None, prefix: str) -> None:
        self.sio = sio
        self.namespace = namespace or "/"
        self.prefix = prefix  # conversation rooms, as opposed to each socket's own
        self.told: dict[str, WaitingState] = {}  # room -> the state its sockets have

    def local_rooms(self) -> set[str]:
        rooms = self.sio.manager.rooms.get(self.namespace, {})
        return {room for room, members in rooms.items()
                if isinstance(room, str) and room.startswith(self.prefix) and members}  # fmt: skip

    async def check(self) -> None:
        rooms = self.local_rooms()
        self.told = {room: state for room, state in self.told.items() if room in rooms}
        if not rooms:
            return
        states = await asyncio.to_thread(_read_states, rooms)
        for room in rooms:
            state = states.get(room)
            if state is None:  # no open ticket (closed, erased): stop waiting once
                if self.told.get(room, NOT_WAITING) == NOT_WAITING:
                    continue
                state = NOT_WAITING
            if self.told.get(room) != state:
                await self.tell(room, state)

    async def tell(self, room: str, state: WaitingState) -> None:
        self.told[room] = state
        # the sockets of this server only: each server tells its own
        await self.sio.emit(
            WAITING_EVT, state.as_dict(), room=room, namespace=self.namespace, ignore_queue=True
        )

    async def run(self) -> None:
        while True:
            await asyncio.sleep(WAITING_POLL_SECONDS)
            try:
                await self.check()
            except SQLAlchemyError as error:
                logger.warning("waiting states not read: %s", type(error).__name__)
            except Exception:  # the watcher must outlive any one bad round
                logger.exception("waiting states not sent")
