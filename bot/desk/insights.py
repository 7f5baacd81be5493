"""The desk's Insights page and API, for supervisors only.

`add_routes(app, settings)` is all `bot/desk/app.py` calls. The desk's middleware has
already checked the agent's session (401 without); every route here then checks the
agent's supervisor flag in the database (`create-agent --supervisor`), so a plain
agent gets 403, whatever headers or parameters the request carries. Each call first
reads the tracker events not read yet into our tables (bot/services/insights/figures.py).
The review list (bot/services/insights/misunderstood.py) is the misunderstood messages,
grouped and paged, each group labelled "this was intent X" into the review file, or
ignored (needs no label: it leaves the list).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.config.policy import get_policy
from bot.config.settings import LANGUAGES, PROJECT_ROOT, Settings
from bot.db.session import make_engine, session_scope
from bot.desk import params
from bot.services.agents.roster import AgentInfo
from bot.services.insights import misunderstood
from bot.services.insights.figures import (
    Filters,
    RefreshConflict,
    Report,
    refresh,
    report,
    report_csv,
)
from bot.services.insights.misunderstood import MAX_LABEL_IDS
from bot.services.insights.outcomes import Windows
from bot.services.runtime import utcnow

STATIC = Path(__file__).resolve().parent / "static"
CHARTS = PROJECT_ROOT / "web" / "dist" / "insights.js"  # web/src/insights.js, by make web
TRACKER = web.AppKey("insights_tracker", Engine)
REFRESHING = web.AppKey("insights_refreshing", asyncio.Lock)
REVIEW_FILE = web.AppKey("insights_review_file", Path)
MAX_CHANNEL_CHARS = 32

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadQuery(ValueError):
    """A query parameter the API cannot use (answered 400 with the reason)."""


def supervisor_only(handler: Handler) -> Handler:
    async def checked(request: web.Request) -> web.StreamResponse:
        agent: AgentInfo | None = request.get("agent")
        if agent is None or not agent.supervisor:
            if request.path.startswith("/api/"):
                return web.json_response({"error": "supervisors only"}, status=403)
            raise web.HTTPForbidden(text="Insights are for supervisors only.")
        return await handler(request)

    return checked


def _day(name: str, raw: str) -> datetime | None:
    if not raw:
        return None
    value = params.day(raw)
    if value is None:
        raise BadQuery(f"query parameter '{name}': {params.DAYS}")
    return datetime.combine(value, datetime.min.time())


def parse_filters(query: dict[str, str], now: datetime) -> tuple[Filters, datetime]:
    """The period (`from` and `to`, days included, UTC), `language`, `channel`, and
    `as_of`: the Unix time outcomes are judged at (now, or later to see how open
    conversations settle if nothing more happens)."""
    start, last = _day("from", query.get("from", "")), _day("to", query.get("to", ""))
    if start and last and last < start:
        raise BadQuery("query parameter 'to': on or after 'from'")
    language = query.get("language", "")
    if language and language not in LANGUAGES:
        raise BadQuery(f"query parameter 'language': one of {', '.join(LANGUAGES)}")
    channel = query.get("channel", "")
    if len(channel) > MAX_CHANNEL_CHARS or not (channel.isalnum() or not channel):
        raise BadQuery("query parameter 'channel': a channel name, e.g. socketio")
    as_of = now
    if query.get("as_of"):
        seconds = params.unix_time(query["as_of"])
        if seconds is None:
            raise BadQuery(f"query parameter 'as_of': {params.UNIX_TIME}")
        as_of = datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)
        if as_of < now:
            raise BadQuery("query parameter 'as_of': now or later")
    end = last + timedelta(days=1) if last else None
    return Filters(start, end, language or None, channel or None), as_of


def _read_new_events(session: Any, tracker: Engine, windows: Windows) -> None:
    # RefreshConflict: another desk process read them first; its rows are committed
    with tracker.connect() as connection, suppress(RefreshConflict):
        refresh(session, connection, windows, utcnow())


def compute(tracker: Engine, filters: Filters, as_of: datetime) -> Report:
    """Read the new tracker events, then count (blocking: run it in a thread)."""
    windows = Windows.from_policy(get_policy())
    with session_scope() as session:
        _read_new_events(session, tracker, windows)
        return report(session, filters, as_of, windows)


def review_groups(tracker: Engine, filters: Filters, page: int) -> dict[str, Any]:
    """Read the new tracker events, then group the messages waiting for review: one page."""
    with session_scope() as session:
        _read_new_events(session, tracker, Windows.from_policy(get_policy()))
        groups = misunderstood.open_groups(
            session, start=filters.start, end=filters.end, language=filters.language
        )
        shown = misunderstood.page_of(groups, page)
        return {
            "groups": [group.as_dict() for group in shown.groups],
            "page": shown.page,
            "pages": shown.pages,
            "total": shown.total,
        }


def _page(raw: str) -> int:
    """The review list's `page` query parameter: 1, 2, 3... (1 when absent)."""
    if not raw:
        return 1
    value = params.row_id(raw)
    if value is None:
        raise BadQuery("query parameter 'page': a page number, 1 or more")
    return value


def _filters(request: web.Request) -> tuple[Filters, datetime] | web.Response:
    try:
        return parse_filters(dict(request.query), utcnow())
    except BadQuery as error:
        return web.json_response({"error": str(error)}, status=400)


async def _report(request: web.Request) -> Report | web.Response:
    parsed = _filters(request)
    if isinstance(parsed, web.Response):
        return parsed
    async with request.app[REFRESHING]:
        return await asyncio.to_thread(compute, request.app[TRACKER], *parsed)


@supervisor_only
async def insights_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "insights.html")


@supervisor_only
async def charts_script(request: web.Request) -> web.StreamResponse:
    if not CHARTS.is_file():
        return web.Response(
            status=503, text="run make web to build the charts", content_type="text/plain"
        )
    return web.FileResponse(CHARTS, headers={"Content-Type": "text/javascript"})


@supervisor_only
async def insights_json(request: web.Request) -> web.Response:
    result = await _report(request)
    if isinstance(result, web.Response):
        return result
    return web.json_response(result.as_dict())


@supervisor_only
async def insights_csv(request: web.Request) -> web.Response:
    result = await _report(request)
    if isinstance(result, web.Response):
        return result
    return web.Response(
        text=report_csv(result),
        content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="insights.csv"'},
    )


@supervisor_only
async def review_list(request: web.Request) -> web.Response:
    parsed = _filters(request)
    if isinstance(parsed, web.Response):
        return parsed
    try:
        page = _page(request.query.get("page", ""))
    except BadQuery as error:
        return web.json_response({"error": str(error)}, status=400)
    async with request.app[REFRESHING]:
        listed = await asyncio.to_thread(review_groups, request.app[TRACKER], parsed[0], page)
    return web.json_response({**listed, "intents": list(misunderstood.known_intents())})


def _ids(body: Any, shape: str) -> list[int]:
    if not isinstance(body, dict):
        raise BadQuery(f"send {shape}")
    ids = body.get("ids")
    if (
        not isinstance(ids, list)
        or not 0 < len(ids) <= MAX_LABEL_IDS
        or not all(params.is_row_id(i) for i in ids)
    ):
        raise BadQuery(f"'ids': a list of 1-{MAX_LABEL_IDS} message ids")
    return ids


def _label_request(body: Any) -> tuple[list[int], str]:
    ids = _ids(body, '{"ids": [...], "intent": "..."}')
    intent = body.get("intent")
    if not isinstance(intent, str) or not intent:
        raise BadQuery("'intent': one of the domain's intents")
    return ids, intent


@supervisor_only
async def review_label(request: web.Request) -> web.Response:
    """ "This was intent X": appended to the review file for the next training run."""
    try:
        ids, intent = _label_request(await request.json())
    except ValueError as error:  # BadQuery, or a body that is not JSON
        return web.json_response({"error": str(error) or "a JSON body"}, status=400)
    agent: AgentInfo = request["agent"]

    def apply() -> int:
        with session_scope() as session:
            return misunderstood.label(
                session, ids, intent, by=agent.username, now=utcnow(),
                review_file=request.app[REVIEW_FILE],
            )  # fmt: skip

    try:
        labelled = await asyncio.to_thread(apply)
    except misunderstood.LabelError as error:
        return web.json_response({"error": str(error)}, status=409)
    return web.json_response({"labelled": labelled})


@supervisor_only
async def review_ignore(request: web.Request) -> web.Response:
    """ "Needs no label": the messages leave the review list; nothing is written."""
    try:
        ids = _ids(await request.json(), '{"ids": [...]}')
    except ValueError as error:  # BadQuery, or a body that is not JSON
        return web.json_response({"error": str(error) or "a JSON body"}, status=400)
    agent: AgentInfo = request["agent"]

    def apply() -> int:
        with session_scope() as session:
            return misunderstood.ignore(session, ids, by=agent.username, now=utcnow())

    try:
        ignored = await asyncio.to_thread(apply)
    except misunderstood.LabelError as error:
        return web.json_response({"error": str(error)}, status=409)
    return web.json_response({"ignored": ignored})


def add_routes(app: web.Application, settings: Settings) -> None:
    app[TRACKER] = make_engine(settings.tracker_store_url)
    app[REFRESHING] = asyncio.Lock()
    app[REVIEW_FILE] = settings.nlu_review_file

    async def dispose(app: web.Application) -> None:
        app[TRACKER].dispose()

    app.on_cleanup.append(dispose)  # type: ignore[arg-type]  # aiohttp 3.9 mistypes Signal
    app.router.add_get("/insights", insights_page)
    app.router.add_get("/insights.js", charts_script)
    app.router.add_get("/api/insights", insights_json)
    app.router.add_get("/api/insights.csv", insights_csv)
    app.router.add_get("/api/insights/review", review_list)
    app.router.add_post("/api/insights/review/label", review_label)
    app.router.add_post("/api/insights/review/ignore", review_ignore)
