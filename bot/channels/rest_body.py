"""The REST channel's request body, checked before Rasa reads it.

Rasa's REST input trusts the body: a JSON array answered 500 with a stack trace in
the log, and a `message` that is not a string, or `metadata` that is not an object,
failed the turn after the request was accepted, so the caller got `[]` and the
conversation a half-written turn. Each gets a 400 with a one-line reason instead.
Found by tests/hostile/test_rest_fuzz.py.

A message longer than MAX_MESSAGE_CHARS is answered with the length limit and not
processed (bot/channels/limits.py, every channel): 100,000 characters held the
server for over a minute.
"""

from __future__ import annotations

from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

MAX_SENDER_CHARS = 255


def body_problem(body: Any) -> str | None:
    """Why a REST webhook body cannot be a user's turn, or None when it can."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return "sender must be a non-empty string"
    if len(sender) > MAX_SENDER_CHARS:
        return f"sender must be at most {MAX_SENDER_CHARS} characters"
    if not isinstance(body.get("message"), str):
        return "message must be a string"
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "metadata must be a JSON object"
    return None


async def refuse_malformed_body(request: Request) -> HTTPResponse | None:
    """Sanic request middleware for the REST blueprint (POSTs only)."""
    if request.method != "POST":
        return None
    try:
        body = request.json
    except Exception:  # Sanic raises InvalidUsage for bytes that are not JSON
        body = None
    problem = body_problem(body)
    if problem:
        return response.json({"error": problem}, status=400)
    return None
