"""The customer's screenshots on the desk, for the agent the ticket is assigned to.

    GET /api/tickets/{id}/screenshots          {"screenshots": [{id, url, width, height,
                                                  media_type, at}]}; [] for other agents
    GET /api/tickets/{id}/screenshots/{shot}   the image: Content-Type image/png or
                                                  image/jpeg, inline, never cached

Behind the desk's sign-in like every /api/ route (401 without the cookie). Any other
agent, another ticket's screenshot id, or a ticket outside the agent's languages
gets the same 404 as a screenshot that does not exist. The file name on disk is
random (bot/services/screenshots/files.py) and never leaves the server; the
download name is made from the ids. nosniff and the desk's CSP come from
bot/http/security_headers.py, `Cache-Control: no-store` from the desk's no_store.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config.settings import Settings
from bot.db.models import TicketScreenshot
from bot.db.session import session_scope
from bot.desk import params
from bot.services.agents.roster import AgentInfo
from bot.services.screenshots import files, records

UPLOAD_DIR = web.AppKey("upload_dir", Path)
NOT_FOUND = {"error": "no such screenshot"}


def _listed(ticket_id: int, shot: TicketScreenshot) -> dict[str, Any]:
    return {
        "id": shot.id,
        "url": f"/api/tickets/{ticket_id}/screenshots/{shot.id}",
        "width": shot.width,
        "height": shot.height,
        "media_type": shot.media_type,
        "at": shot.created_at.isoformat(),
    }


def _ids(request: web.Request, *names: str) -> list[int] | None:
    ids = [params.row_id(request.match_info[name]) for name in names]
    return None if None in ids else [value for value in ids if value is not None]


async def list_screenshots(request: web.Request) -> web.Response:
    agent: AgentInfo = request["agent"]
    ids = _ids(request, "ticket_id")
    if ids is None:
        return web.json_response({"error": "no such ticket"}, status=404)
    (ticket_id,) = ids

    def read() -> list[dict[str, Any]]:
        with session_scope() as session:
            if not records.visible_ticket(session, ticket_id, agent.username, agent.languages):
                return []
            return [_listed(ticket_id, shot) for shot in records.of_ticket(session, ticket_id)]

    return web.json_response({"screenshots": await asyncio.to_thread(read)})


async def screenshot_file(request: web.Request) -> web.Response:
    agent: AgentInfo = request["agent"]
    ids = _ids(request, "ticket_id", "screenshot_id")
    if ids is None:
        return web.json_response(NOT_FOUND, status=404)
    ticket_id, shot_id = ids

    def find() -> tuple[str, str] | None:
        with session_scope() as session:
            if not records.visible_ticket(session, ticket_id, agent.username, agent.languages):
                return None
            shot = session.get(TicketScreenshot, shot_id)
            if shot is None or shot.ticket_id != ticket_id:
                return None
            return shot.file_name, shot.media_type

    found = await asyncio.to_thread(find)
    data = None
    if found is not None:
        data = await asyncio.to_thread(files.read, request.app[UPLOAD_DIR], found[0])
    if found is None or data is None:
        return web.json_response(NOT_FOUND, status=404)
    name, media_type = found
    extension = name.rsplit(".", 1)[-1]
    download = f"screenshot-{ticket_id}-{shot_id}.{extension}"
    return web.Response(
        body=data,
        content_type=media_type,
        headers={"Content-Disposition": f'inline; filename="{download}"'},
    )


def add_routes(app: web.Application, settings: Settings) -> None:
    app[UPLOAD_DIR] = settings.upload_dir
    app.router.add_get("/api/tickets/{ticket_id}/screenshots", list_screenshots)
    app.router.add_get("/api/tickets/{ticket_id}/screenshots/{screenshot_id}", screenshot_file)
