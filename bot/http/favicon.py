"""The tab icon of our pages (support site with the widget, agent desk).

Browsers ask for /favicon.ico by themselves, whatever the page links to: without a
route every page load logged a 404. One SVG committed next to this module answers
both paths (Chromium and Firefox read an SVG at /favicon.ico; pages also link it as
/favicon.svg). It is public and the same for everyone: browsers may keep it a day.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

ICON = Path(__file__).resolve().with_name("favicon.svg")
PATHS = ("/favicon.ico", "/favicon.svg")
CONTENT_TYPE = "image/svg+xml"
CACHE_CONTROL = "public, max-age=86400"


def add_routes(app: web.Application) -> None:
    """GET (and HEAD) /favicon.ico and /favicon.svg on `app`."""
    body = ICON.read_bytes()

    async def favicon(_request: web.Request) -> web.Response:
        return web.Response(
            body=body, content_type=CONTENT_TYPE, headers={"Cache-Control": CACHE_CONTROL}
        )

    for path in PATHS:
        app.router.add_get(path, favicon)
