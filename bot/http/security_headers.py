"""The security headers every page of ours carries (agent desk and support site).

Set on every response, errors included (aiohttp's on_response_prepare signal); each
app gives only its Content-Security-Policy. aiohttp's `Server: Python/... aiohttp/...`
header is removed: no page tells which software and version serve it. The 400 that
aiohttp answers a request it cannot parse skips the signal: its header is empty.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web, web_response

Policy = Callable[[web.Request], str]


def security_headers(content_security_policy: Policy) -> Callable[..., Awaitable[None]]:
    """An on_response_prepare handler that sets the headers, with this app's CSP."""
    web_response.SERVER_SOFTWARE = ""  # the default aiohttp gives every response

    async def add(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = content_security_policy(request)
        # the reset page's URL holds its token, desk URLs name tickets: never a Referer
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers.pop("Server", None)  # aiohttp sets it before this signal

    return add
