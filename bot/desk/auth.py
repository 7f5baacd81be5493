"""Desk sign-in: a signed, expiring session cookie (HMAC under a key from SECRET_KEY).

The cookie carries the agent's session generation: logout moves it on in the database
(bot/services/agents/roster.py), so a copy of any earlier cookie stops working."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from bot.config.keys import DESK_SESSIONS, derive_key
from bot.config.settings import Settings

COOKIE = "desk_session"
SESSION_SECONDS = 8 * 3600  # one working day
# Browsers send this custom header only from our own page's scripts (no CORS here),
# which keeps other sites from posting to the desk with the agent's cookie.
CSRF_HEADER = "X-Desk-Request"


@dataclass(frozen=True)
class DeskSession:
    agent: str
    generation: int


def _sign(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def make_session(
    settings: Settings, username: str, now: float | None = None, *, generation: int = 0
) -> str:
    payload = {
        "agent": username,
        "exp": int((now or time.time()) + SESSION_SECONDS),
        "gen": generation,
    }
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    return f"{body}.{_sign(derive_key(DESK_SESSIONS, settings), body)}"


def read_session(
    settings: Settings, cookie: str | None, now: float | None = None
) -> DeskSession | None:
    """The agent's username and session generation, or None for a missing, forged or
    expired cookie (whether the generation is still current is the caller's check)."""
    if not cookie or "." not in cookie:
        return None
    body, signature = cookie.rsplit(".", 1)
    if not hmac.compare_digest(_sign(derive_key(DESK_SESSIONS, settings), body), signature):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body.encode()))
    except ValueError:
        return None
    if not isinstance(payload, dict) or payload.get("exp", 0) < (now or time.time()):
        return None
    agent, generation = payload.get("agent"), payload.get("gen", 0)
    if not isinstance(agent, str) or not agent or not isinstance(generation, int):
        return None
    return DeskSession(agent, generation)
