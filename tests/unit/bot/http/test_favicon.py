"""The tab icon on the support site (the widget's page) and the agent desk: the request
every browser makes by itself gets the icon, not a 404, before any sign-in (#25)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from xml.etree import ElementTree

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config.settings import load_settings
from bot.desk.app import build_app as build_desk
from bot.site.app import build_app as build_site


def apps(tmp_path: Path) -> dict[str, web.Application]:
    settings = load_settings(
        env_file=None,
        environ={
            "DATABASE_URL": f"sqlite:///{tmp_path / 'accounts.db'}",
            "SECRET_KEY": "s" * 40,
            "RASA_PORT": "5005",
        },
    )
    return {"site": build_site(settings), "desk": build_desk(settings)}


@pytest.mark.parametrize("app_name", ["site", "desk"])
@pytest.mark.parametrize("path", ["/favicon.ico", "/favicon.svg"])
def test_the_icon_is_served_with_its_type_and_may_be_cached(
    tmp_path: Path, app_name: str, path: str
) -> None:
    app = apps(tmp_path)[app_name]

    async def fetch() -> tuple[int, dict[str, str], bytes]:
        async with TestClient(TestServer(app)) as client:
            response = await client.get(path, allow_redirects=False)  # no sign-in first
            return response.status, dict(response.headers), await response.read()

    status, headers, body = asyncio.run(fetch())
    assert status == 200
    assert headers["Content-Type"] == "image/svg+xml"
    assert headers["Cache-Control"] == "public, max-age=86400"
    assert headers["X-Content-Type-Options"] == "nosniff"  # the security headers still apply
    assert "Content-Security-Policy" in headers
    root = ElementTree.fromstring(body)  # a well-formed SVG, small
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and len(body) < 1024
    assert b"<script" not in body


NEAR_THE_ICON = (
    "/favicon.ico/../api/me",
    "/favicon.ico%2F..%2Fapi%2Fme",
    "/api/me?f=/favicon.ico",
    "/favicon.icon",
    "/static/../favicon.ico/x",
)


def test_the_icon_opens_nothing_else_on_the_desk(tmp_path: Path) -> None:
    """Its paths skip the sign-in: paths like them, or other methods, do not."""
    app = apps(tmp_path)["desk"]

    async def statuses() -> dict[str, int]:
        found = {}
        async with TestClient(TestServer(app)) as client:
            for path in NEAR_THE_ICON:
                response = await client.get(path, allow_redirects=False)
                found[f"GET {path}"] = response.status
            response = await client.post("/favicon.ico", allow_redirects=False)
            found["POST /favicon.ico"] = response.status
        return found

    found = asyncio.run(statuses())
    # 401 (API), 302 to /login (pages), 404, 405: never a 200
    assert all(status in (302, 401, 404, 405) for status in found.values()), found
    assert found["POST /favicon.ico"] in (302, 405)
