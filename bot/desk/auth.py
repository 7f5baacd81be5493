"""Desk sign-in: a signed, expiring session cookie (HMAC under a key from SECRET_KEY)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from bot.keys import DESK_SESSIONS, derive_key
from bot.settings import Settings

COOKIE = "desk_session"
SESSION_SECONDS = 8 * 3600  # one working day
# Browsers send this custom header only from our own page's scripts (no CORS here),
# which keeps other sites from posting to the desk with the agent's cookie.
CSRF_HEADER = "X-Desk-Request"


def _sign(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def make_session(settings: Settings, username: str, now: float | None = None) -> str:
    payload = {"agent": username, "exp": int((now or time.time()) + SESSION_SECONDS)}
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    return f"{body}.{_sign(derive_key(DESK_SESSIONS, settings), body)}"


def read_session(settings: Settings, cookie: str | None, now: float | None = None) -> str | None:
    """The agent's username, or None for a missing, forged or expired cookie."""
    if not cookie or "." not in cookie:
        return None
    body, signature = cookie.rsplit(".", 1)
    if not hmac.compare_digest(_sign(derive_key(DESK_SESSIONS, settings), body), signature):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body.encode()))
    except ValueError:
        return None
    if payload.get("exp", 0) < (now or time.time()):
        return None
    return str(payload.get("agent")) or None
