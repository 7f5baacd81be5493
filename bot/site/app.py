"""The demo support site: a help-centre page with the chat widget, the page the
password-reset mails link to, and (demo mode only, DEMO=true) the local mail outbox.

Started by `python -m bot serve site` (or `python -m bot.site`) on SITE_PORT.
The database work is synchronous SQLAlchemy, so it runs in a worker thread and
never blocks the event loop (scrypt takes tens of milliseconds).

Nothing here logs a token, a password or an email: the access log writes the
path without its query string, because the reset link carries its token there.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.config.settings import LANGUAGES, PROJECT_ROOT, Settings
from bot.db.models import Account, OutboxMail, ResetToken
from bot.db.session import make_engine, session_scope
from bot.http import favicon
from bot.http.security_headers import security_headers
from bot.services.identity import password_reset
from bot.services.identity.password_reset import hash_token, redeem_token
from bot.services.identity.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordRejected,
    password_problem,
    set_password,
)
from bot.services.mail.queue import OUTBOX
from bot.services.runtime import utcnow
from bot.site.texts import LANGUAGE_NAMES, text

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
WIDGET_DIR = PROJECT_ROOT / "web" / "dist"
CSRF_COOKIE = "reset_csrf"
CSRF_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
MAX_TOKEN_CHARS = 200  # real tokens are 43 characters; longer input is not worth a query
OUTBOX_LIMIT = 20
# A Host header is reflected into the page and the CSP: accept host names and IPs only.
HOST_PATTERN = re.compile(
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]{2,45})\]|(?P<name>[A-Za-z0-9.-]{1,253}))(?::\d{1,5})?"
)
URL_PATTERN = re.compile(r"https?://[^\s<>\"']+")
NOT_BUILT = "The chat widget is not built: run make web\n"

SETTINGS = web.AppKey("settings", Settings)
FACTORY = web.AppKey("factory", sessionmaker)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
WIDGET = web.AppKey("widget_dir", Path)


# --- helpers ----------------------------------------------------------------------


def accepted_languages(header: str) -> list[str]:
    """Primary language subtags of an Accept-Language header, best first."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.split("-")[0].lower()))
    return [language for _, _, language in sorted(weighted)]


def page_language(request: web.Request) -> str:
    """?lang= if it is it/fr/en, else the browser's preference, else DEFAULT_LANGUAGE."""
    asked = request.query.get("lang", "")
    if asked in LANGUAGES:
        return asked
    for language in accepted_languages(request.headers.get("Accept-Language", "")):
        if language in LANGUAGES:
            return language
    return request.app[SETTINGS].default_language


def browser_host(request: web.Request) -> str:
    """The host name the browser used for this page (so Rasa is reached the same way)."""
    # Parsed from the Host header by hand: request.url fails on a Host with a port
    # with the yarl release installed here.
    match = HOST_PATTERN.fullmatch(request.host or "")
    if match is None:
        return "localhost"
    return f"[{match['ipv6']}]" if match["ipv6"] else match["name"]


def rasa_origin(request: web.Request) -> str:
    return f"http://{browser_host(request)}:{request.app[SETTINGS].rasa_port}"


def content_security_policy(request: web.Request) -> str:
    rasa = rasa_origin(request)
    websocket = "ws" + rasa[len("http") :]
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {rasa} {websocket}",  # the widget's socket.io to Rasa
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


def linkify(body: str) -> Markup:
    """Mail text as HTML: everything escaped, http(s) URLs as links."""
    parts: list[Markup] = []
    last = 0
    for match in URL_PATTERN.finditer(body):
        url = match.group(0).rstrip(".,;:!?)")
        parts.append(escape(body[last : match.start()]))
        parts.append(Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(url))
        last = match.start() + len(url)
    parts.append(escape(body[last:]))
    return Markup("").join(parts)


def render(
    request: web.Request,
    template: str,
    language: str,
    *,
    status: int = 200,
    language_url: Callable[[str], str] | None = None,
    **context: Any,
) -> web.Response:
    environment = request.app[TEMPLATES]
    html = environment.get_template(template).render(
        lang=language,
        t=partial(text, language),
        languages=list(LANGUAGE_NAMES.items()),
        language_url=language_url or (lambda code: f"{request.path}?lang={code}"),
        **context,
    )
    response = web.Response(text=html, content_type="text/html", status=status)
    response.headers["Vary"] = "Accept-Language"
    return response


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log without query strings: the reset link's token is in one."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.0f ms", request.method, request.path, response.status, time * 1000
        )


def form_field(form: Any, name: str) -> str:
    """A text field of a posted form ("" when missing or a file)."""
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


# --- database work (in a worker thread) ----------------------------------------------


def token_is_usable(factory: sessionmaker, token: str, now: datetime) -> bool:
    """Whether the link still works, without using it up (that happens on submit)."""
    with session_scope(factory) as session:
        return password_reset.token_is_usable(session, token, now)


def change_password(factory: sessionmaker, token: str, password: str) -> bool:
    """Redeem the token and store the new password in one go; False for a bad token."""
    now = utcnow()
    with session_scope(factory) as session:
        # rules that need the account (its email) are checked before the link is used up
        email = session.scalar(
            select(Account.email)
            .join(ResetToken, ResetToken.account_id == Account.id)
            .where(ResetToken.token_hash == hash_token(token))
        )
        problem = password_problem(password, email=email) if email else None
        if problem:
            raise PasswordRejected(problem)
        account_id = redeem_token(session, token, now)
        if account_id is None:
            return False
        set_password(session, account_id, password, now)
    logger.info("password changed through a reset link")
    return True


def latest_mails(factory: sessionmaker, limit: int) -> list[OutboxMail]:
    with session_scope(factory) as session:
        return list(
            session.scalars(
                select(OutboxMail)
                .where(OutboxMail.status == OUTBOX)
                .order_by(OutboxMail.id.desc())
                .limit(limit)
            )
        )


# --- pages ------------------------------------------------------------------------


async def index(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    language = page_language(request)
    return render(
        request,
        "index.html",
        language,
        title=text(language, "home_title"),
        rasa_url=rasa_origin(request),
        outbox=outbox_enabled(settings),
        language_url=lambda code: f"/?lang={code}",
    )


async def widget_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    path = request.app[WIDGET] / name
    if not path.is_file():
        if name == "widget.js":
            return web.Response(status=503, text=NOT_BUILT, content_type="text/plain")
        raise web.HTTPNotFound()
    content_type = "application/json" if name.endswith(".map") else "text/javascript"
    return web.FileResponse(
        path, headers={"Content-Type": content_type, "Cache-Control": "no-cache"}
    )


def reset_page(
    request: web.Request, language: str, state: str, *, status: int = 200, **context: Any
) -> web.Response:
    token = context.get("token", "")

    def language_url(code: str) -> str:
        # switching language keeps the form usable: the token stays in the URL
        query = {"lang": code, "token": token} if token else {"lang": code}
        return f"/reset-password?{urlencode(query)}"

    context.setdefault("error", None)
    response = render(
        request,
        "reset.html",
        language,
        status=status,
        language_url=language_url,
        title=text(language, "reset_title"),
        state=state,
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        **context,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def csrf_cookie(request: web.Request) -> str:
    value = request.cookies.get(CSRF_COOKIE, "")
    return value if CSRF_PATTERN.fullmatch(value) else ""


async def reset_form(request: web.Request) -> web.Response:
    language = page_language(request)
    token = request.query.get("token", "")
    usable = bool(token) and len(token) <= MAX_TOKEN_CHARS
    if usable:
        usable = await asyncio.to_thread(token_is_usable, request.app[FACTORY], token, utcnow())
    if not usable:  # unknown, used or expired all look the same
        return reset_page(request, language, "invalid", status=400)
    csrf = csrf_cookie(request) or secrets.token_urlsafe(32)
    response = reset_page(request, language, "form", token=token, csrf=csrf)
    # double-submit: a cross-site form cannot read this cookie to copy it into the form
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        path="/reset-password",
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )
    return response


async def reset_submit(request: web.Request) -> web.Response:
    language = page_language(request)
    form = await request.post()
    token = form_field(form, "token")
    cookie = csrf_cookie(request)
    if not cookie or not hmac.compare_digest(cookie, form_field(form, "csrf")):
        return reset_page(request, language, "expired_form", status=403)
    factory = request.app[FACTORY]
    usable = bool(token) and len(token) <= MAX_TOKEN_CHARS
    if usable:
        usable = await asyncio.to_thread(token_is_usable, factory, token, utcnow())
    if not usable:
        return reset_page(request, language, "invalid", status=400)
    password = form_field(form, "password")
    problem = password_problem(password, form_field(form, "confirm"))
    if problem:  # the token stays unused, so the user just tries again
        return reset_page(
            request, language, "form", status=422, token=token, csrf=cookie, error=problem
        )
    try:
        changed = await asyncio.to_thread(change_password, factory, token, password)
    except PasswordRejected as rejected:  # e.g. it contains the account's email
        return reset_page(
            request, language, "form", status=422, token=token, csrf=cookie, error=rejected.reason
        )
    if not changed:
        return reset_page(request, language, "invalid", status=400)
    response = reset_page(request, language, "done")
    response.del_cookie(CSRF_COOKIE, path="/reset-password")
    return response


def outbox_enabled(settings: Settings) -> bool:
    """The outbox page shows every code and reset link to anyone: demo mode only
    (settings refuse MAIL_BACKEND=outbox without DEMO; both are checked here)."""
    return settings.demo and settings.mail_backend == "outbox"


async def outbox(request: web.Request) -> web.Response:
    language = page_language(request)
    mails = await asyncio.to_thread(latest_mails, request.app[FACTORY], OUTBOX_LIMIT)
    response = render(
        request,
        "outbox.html",
        language,
        title=text(language, "outbox_title"),
        mails=mails,
        linkify=linkify,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the application ----------------------------------------------------------------


def build_app(settings: Settings, *, widget_dir: Path = WIDGET_DIR) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)  # a reset form is a few hundred bytes
    engine = make_engine(settings.database_url)
    app[SETTINGS] = settings
    app[FACTORY] = sessionmaker(engine, future=True, expire_on_commit=False)
    app[WIDGET] = widget_dir
    app[TEMPLATES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app.router.add_get("/", index)
    app.router.add_get("/reset-password", reset_form)
    app.router.add_post("/reset-password", reset_submit)
    if outbox_enabled(settings):  # otherwise the route does not exist: a plain 404
        app.router.add_get("/outbox", outbox)
    app.router.add_get("/{name:widget\\.js(?:\\.map)?}", widget_file)
    app.router.add_static("/static", HERE / "static")
    favicon.add_routes(app)
    app.on_response_prepare.append(security_headers(content_security_policy))

    async def dispose(_app: web.Application) -> None:
        engine.dispose()

    app.on_cleanup.append(dispose)  # type: ignore[arg-type]  # aiohttp 3.9 mistypes Signal
    return app


def run(settings: Settings) -> None:
    """Serve the site on SITE_PORT, on the interface Rasa listens on (LISTEN_HOST)."""
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not (WIDGET_DIR / "widget.js").is_file():
        logger.warning("web/dist/widget.js is missing: run make web to build the chat widget")
    logger.info(
        "support site on http://localhost:%s (chat widget -> Rasa on port %s)",
        settings.site_port,
        settings.rasa_port,
    )
    web.run_app(
        build_app(settings),
        host=settings.listen_host,
        port=settings.site_port,
        access_log_class=PathOnlyAccessLogger,
        print=None,
    )
