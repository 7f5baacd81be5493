"""Which handler a request reached, for checks that must not depend on how the
path was spelled (Sanic sends `/webhook/`, `/webhook?x`, `/%77ebhook` to the same
handler as `/webhook`)."""

from __future__ import annotations

from sanic.request import Request


def handler_name(request: Request) -> str:
    """The name of the function that handles `request` ("" when none matched)."""
    route = getattr(request, "route", None)
    handler = getattr(route, "handler", None)
    return str(getattr(handler, "__name__", ""))
