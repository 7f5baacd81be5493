"""Attacks on the screenshot upload (bot/channels/screenshot_upload.py) and the desk's
screenshot routes (bot/desk/screenshots.py), against the real Rasa server and desk:

- no session, a malformed one, or a conversation ID presented as the secret: 401 or a
  conversation of one's own (409), never the victim's ticket;
- another session's ticket named in the request (query, headers): ignored, 409;
- wrong types by their bytes (GIF, HTML, SVG, an HTML page behind PNG magic): refused;
- a polyglot PNG (script in its text chunks, an HTML page after its end): stored as a
  plain PNG, served as image/png, inline, nosniff, no-store, without a byte of script;
- oversize, declared or streamed: 413, nothing stored;
- a path in the file name (Content-Disposition, headers, query): never used, the file
  is named at random inside UPLOAD_DIR;
- another ticket's image, another agent, no desk cookie: 404 / [] / 401;
- after the agent hands back, no more uploads; a flood of tries is cut off (429).
"""

from __future__ import annotations

import io
import secrets
import string
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from PIL import Image

from bot.channels.screenshot_upload import ATTEMPTS, DRAIN_BYTES, SESSION_HEADER
from bot.services.screenshots.files import NAME
from bot.services.screenshots.images import MAX_BYTES
from tests.support.desk_client import open_widget_ticket, signed_in
from tests.support.environment import ROOT
from tests.support.servers import Assistant, Desk
from tests.support.widget_client import WidgetClient
from tests.unit.bot.services.screenshots.images import (
    encoded,
    picture,
    png,
    png_with_text_and_html_tail,
)

pytestmark = pytest.mark.slow


@dataclass
class LiveChat:
    widget: WidgetClient
    ticket: int
    agent: requests.Session


def start_live_chat(assistant: Assistant, desk: Desk) -> LiveChat:
    """A widget customer whose ticket the desk's agent has claimed."""
    widget = WidgetClient(assistant.rasa_url, {}, language="it")
    widget.say("ciao")
    widget.turn()
    # letters only: the ticket's summary masks digit groups
    marker = "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))
    open_widget_ticket(assistant.env, widget.session_id, reason=f"schermata {marker}")
    agent = signed_in(desk)
    tickets = agent.get(f"{desk.url}/api/tickets", timeout=10).json()["tickets"]
    ticket = next(t["id"] for t in tickets if marker in t["summary"])
    agent.post(f"{desk.url}/api/tickets/{ticket}/claim", timeout=30).raise_for_status()
    return LiveChat(widget, ticket, agent)


@pytest.fixture
def chat(assistant: Assistant, desk: Desk) -> Iterator[LiveChat]:
    live = start_live_chat(assistant, desk)
    yield live
    live.widget.close()


def upload(
    assistant: Assistant, secret: str | None, body: object, params: dict | None = None,
    **headers: str,
) -> requests.Response:  # fmt: skip
    sent = {"Content-Type": "application/octet-stream", **headers}
    if secret is not None:
        sent[SESSION_HEADER] = secret
    return requests.post(
        f"{assistant.rasa_url}/webhooks/socketio/screenshots",
        data=body, headers=sent, params=params, timeout=60,
    )  # fmt: skip


def listed(desk: Desk, agent: requests.Session, ticket: int) -> list[dict]:
    response = agent.get(f"{desk.url}/api/tickets/{ticket}/screenshots", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["screenshots"]


def upload_dir(assistant: Assistant) -> Path:
    return Path(assistant.env["UPLOAD_DIR"])


def test_a_polyglot_png_reaches_the_agent_as_a_plain_png(
    assistant: Assistant, desk: Desk, chat: LiveChat
) -> None:
    data = png_with_text_and_html_tail()
    answer = upload(assistant, chat.widget.secret, data, Origin="http://evil.example")
    assert answer.status_code == 201, answer.text
    assert "Access-Control-Allow-Origin" not in answer.headers  # no other site reads it
    [shot] = listed(desk, chat.agent, chat.ticket)
    assert shot["id"] == answer.json()["id"] and shot["media_type"] == "image/png"
    served = chat.agent.get(f"{desk.url}{shot['url']}", timeout=10)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["Content-Disposition"] == (
        f'inline; filename="screenshot-{chat.ticket}-{shot["id"]}.png"'
    )
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Cache-Control"] == "no-store"
    for trace in (b"<script", b"<html", b"<svg", b"tEXt", b"iTXt"):
        assert trace not in served.content
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == "PNG" and image.size == (64, 48)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (encoded(picture(), "GIF"), 415, "not_an_image"),
        (b"<html><script>alert(1)</script></html>", 415, "not_an_image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 415, "not_an_image"),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", 422, "unreadable"),
        (b"", 415, "not_an_image"),
    ],
    ids=["gif", "html", "svg", "html-behind-png-magic", "empty"],
)
def test_wrong_types_are_refused_by_their_bytes_whatever_they_claim(
    assistant: Assistant, desk: Desk, chat: LiveChat, body: bytes, status: int, code: str
) -> None:
    answer = upload(
        assistant, chat.widget.secret, body,
        **{"Content-Type": "image/png", "Content-Disposition": 'inline; filename="shot.png"'},
    )  # fmt: skip
    assert (answer.status_code, answer.json()) == (status, {"error": code})
    assert listed(desk, chat.agent, chat.ticket) == []


def test_oversize_is_refused_and_nothing_is_kept(
    assistant: Assistant, desk: Desk, chat: LiveChat
) -> None:
    before = set(upload_dir(assistant).glob("*")) if upload_dir(assistant).exists() else set()
    just_over = png() + b"\x00" * (MAX_BYTES + 1 - len(png()))
    answer = upload(assistant, chat.widget.secret, just_over)
    assert (answer.status_code, answer.json()) == (413, {"error": "too_large"})

    def streamed() -> Iterator[bytes]:  # chunked: no length declared
        yield png()
        for _ in range(MAX_BYTES // (1024 * 1024) + 1):
            yield b"\x00" * (1024 * 1024)

    answer = upload(assistant, chat.widget.secret, streamed())
    assert (answer.status_code, answer.json()) == (413, {"error": "too_large"})
    try:  # declared far beyond what is read: cut off at once
        answer = upload(assistant, chat.widget.secret, b"\x00" * (DRAIN_BYTES + 1))
        assert answer.status_code == 413
    except requests.ConnectionError:
        pass  # the server closed while the client was still sending: refused too
    assert listed(desk, chat.agent, chat.ticket) == []
    after = set(upload_dir(assistant).glob("*")) if upload_dir(assistant).exists() else set()
    assert after == before


def test_a_path_in_the_file_name_is_never_used(
    assistant: Assistant, desk: Desk, chat: LiveChat, tmp_path: Path
) -> None:
    target = tmp_path / "pwned.png"
    hostile = f"../../../../../..{target}"
    answer = upload(
        assistant, chat.widget.secret, png(),
        params={"filename": hostile, "name": "/etc/passwd"},
        **{"Content-Disposition": f'attachment; filename="{hostile}"', "X-File-Name": hostile},
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert not target.exists()
    [shot] = listed(desk, chat.agent, chat.ticket)
    assert "pwned" not in str(shot) and "passwd" not in str(shot)
    stored = [path.name for path in upload_dir(assistant).iterdir()]
    assert stored and all(NAME.fullmatch(name) for name in stored)


def test_no_session_or_a_conversation_id_as_the_secret_gets_nothing(
    assistant: Assistant, desk: Desk, chat: LiveChat
) -> None:
    victim = chat.widget.session_id
    bare_hash = victim.removeprefix("socketio:")
    for secret, status in (
        (None, 401), ("", 401), ("short", 401), (victim, 401), (bare_hash, 401),
        ("../" * 20, 401), (bare_hash * 2, 409),  # well formed: a conversation of its own
    ):  # fmt: skip
        answer = upload(assistant, secret, png(), params={"session_id": victim})
        assert answer.status_code == status, (secret, answer.text)
    assert listed(desk, chat.agent, chat.ticket) == []


def test_another_sessions_ticket_cannot_be_named(
    assistant: Assistant, desk: Desk, chat: LiveChat
) -> None:
    attacker = WidgetClient(assistant.rasa_url, {}, language="it")
    try:
        answer = upload(
            assistant, attacker.secret, png(),
            params={"ticket": str(chat.ticket), "session_id": chat.widget.session_id},
            **{"X-Ticket": str(chat.ticket), "X-Session-Id": chat.widget.session_id},
        )  # fmt: skip
        assert (answer.status_code, answer.json()) == (409, {"error": "no_live_chat"})
    finally:
        attacker.close()
    assert listed(desk, chat.agent, chat.ticket) == []


def create_agent(assistant: Assistant, desk: Desk, languages: str = "it,fr,en") -> Desk:
    name, password = f"luca-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    subprocess.run(
        [sys.executable, "-m", "bot", "create-agent", name, "--name", "Luca",
         "--languages", languages, "--password-stdin"],
        input=password + "\n", text=True, env=assistant.env, cwd=ROOT, check=True,
    )  # fmt: skip
    return Desk(desk.url, name, password)


def test_another_tickets_image_and_another_agent_get_nothing(
    assistant: Assistant, desk: Desk, chat: LiveChat
) -> None:
    other_chat = start_live_chat(assistant, desk)
    try:
        assert upload(assistant, chat.widget.secret, png()).status_code == 201
        assert upload(assistant, other_chat.widget.secret, png()).status_code == 201
        [mine] = listed(desk, chat.agent, chat.ticket)
        [theirs] = listed(desk, chat.agent, other_chat.ticket)
    finally:
        other_chat.widget.close()
    base = f"{desk.url}/api/tickets"
    # another ticket's screenshot through this ticket's URL
    crossed = chat.agent.get(f"{base}/{chat.ticket}/screenshots/{theirs['id']}", timeout=10)
    assert crossed.status_code == 404 and b"\x89PNG" not in crossed.content
    for bad in ("0", "-1", "1e3", "99999999999", "%2e%2e", "1;2"):
        answer = chat.agent.get(f"{base}/{chat.ticket}/screenshots/{bad}", timeout=10)
        assert answer.status_code == 404
    # an agent the ticket is not assigned to, though it is in their languages
    luca = signed_in(create_agent(assistant, desk))
    assert luca.get(f"{desk.url}{mine['url']}", timeout=10).status_code == 404
    assert luca.get(f"{base}/{chat.ticket}/screenshots", timeout=10).json() == {"screenshots": []}
    # nobody signed in
    anonymous = requests.get(f"{desk.url}{mine['url']}", timeout=10)
    assert anonymous.status_code == 401 and b"\x89PNG" not in anonymous.content
    # the ticket's own agent still gets it
    assert chat.agent.get(f"{desk.url}{mine['url']}", timeout=10).content[:4] == b"\x89PNG"


def test_no_upload_after_the_agent_hands_back(
    assistant: Assistant, desk: Desk, chat: LiveChat
) -> None:
    closed = chat.agent.post(
        f"{desk.url}/api/tickets/{chat.ticket}/handback", json={"note": "done"}, timeout=30
    )
    assert closed.status_code == 200, closed.text
    answer = upload(assistant, chat.widget.secret, png())
    assert (answer.status_code, answer.json()) == (409, {"error": "no_live_chat"})
    assert listed(desk, chat.agent, chat.ticket) == []


def test_a_flood_of_uploads_is_cut_off(assistant: Assistant, desk: Desk, chat: LiveChat) -> None:
    """Refused files count too: decoding each costs a core for a moment."""
    for _ in range(ATTEMPTS):
        answer = upload(assistant, chat.widget.secret, b"\x89PNG\r\n\x1a\nnot really")
        assert answer.status_code == 422
    answer = upload(assistant, chat.widget.secret, png())
    assert (answer.status_code, answer.json()) == (429, {"error": "too_often"})
    assert listed(desk, chat.agent, chat.ticket) == []
