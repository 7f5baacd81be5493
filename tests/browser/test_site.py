"""The support site over HTTP (no browser): the demo page, /widget.js, the
reset-password page with its CSRF check, the outbox, and the security headers.
The app runs in-process against the real databases (SQLite file, then PostgreSQL).
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.config.settings import Settings, load_settings
from bot.db.models import Account, OutboxMail, ResetToken
from bot.services.identity.password_reset import hash_token
from bot.services.identity.passwords import verify_password
from bot.services.runtime import utcnow
from bot.site.app import CSRF_COOKIE, PathOnlyAccessLogger, build_app

T = TypeVar("T")
EMAIL = "monthly@example.com"
PASSWORD = "correct horse battery"
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def settings_for(database_url: str, **overrides: str) -> Settings:
    environ = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "s" * 40,
        "RASA_PORT": "5005",
        "DEMO": "true",  # the outbox mail backend (the default in demo mode) and its page
        **overrides,
    }
    return load_settings(env_file=None, environ=environ)


class SiteServer(TestServer):
    """The test server with the access log `run()` uses (TestServer drops runner options)."""

    async def _make_runner(self, **kwargs: Any) -> web.AppRunner:
        return web.AppRunner(self.app, access_log_class=PathOnlyAccessLogger, **kwargs)


def call(app: web.Application, scenario: Callable[[TestClient], Awaitable[T]]) -> T:
    """Run `scenario` against the app on a real local port."""

    async def main() -> T:
        async with TestClient(SiteServer(app)) as client:
            return await scenario(client)

    return asyncio.run(main())


def new_token(factory: sessionmaker, *, expires_in: timedelta = timedelta(minutes=30)) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with factory() as session:
        account = session.scalars(select(Account).where(Account.email == EMAIL)).one()
        session.add(
            ResetToken(
                account_id=account.id,
                token_hash=hash_token(token),
                created_at=now - timedelta(minutes=1),
                expires_at=now + expires_in,
            )
        )
        session.commit()
    return token


async def page_text(response: ClientResponse) -> str:
    """The page as a person reads it: entities such as &#39; decoded."""
    return html.unescape(await response.text())


def stored_hash(factory: sessionmaker) -> str | None:
    with factory() as session:
        return session.scalars(select(Account.password_hash).where(Account.email == EMAIL)).one()


# --- the demo page and the widget --------------------------------------------------


def test_the_page_embeds_the_widget_with_rasa_on_the_host_the_browser_used(
    database_url: str,
) -> None:
    async def scenario(client: TestClient) -> None:
        response = await client.get("/", headers={"Host": "support.example.test:8000"})
        assert response.status == 200
        body = await response.text()
        tags = re.findall(r"<script[^>]*>", body)
        assert tags == [
            '<script src="/widget.js" data-rasa-url="http://support.example.test:5005"'
            ' data-language="auto">'
        ]
        policy = response.headers["Content-Security-Policy"]
        assert "connect-src 'self' http://support.example.test:5005" in policy
        assert "ws://support.example.test:5005" in policy
        assert "script-src 'self';" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert 'href="/outbox?lang=' in body  # the demo links to its outbox

    call(build_app(settings_for(database_url)), scenario)


@pytest.mark.parametrize(
    ("query", "accept", "language"),
    [
        ("?lang=it", "fr-FR,fr;q=0.9", "it"),
        ("", "fr-CA,fr;q=0.9,en;q=0.5", "fr"),
        ("", "de-DE,de;q=0.9,it;q=0.3", "it"),
        ("?lang=xx", "", "en"),
    ],
)
def test_the_page_language(tmp_path: Path, query: str, accept: str, language: str) -> None:
    async def scenario(client: TestClient) -> str:
        response = await client.get(f"/{query}", headers={"Accept-Language": accept})
        return await response.text()

    body = call(build_app(settings_for(f"sqlite:///{tmp_path / 'a.db'}")), scenario)
    assert f'<html lang="{language}">' in body


def test_a_forged_host_header_is_not_reflected(tmp_path: Path) -> None:
    async def scenario(client: TestClient) -> tuple[str, str]:
        response = await client.get("/", headers={"Host": "evil.test;script-src:80"})
        return await response.text(), response.headers["Content-Security-Policy"]

    body, policy = call(build_app(settings_for(f"sqlite:///{tmp_path / 'a.db'}")), scenario)
    assert "evil" not in body and "evil" not in policy
    assert 'data-rasa-url="http://localhost:5005"' in body


def test_widget_js_is_served_or_a_clear_503(tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'a.db'}")

    async def fetch(client: TestClient) -> tuple[int, str, str]:
        response = await client.get("/widget.js")
        return response.status, response.headers["Content-Type"], await response.text()

    status, _, body = call(build_app(settings, widget_dir=tmp_path / "dist"), fetch)
    assert (status, body) == (503, "The chat widget is not built: run make web\n")
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "widget.js").write_text("console.log('widget');")
    status, content_type, body = call(build_app(settings, widget_dir=tmp_path / "dist"), fetch)
    assert (status, body) == (200, "console.log('widget');")
    assert content_type.startswith("text/javascript")


# --- the reset-password page -------------------------------------------------------


def test_a_reset_link_changes_the_password_once(
    database_url: str, factory: sessionmaker, caplog: pytest.LogCaptureFixture
) -> None:
    token = new_token(factory)

    async def scenario(client: TestClient) -> None:
        page = await client.get(f"/reset-password?token={token}&lang=fr")
        assert page.status == 200
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Cache-Control"] == "no-store"
        body = await page.text()
        assert '<html lang="fr">' in body and "Choisissez un nouveau mot de passe" in body
        csrf = CSRF_FIELD.search(body)
        assert csrf and page.cookies[CSRF_COOKIE].value == csrf.group(1)
        form = {"token": token, "csrf": csrf.group(1)}

        short = await client.post(
            "/reset-password?lang=fr", data={**form, "password": "short", "confirm": "short"}
        )
        assert short.status == 422
        assert "trop court : utilisez au moins 10 caractères" in await page_text(short)
        mismatch = await client.post(
            "/reset-password?lang=fr",
            data={**form, "password": PASSWORD, "confirm": PASSWORD + "!"},
        )
        assert mismatch.status == 422
        assert "ne sont pas identiques" in await page_text(mismatch)
        trivial = await client.post(
            "/reset-password?lang=fr",
            data={**form, "password": "aaaaaaaaaa", "confirm": "aaaaaaaaaa"},
        )
        assert trivial.status == 422
        assert "trop facile à deviner" in await page_text(trivial)
        own_email = await client.post(
            "/reset-password?lang=fr",
            data={**form, "password": f"{EMAIL}!x", "confirm": f"{EMAIL}!x"},
        )
        assert own_email.status == 422  # found only once the link names the account
        assert "ne doit pas contenir votre adresse e-mail" in await page_text(own_email)
        assert stored_hash(factory) is None  # refused entries leave the link usable

        done = await client.post(
            "/reset-password?lang=fr", data={**form, "password": PASSWORD, "confirm": PASSWORD}
        )
        assert done.status == 200
        assert "Votre mot de passe a été modifié" in await page_text(done)

        again = await client.get(f"/reset-password?token={token}&lang=fr")
        assert again.status == 400
        assert "Ce lien n'est pas valide" in await page_text(again)
        reused = await client.post(
            "/reset-password", data={**form, "password": PASSWORD, "confirm": PASSWORD}
        )
        assert reused.status in (400, 403)  # the cookie was cleared: the form is stale too

    with caplog.at_level(logging.INFO):
        call(build_app(settings_for(database_url)), scenario)
    stored = stored_hash(factory)
    assert stored and PASSWORD not in stored and verify_password(PASSWORD, stored)
    assert token not in caplog.text and PASSWORD not in caplog.text
    assert "/reset-password" in caplog.text  # logged, without the query string


def test_the_form_needs_its_csrf_cookie(database_url: str, factory: sessionmaker) -> None:
    token = new_token(factory)

    async def scenario(client: TestClient) -> None:
        page = await client.get(f"/reset-password?token={token}")
        csrf = CSRF_FIELD.search(await page.text())
        assert csrf
        client.session.cookie_jar.clear()  # as a cross-site form post would arrive
        forged = await client.post(
            "/reset-password",
            data={"token": token, "csrf": csrf.group(1), "password": PASSWORD, "confirm": PASSWORD},
        )
        assert forged.status == 403
        assert "This form has expired" in await page_text(forged)

    call(build_app(settings_for(database_url)), scenario)
    assert stored_hash(factory) is None


def test_bad_links_all_look_the_same(database_url: str, factory: sessionmaker) -> None:
    expired = new_token(factory, expires_in=timedelta(minutes=-1))
    links = ["", "?token=", "?token=unknown", f"?token={expired}", "?token=" + "x" * 5000]

    async def scenario(client: TestClient) -> list[tuple[int, str]]:
        pages = []
        for link in links:
            response = await client.get(f"/reset-password{link}")
            pages.append((response.status, await response.text()))
        return pages

    pages = call(build_app(settings_for(database_url)), scenario)
    assert {status for status, _ in pages} == {400}
    bodies = {re.sub(r'href="[^"]*"', "", body) for _, body in pages}  # language links differ
    assert len(bodies) == 1
    assert "This link is not valid" in bodies.pop()


# --- the demo outbox ---------------------------------------------------------------


def test_the_outbox_lists_the_latest_mails_with_clickable_links(
    database_url: str, factory: sessionmaker
) -> None:
    with factory() as session:
        for number in range(3):
            session.add(
                OutboxMail(
                    created_at=utcnow(),
                    to_address=f"user{number}@example.com",
                    subject=f"Subject <{number}>",
                    body=f"Open http://localhost:8000/reset-password?token=t{number}&x=1.",
                )
            )
        session.commit()

    async def scenario(client: TestClient) -> tuple[int, str, Any]:
        response = await client.get("/outbox?lang=it")
        return response.status, await response.text(), response.headers

    status, body, headers = call(build_app(settings_for(database_url)), scenario)
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert body.index("user2@example.com") < body.index("user0@example.com")  # newest first
    assert "Subject &lt;1&gt;" in body
    assert (
        '<a href="http://localhost:8000/reset-password?token=t1&amp;x=1" rel="noopener noreferrer">'
    ) in body
    assert "Posta in uscita della demo" in body


def test_no_outbox_outside_demo_mode(database_url: str, factory: sessionmaker) -> None:
    """The attack: GET /outbox read every code and reset link, and told which
    addresses have an account. Outside demo mode the page does not exist."""
    with factory() as session:
        session.add(
            OutboxMail(
                created_at=utcnow(), to_address=EMAIL, subject="Your code",
                body="Your code is 482913",
            )
        )  # fmt: skip
        session.commit()
    settings = settings_for(database_url, DEMO="false")
    assert settings.mail_backend == "smtp"

    async def scenario(client: TestClient) -> list[tuple[int, str]]:
        pages = []
        for path in ("/outbox", "/outbox?lang=it", "/outbox/", "/OUTBOX", "/"):
            response = await client.get(path)
            pages.append((response.status, await response.text()))
        return pages

    pages = call(build_app(settings), scenario)
    assert [status for status, _ in pages] == [404, 404, 404, 404, 200]
    for _, body in pages:
        assert "482913" not in body and EMAIL not in body and "/outbox" not in body


def test_no_outbox_with_real_mail(tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'a.db'}", MAIL_BACKEND="smtp")

    async def scenario(client: TestClient) -> tuple[int, str]:
        outbox = await client.get("/outbox")
        home = await client.get("/")
        return outbox.status, await home.text()

    status, home = call(build_app(settings), scenario)
    assert status == 404
    assert "/outbox" not in home
