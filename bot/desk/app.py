"""The agent desk (aiohttp): sign in, see the queue, claim a ticket, chat, hand back.

Every page and API call needs the agent's session cookie (401 otherwise); POSTs
also need the X-Desk-Request header. Sign-in is limited per name and per client
address (bot/services/agents/signin_limits.py; behind TRUSTED_PROXIES the address from
X-Forwarded-For, bot/http/forwarded.py), answers an unknown name like a wrong password, and
refuses the demo agent outside demo mode. Logout voids every cookie of the agent's;
API answers are never cached. Agent messages go to the customer through
Rasa's HTTP API (JWT) with `output_channel=latest`, so they reach the channel the
customer wrote from; the customer's messages are read back from Rasa's tracker.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.orm import Session

from bot.config.policy import get_policy
from bot.config.settings import Settings
from bot.db.models import Account, CannedReply, HandoffTicket, TicketNote, TicketStatus
from bot.db.session import session_scope
from bot.desk import insights, params, screenshots
from bot.desk.auth import COOKIE, CSRF_HEADER, SESSION_SECONDS, make_session, read_session
from bot.desk.rasa_api import RasaClient, RasaError
from bot.http import favicon
from bot.http.forwarded import client_address, is_https
from bot.http.security_headers import security_headers
from bot.ops.demo_data import DEMO_AGENT
from bot.services.agents import canned, signin_limits
from bot.services.agents.roster import (
    AgentInfo,
    authenticate,
    display_names,
    end_sessions,
    get_agent,
)
from bot.services.agents.status import STATUSES, AgentStatus, available_for, set_status
from bot.services.handoff import notes as ticket_notes
from bot.services.handoff import tickets as handoff
from bot.services.handoff.notices import back_in_queue
from bot.services.identity.accounts import normalise_public_id
from bot.services.privacy.redaction import remove_card_numbers
from bot.services.runtime import utcnow
from bot.services.topics import Topic

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
WIDGET_CHANNEL = "socketio"  # the only channel that understands `custom` banners
MAX_MESSAGE_CHARS = 2000
MAX_USERNAME_CHARS = 64  # longer names do not exist (bot.services.agents.roster.USERNAME)
MAX_PASSWORD_CHARS = 1024  # scrypt input; longer is not a password anyone types
SETTINGS = web.AppKey("settings", Settings)
RASA = web.AppKey("rasa", RasaClient)
PUBLIC_PATHS = {"/login", "/health", "/static/desk.js", "/static/desk.css", *favicon.PATHS}
TOPICS = frozenset(topic.value for topic in Topic)
CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'"
TICKET_STATUSES = {
    "": handoff.OPEN_STATUSES,
    "open": handoff.OPEN_STATUSES,
    "closed": (TicketStatus.CLOSED.value,),
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
T = TypeVar("T")


def _json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _json_object(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, or {} for anything else."""
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def refused_agents(settings: Settings) -> frozenset[str]:
    """Names that cannot sign in: the demo agent exists only in demo mode, even if an
    earlier demo run left it in the database."""
    return frozenset() if settings.demo else frozenset({DEMO_AGENT[0]})


def _in_session(work: Callable[[Session], T]) -> Awaitable[T]:
    """Run database work in a worker thread: the event loop keeps serving the others."""

    def run() -> T:
        with session_scope() as session:
            return work(session)

    return asyncio.to_thread(run)


async def _change_ticket(
    request: web.Request, change: Callable[[Any, int, str], HandoffTicket]
) -> tuple[str, str] | web.Response:
    """Apply a claim/close for the signed-in agent: (conversation id, channel) or a 409."""
    agent: AgentInfo = request["agent"]

    def work(session: Session) -> tuple[str, str] | web.Response:
        ticket = _load(session, request)
        try:
            ticket = change(session, ticket.id, agent.username)
        except handoff.TicketError as error:
            return _json_error(409, str(error))
        return ticket.conversation_id, ticket.channel

    return await _in_session(work)


@web.middleware
async def require_agent(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in PUBLIC_PATHS:
        return await handler(request)
    settings: Settings = request.app[SETTINGS]
    cookie = read_session(settings, request.cookies.get(COOKIE))
    agent = None
    if cookie:
        refused = refused_agents(settings)
        agent = await _in_session(lambda session: get_agent(session, cookie.agent, refused=refused))
        if agent and agent.session_generation != cookie.generation:
            agent = None  # signed out since this cookie was made
    if agent is None:
        if request.path.startswith("/api/"):
            return _json_error(401, "sign in first")
        raise web.HTTPFound("/login")
    if (
        request.method == "POST"
        and request.path.startswith("/api/")
        and request.headers.get(CSRF_HEADER) != "1"
    ):
        return _json_error(403, f"missing {CSRF_HEADER} header")
    request["agent"] = agent
    return await handler(request)


def content_security_policy(_request: web.Request) -> str:
    return CONTENT_SECURITY_POLICY


async def no_store(request: web.Request, response: web.StreamResponse) -> None:
    """Tickets, messages and insights are personal: no browser or proxy keeps a copy
    (the static files and the tab icon are the same for everyone)."""
    if not request.path.startswith("/static/") and request.path not in favicon.PATHS:
        response.headers["Cache-Control"] = "no-store"


# --- pages ------------------------------------------------------------------------


async def login_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "login.html")


def _too_many_attempts(wait: timedelta) -> web.Response:
    wait_minutes = signin_limits.minutes(wait)
    return web.Response(
        status=429,
        headers={"Retry-After": str(signin_limits.seconds(wait))},
        content_type="text/html",
        text=(
            '<!doctype html><html lang="en"><meta charset="utf-8">'
            "<title>Agent desk · sign in</title>"
            '<link rel="stylesheet" href="/static/desk.css"><body class="login"><main>'
            f'<p class="error" role="alert">Too many sign-in attempts: try again in '
            f"{wait_minutes} minute{'s' if wait_minutes != 1 else ''}.</p>"
            '<p><a href="/login">Sign in</a></p></main></body></html>'
        ),
    )


def sign_in(
    settings: Settings, username: str, password: str, address: str
) -> AgentInfo | timedelta | None:
    """The agent; or the wait when over the limit; or None (wrong name or password,
    one answer for both). Runs scrypt: call it in a worker thread."""
    policy = get_policy()
    with session_scope() as session:
        wait = signin_limits.take_attempt(session, policy, username, address, utcnow())
        if wait is not None:
            return wait
        agent = authenticate(session, username, password, refused=refused_agents(settings))
        if agent is None:
            signin_limits.record_failure(session, policy, username, address, utcnow())
        else:
            signin_limits.record_success(session, policy, username, address)
    return agent


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username", "")).strip().lower()[:MAX_USERNAME_CHARS]
    password = str(form.get("password", ""))[:MAX_PASSWORD_CHARS]
    settings = request.app[SETTINGS]
    address = client_address(request, settings.trusted_proxies)
    result = await asyncio.to_thread(sign_in, settings, username, password, address)
    if isinstance(result, timedelta):
        logger.info("desk sign-in refused: too many attempts")
        return _too_many_attempts(result)
    if result is None:
        logger.info("desk sign-in refused")
        raise web.HTTPFound("/login?failed=1")
    response = web.HTTPFound("/")
    response.set_cookie(
        COOKIE, make_session(settings, result.username, generation=result.session_generation),
        max_age=SESSION_SECONDS, httponly=True, samesite="Strict", path="/",
        secure=is_https(request, settings.trusted_proxies) or None,
    )  # fmt: skip
    raise response


async def logout(request: web.Request) -> web.Response:
    agent: AgentInfo = request["agent"]
    await _in_session(lambda session: end_sessions(session, agent.username))
    response = web.HTTPFound("/login")
    response.del_cookie(COOKIE, path="/")
    raise response


async def desk_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "desk.html")


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


# --- API --------------------------------------------------------------------------


def _ticket_row(ticket: HandoffTicket, position: int, names: dict[str, str]) -> dict[str, Any]:
    """A ticket as the desk lists it; `names`: agents' display names by username (the
    desk shows the name the agent chose, as the customer sees it)."""
    assigned = ticket.assigned_to
    return {
        "id": ticket.id,
        "language": ticket.language,
        "topic": ticket.topic,
        "channel": ticket.channel,
        "summary": ticket.summary,
        "status": ticket.status,
        "assigned_to": assigned,
        "assigned_name": names.get(assigned, assigned) if assigned else None,
        "queue_position": position,
        "created_at": ticket.created_at.isoformat(),
        "closed_at": ticket.closed_at.isoformat() if ticket.closed_at else None,
    }


async def me(request: web.Request) -> web.Response:
    agent: AgentInfo = request["agent"]
    return web.json_response(
        {
            "username": agent.username,
            "name": agent.display_name,
            "languages": agent.languages,
            "status": agent.status,
            "supervisor": agent.supervisor,  # shows the link to Insights (which checks again)
        }
    )


def _bad_query(name: str, problem: str) -> web.Response:
    return _json_error(400, f"query parameter '{name}': {problem}")


def _ticket_search(request: web.Request, past: bool) -> handoff.TicketSearch | web.Response | None:
    """Past conversations' search (ticket number, account ID, day), or None for the
    queue; a 400 for a value no ticket can have."""
    raw_ticket, raw_account, raw_day = (
        request.query.get(name, "").strip() for name in ("ticket", "account", "day")
    )
    if not (past or raw_ticket or raw_account or raw_day):
        return None
    ticket_id = params.row_id(raw_ticket.lstrip("#")) if raw_ticket else None
    if raw_ticket and ticket_id is None:
        return _bad_query("ticket", "a ticket number, e.g. 42")
    account = normalise_public_id(raw_account) if raw_account else None
    if raw_account and account is None:
        return _bad_query("account", "an account ID, e.g. AC-100012")
    day = params.day(raw_day) if raw_day else None
    if raw_day and day is None:
        return _bad_query("day", params.DAYS)
    return handoff.TicketSearch(ticket_id, account, day)


async def list_tickets(request: web.Request) -> web.Response:
    agent: AgentInfo = request["agent"]
    wanted = request.query.get("language", "")
    if wanted and wanted not in agent.languages:
        return _bad_query("language", f"use one of your teams: {', '.join(agent.languages)}")
    topic = request.query.get("topic", "")
    if topic and topic not in TOPICS:
        return _bad_query("topic", f"use one of {', '.join(sorted(TOPICS))}")
    status = request.query.get("status", "")
    if status not in TICKET_STATUSES:
        return _bad_query("status", "use open or closed")
    languages = [wanted] if wanted else list(agent.languages)
    search = _ticket_search(request, past=status == "closed")
    if isinstance(search, web.Response):
        return search

    def rows(session: Session) -> list[dict[str, Any]]:
        tickets = handoff.list_tickets(
            session, languages=languages, topic=topic or None, statuses=TICKET_STATUSES[status],
            away=agent.status == AgentStatus.AWAY.value, search=search,
        )  # fmt: skip
        names = display_names(session, [t.assigned_to for t in tickets])
        return [_ticket_row(t, handoff.queue_position(session, t), names) for t in tickets]

    return web.json_response({"tickets": await _in_session(rows)})


def _load(session: Any, request: web.Request) -> HandoffTicket:
    agent: AgentInfo = request["agent"]
    ticket_id = params.row_id(request.match_info["ticket_id"])
    ticket = session.get(HandoffTicket, ticket_id) if ticket_id else None
    if ticket is None or ticket.language not in agent.languages:
        raise web.HTTPNotFound(text='{"error": "no such ticket"}', content_type="application/json")
    return ticket


def _account_panel(session: Any, ticket: HandoffTicket) -> dict[str, Any] | None:
    """For a verified customer only: which account, for the agent's own tools."""
    if ticket.account_id is None:
        return None
    account = session.get(Account, ticket.account_id)
    if account is None:
        return None
    return {"account_id": account.public_id, "status": account.status.value}


async def show_ticket(request: web.Request) -> web.Response:
    def body(session: Session) -> dict[str, Any]:
        ticket = _load(session, request)
        names = display_names(session, [ticket.assigned_to])
        return {
            **_ticket_row(ticket, handoff.queue_position(session, ticket), names),
            "verification": ticket.verification,
            "account": _account_panel(session, ticket),
            "transcript": ticket.transcript,
            "resolution_note": ticket.resolution_note,
            "notes": _notes(session, ticket.id),
        }

    return web.json_response(await _in_session(body))


def live_messages(
    events: list[dict[str, Any]], since: float, until: float = math.inf
) -> list[dict[str, Any]]:
    """User, bot and agent messages after `since` and up to `until` (Unix times), codes
    and card numbers masked. An agent line is a bot event the desk wrote (through Rasa's
    JWT-protected API, with the agent's name): a customer's own metadata never makes one."""
    messages = []
    for event, text in handoff.messages_without_codes(events):
        at = float(event.get("timestamp") or 0)
        if at <= since or at > until:
            continue
        agent = (event.get("metadata") or {}).get("agent") if event["event"] == "bot" else None
        role = "agent" if agent else event["event"]
        messages.append({"role": role, "agent": agent, "text": remove_card_numbers(text), "at": at})
    return messages


def parse_since(raw: str) -> float | None:
    """The `since` query parameter: a Unix time (the `at` of the last message shown)."""
    return params.unix_time(raw or "0")


async def messages(request: web.Request) -> web.Response:
    since = parse_since(request.query.get("since", ""))
    if since is None:
        return _bad_query("since", params.UNIX_TIME)

    def opened(session: Session) -> tuple[str, datetime, datetime | None]:
        ticket = _load(session, request)
        return ticket.conversation_id, ticket.created_at, ticket.closed_at

    conversation_id, created, closed = await _in_session(opened)
    since = max(since, _unix(created))
    # a closed ticket is a record: what the customer wrote after the close is not its
    until = _unix(closed) if closed else math.inf
    try:
        tracker = await request.app[RASA].tracker(conversation_id)
    except RasaError as error:
        return _json_error(502, str(error))
    events = tracker.get("events") or []
    return web.json_response({"messages": live_messages(events, since, until)})


def _unix(naive_utc: datetime) -> float:
    return (naive_utc - datetime(1970, 1, 1)).total_seconds()


def _banner(channel: str, state: str, agent: AgentInfo) -> dict[str, Any]:
    """Bot-event data that shows the widget's banner (other channels get text only)."""
    return _widget_banner(channel, state, agent.display_name)


def _widget_banner(channel: str, state: str, agent_name: str | None) -> dict[str, Any]:
    if channel != WIDGET_CHANNEL:
        return {}
    return {"data": {"custom": {"handoff": state, "agent": agent_name}}}


async def claim(request: web.Request) -> web.Response:
    agent: AgentInfo = request["agent"]
    changed = await _change_ticket(
        request, lambda session, ticket_id, who: handoff.claim(session, ticket_id, who, utcnow())
    )
    if isinstance(changed, web.Response):
        return changed
    conversation_id, channel = changed
    rasa: RasaClient = request.app[RASA]
    try:
        # a ticket written outside support hours left the bot running: the person takes over now
        await rasa.hand_to_agent(
            conversation_id, agent.display_name, _banner(channel, "agent", agent) or None
        )
    except RasaError as error:
        return _json_error(502, str(error))
    return web.json_response({"status": TicketStatus.ASSIGNED.value})


async def send_message(request: web.Request) -> web.Response:
    agent: AgentInfo = request["agent"]
    text = str((await _json_object(request)).get("text") or "").strip()
    if not text or len(text) > MAX_MESSAGE_CHARS:
        return _json_error(400, f"the message must have 1-{MAX_MESSAGE_CHARS} characters")

    def claimed(session: Session) -> tuple[str, str] | None:
        ticket = _load(session, request)
        if ticket.status != TicketStatus.ASSIGNED.value or ticket.assigned_to != agent.username:
            return None
        return ticket.conversation_id, ticket.channel

    found = await _in_session(claimed)
    if found is None:
        return _json_error(409, "claim the ticket before writing")
    conversation_id, channel = found
    event = {
        "event": "bot",
        "text": text,
        "metadata": {"agent": agent.display_name},
        **_banner(channel, "agent", agent),
    }
    try:
        await request.app[RASA].append(conversation_id, [event])
    except RasaError as error:
        return _json_error(502, str(error))
    return web.json_response({"status": "sent"})


async def hand_back(request: web.Request) -> web.Response:
    agent: AgentInfo = request["agent"]
    note = str((await _json_object(request)).get("note") or "")
    changed = await _change_ticket(
        request,
        lambda session, ticket_id, who: handoff.close(session, ticket_id, who, note, utcnow()),
    )
    if isinstance(changed, web.Response):
        return changed
    conversation_id, channel = changed
    rasa: RasaClient = request.app[RASA]
    try:
        await rasa.return_to_bot(conversation_id, _banner(channel, "ended", agent) or None)
    except RasaError as error:
        return _json_error(502, str(error))
    return web.json_response({"status": TicketStatus.CLOSED.value})


# --- agent tools (#25): status, internal notes, canned replies, transfer -----------


async def change_status(request: web.Request) -> web.Response:
    """Available or away: an away agent is offered no queued ticket."""
    agent: AgentInfo = request["agent"]
    status = (await _json_object(request)).get("status")
    if not isinstance(status, str) or status not in STATUSES:
        return _json_error(400, "status: use available or away")
    await _in_session(lambda session: set_status(session, agent.username, AgentStatus(status)))
    return web.json_response({"status": status})


def _notes(session: Session, ticket_id: int) -> list[dict[str, Any]]:
    notes: list[TicketNote] = ticket_notes.notes_of(session, ticket_id)
    names = display_names(session, [note.author for note in notes])
    return [
        {
            "id": note.id,
            "author": names.get(note.author, note.author),
            "text": note.text,
            "at": note.created_at.isoformat(),
        }
        for note in notes
    ]


async def add_note(request: web.Request) -> web.Response:
    """An internal note: stored with the ticket, never sent anywhere."""
    agent: AgentInfo = request["agent"]
    text = (await _json_object(request)).get("text")

    def work(session: Session) -> web.Response:
        ticket = _load(session, request)
        try:
            ticket_notes.add_note(
                session, ticket.id, agent.username, text if isinstance(text, str) else "", utcnow()
            )
        except ticket_notes.NoteError as error:
            return _json_error(400, str(error))
        return web.json_response({"notes": _notes(session, ticket.id)})

    return await _in_session(work)


async def ticket_canned_replies(request: web.Request) -> web.Response:
    """The canned replies of the ticket's language, filled in for this ticket and agent."""
    agent: AgentInfo = request["agent"]

    def work(session: Session) -> list[dict[str, Any]]:
        ticket = _load(session, request)
        return [
            {
                "id": reply.id,
                "title": reply.title,
                "text": canned.render(reply.text, ticket.first_name, agent.display_name),
            }
            for reply in canned.list_replies(session, [ticket.language])
        ]

    return web.json_response({"replies": await _in_session(work)})


async def transfer_targets(request: web.Request) -> web.Response:
    """The available agents of the ticket's language team, but the one asking."""
    agent: AgentInfo = request["agent"]
    refused = refused_agents(request.app[SETTINGS])

    def work(session: Session) -> list[dict[str, str]]:
        ticket = _load(session, request)
        found = available_for(session, ticket.language, refused=refused)
        return [
            {"username": username, "name": name}
            for username, name in sorted(found.items(), key=lambda item: item[1].lower())
            if username != agent.username
        ]

    return web.json_response({"agents": await _in_session(work)})


async def transfer(request: web.Request) -> web.Response:
    """Give a claimed ticket to an available colleague (`to`: a username), or back to
    the queue (`to`: null); the customer is told in their language."""
    agent: AgentInfo = request["agent"]
    to = (await _json_object(request)).get("to")
    if to is not None and (not isinstance(to, str) or not to):
        return _json_error(400, "to: an available agent's username, or null for the queue")
    refused = refused_agents(request.app[SETTINGS])

    def work(session: Session) -> tuple[str, str, str, str | None] | web.Response:
        ticket = _load(session, request)
        try:
            ticket = handoff.transfer(
                session, ticket.id, agent.username, to, utcnow(), refused=refused
            )
        except handoff.TicketError as error:
            return _json_error(409, str(error))
        name = display_names(session, [to])[to] if to else None
        return ticket.conversation_id, ticket.channel, ticket.language, name

    moved = await _in_session(work)
    if isinstance(moved, web.Response):
        return moved
    conversation_id, channel, language, name = moved
    rasa: RasaClient = request.app[RASA]
    try:
        if name is None:
            await rasa.append(
                conversation_id,
                [
                    {"event": "slot", "name": "agent_name", "value": None},
                    {"event": "bot", **_widget_banner(channel, "queued", None)}
                    if channel == WIDGET_CHANNEL
                    else {"event": "bot", "text": back_in_queue(language)},
                ],
            )
        else:
            banner = _widget_banner(channel, "agent", name) or None
            await rasa.hand_to_agent(conversation_id, name, banner)
    except RasaError as error:
        return _json_error(502, str(error))
    status = TicketStatus.QUEUED if name is None else TicketStatus.ASSIGNED
    return web.json_response({"status": status.value, "assigned_to": to})


def _canned_row(reply: CannedReply) -> dict[str, Any]:
    return {"id": reply.id, "language": reply.language, "title": reply.title, "text": reply.text}


async def list_canned_replies(request: web.Request) -> web.Response:
    """The canned replies of the agent's teams, as written (variables unfilled)."""
    agent: AgentInfo = request["agent"]

    def rows(session: Session) -> list[dict[str, Any]]:
        return [_canned_row(reply) for reply in canned.list_replies(session, agent.languages)]

    return web.json_response({"replies": await _in_session(rows)})


def _title_and_text(body: dict[str, Any]) -> tuple[str, str]:
    title, text = body.get("title"), body.get("text")
    return (title if isinstance(title, str) else ""), (text if isinstance(text, str) else "")


def _reply_id(request: web.Request) -> int:
    reply_id = params.row_id(request.match_info["reply_id"])
    if reply_id is None:
        raise web.HTTPNotFound(
            text='{"error": "no such canned reply"}', content_type="application/json"
        )
    return reply_id


@insights.supervisor_only
async def create_canned_reply(request: web.Request) -> web.Response:
    agent: AgentInfo = request["agent"]
    body = await _json_object(request)
    language = body.get("language")
    if not isinstance(language, str) or language not in agent.languages:
        return _json_error(400, f"language: use one of your teams: {', '.join(agent.languages)}")
    title, text = _title_and_text(body)

    def work(session: Session) -> web.Response:
        try:
            reply = canned.create(session, language, title, text, agent.username, utcnow())
        except canned.CannedError as error:
            return _json_error(400, str(error))
        return web.json_response(_canned_row(reply), status=201)

    return await _in_session(work)


@insights.supervisor_only
async def edit_canned_reply(request: web.Request) -> web.Response:
    agent: AgentInfo = request["agent"]
    reply_id = _reply_id(request)
    title, text = _title_and_text(await _json_object(request))

    def work(session: Session) -> web.Response:
        try:
            reply = canned.edit(
                session, reply_id, agent.languages, title, text, agent.username, utcnow()
            )
        except LookupError as error:
            return _json_error(404, str(error))
        except canned.CannedError as error:
            return _json_error(400, str(error))
        return web.json_response(_canned_row(reply))

    return await _in_session(work)


@insights.supervisor_only
async def delete_canned_reply(request: web.Request) -> web.Response:
    agent: AgentInfo = request["agent"]
    reply_id = _reply_id(request)

    def work(session: Session) -> web.Response:
        try:
            canned.delete(session, reply_id, agent.languages)
        except LookupError as error:
            return _json_error(404, str(error))
        return web.json_response({"deleted": reply_id})

    return await _in_session(work)


def build_app(settings: Settings, rasa_url: str | None = None) -> web.Application:
    app = web.Application(middlewares=[require_agent])
    app.on_response_prepare.append(security_headers(content_security_policy))
    app.on_response_prepare.append(no_store)  # type: ignore[arg-type]  # aiohttp 3.9 mistypes Signal
    app[SETTINGS] = settings
    app[RASA] = RasaClient(settings, rasa_url)

    async def close_rasa(app: web.Application) -> None:
        await app[RASA].close()

    app.on_cleanup.append(close_rasa)  # type: ignore[arg-type]  # aiohttp 3.9 mistypes Signal
    app.router.add_get("/health", health)
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/", desk_page)
    app.router.add_static("/static", STATIC)
    favicon.add_routes(app)
    app.router.add_get("/api/me", me)
    app.router.add_get("/api/tickets", list_tickets)
    app.router.add_get("/api/tickets/{ticket_id}", show_ticket)
    app.router.add_get("/api/tickets/{ticket_id}/messages", messages)
    app.router.add_post("/api/tickets/{ticket_id}/claim", claim)
    app.router.add_post("/api/tickets/{ticket_id}/messages", send_message)
    app.router.add_post("/api/tickets/{ticket_id}/handback", hand_back)
    app.router.add_post("/api/me/status", change_status)
    app.router.add_post("/api/tickets/{ticket_id}/notes", add_note)
    app.router.add_get("/api/tickets/{ticket_id}/canned", ticket_canned_replies)
    app.router.add_get("/api/tickets/{ticket_id}/transfer", transfer_targets)
    app.router.add_post("/api/tickets/{ticket_id}/transfer", transfer)
    app.router.add_get("/api/canned", list_canned_replies)
    app.router.add_post("/api/canned", create_canned_reply)
    app.router.add_post("/api/canned/{reply_id}", edit_canned_reply)
    app.router.add_post("/api/canned/{reply_id}/delete", delete_canned_reply)
    insights.add_routes(app, settings)
    screenshots.add_routes(app, settings)
    return app


def run(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    web.run_app(build_app(settings), host=settings.listen_host, port=settings.desk_port, print=None)
