"""The chat widget in a real browser: Debian's chromium, driven by playwright-core
(web/node_modules) from widget.test.mjs, against the real site, Rasa and action
servers. Screenshots of every step land in reports/browser/.

Skipped with a printed reason when node, chromium or web/node_modules are missing
(`make web` and the chromium install step set them up), unless REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.config.settings import LANGUAGES
from bot.desk.auth import CSRF_HEADER
from bot.nlu.language_detection import LanguageIdentifier
from bot.services.handoff import tickets as handoff
from bot.services.help_centre.articles import load_articles
from bot.services.runtime import utcnow
from tests.browser.support import ROOT, agent_wait_request, run_driver
from tests.support.desk_client import open_widget_ticket, signed_in, ticket_id
from tests.support.replies import identify
from tests.support.servers import Assistant, Desk, free_port, run_site

pytestmark = pytest.mark.slow

SCREENSHOTS = ROOT / "reports" / "browser"
# "I'll put you through to a person from our team…" (action_start_handoff)
OFFER_A_PERSON = "utter_handoff_intro"


@dataclass
class Site:
    url: str
    proxy_port: int  # the Rasa port the page knows; the driver forwards it to Rasa


@pytest.fixture(scope="module")
def site(
    browser_tools: None, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """`python -m bot.site` with the assistant's databases, the widget pointed at the
    driver's forwarder to Rasa."""
    proxy_port = free_port()
    for url in run_site(assistant.env, tmp_path_factory.mktemp("site"), proxy_port):
        yield Site(url, proxy_port)


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier()


def language_of(text: str) -> str:
    """The language of a bot text: its response variation, else (a model trained on
    an older domain.yml) what the language detector says."""
    found = identify(text)
    return found[1] if found else _identifier().detect(text).code


def widget_args(site: Site, assistant: Assistant) -> list[str]:
    """The driver's arguments every widget run takes: the site, Rasa, the proxy, the
    screenshot folder."""
    return [
        "--site", site.url,
        "--rasa", assistant.rasa_url,
        "--proxy-port", str(site.proxy_port),
        "--out", str(SCREENSHOTS),
    ]  # fmt: skip


def test_the_widget_in_a_browser(site: Site, assistant: Assistant, tmp_path: Path) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):  # the folder shows the last run only
        old.unlink()
    transcript = tmp_path / "transcript.json"
    status, output = run_driver(
        [
            *widget_args(site, assistant),
            "--transcript", str(transcript),
        ]
    )  # fmt: skip
    print(output)
    assert status == 0, f"the browser run failed:\n{output[-4000:]}"

    turns = json.loads(transcript.read_text())
    steps = {turn["step"] for turn in turns}
    assert {"it-message", "it-quick-reply", "fr-message", "limits-long", "limits-emoji"} <= steps
    for turn in turns:
        assert turn["bot"], f"no reply in step {turn['step']}"
        for text in turn["bot"]:
            assert language_of(text) == turn["language"], (
                f"step {turn['step']}: reply not in {turn['language']}: {text[:200]!r}"
            )
    shots = sorted(path.name for path in SCREENSHOTS.glob("*.png"))
    assert any("it-first-reply" in name for name in shots)
    assert any("fr-conversation" in name for name in shots)
    assert any("phone-chat" in name for name in shots)


def test_help_centre_articles_show_as_cards(site: Site, assistant: Assistant) -> None:
    """Articles as the server sends them (well-formed and hostile) become cards on a
    phone: heading, safe link, lang, wrapping, keyboard focus, axe-core, reload."""
    status, output = run_driver(
        [
            *widget_args(site, assistant),
            "--steps", "article-card",
        ]
    )  # fmt: skip
    print(output)
    assert status == 0, f"the browser run failed:\n{output[-4000:]}"


def test_a_how_to_question_gets_the_article_card_and_no_offers_a_person(
    site: Site, assistant: Assistant, tmp_path: Path
) -> None:
    """it, fr and en through the real widget, Rasa and action server: a how-to question shows
    the card of one of the help centre's articles, in the conversation's language, with
    a link that opens its URL; "No" to "Did this answer your question?" offers a person."""
    transcript, cards = tmp_path / "transcript.json", tmp_path / "cards.json"
    status, output = run_driver(
        [
            *widget_args(site, assistant),
            "--steps", "article-it,article-fr,article-en",
            "--transcript", str(transcript),
            "--articles", str(cards),
        ]
    )  # fmt: skip
    print(output)
    assert status == 0, f"the browser run failed:\n{output[-4000:]}"

    help_centre = load_articles(Path(assistant.env.get("HELP_CENTRE_DIR", ROOT / "help")))
    articles = {(a.language, a.url): a for a in help_centre.articles}
    shown = json.loads(cards.read_text())
    assert [card["language"] for card in shown] == list(LANGUAGES)
    for card in shown:
        # an article of the help centre, in the language the customer wrote in
        article = articles.get((card["article_language"], card["url"]))
        assert article is not None, f"the card links to no article: {card}"
        assert card["article_language"] == card["language"]
        assert card["title"] == article.title
    turns = {turn["step"]: turn for turn in json.loads(transcript.read_text())}
    for language in LANGUAGES:
        after_no = [identify(text) for text in turns[f"article-{language}-no"]["bot"]]
        names = [found[0] for found in after_no if found]
        assert {found[1] for found in after_no if found} == {language}, after_no
        assert OFFER_A_PERSON in names, f"{language}: no offer of a person after No: {names}"


def test_an_agent_on_the_desk_reaches_the_widget(
    site: Site, assistant: Assistant, desk: Desk
) -> None:
    """A ticket for the widget's conversation; the agent claims it on the real desk and
    writes: the widget shows the banner and the agent's signed message."""
    problems: list[str] = []

    def on_line(line: str) -> None:
        request = agent_wait_request(line)
        if request is None:
            return
        try:
            open_widget_ticket(assistant.env, request["session_id"])
            agent = requests.Session()
            agent.post(
                f"{desk.url}/login", data={"username": desk.agent, "password": desk.password},
                timeout=10,
            )  # fmt: skip
            agent.headers[CSRF_HEADER] = "1"
            # this conversation's ticket: earlier tests leave other Italian ones open
            url = f"{desk.url}/api/tickets/{ticket_id(assistant.env, request['session_id'])}"
            agent.post(f"{url}/claim", timeout=30).raise_for_status()
            agent.post(f"{url}/messages", json={"text": "Ciao, sono Marie."}, timeout=30)
        except Exception as error:  # reported below: the driver then times out waiting
            problems.append(repr(error))

    status, output = run_driver(
        [
            *widget_args(site, assistant),
            "--steps", "it-open,it-message,agent",
            "--agent-name", "Marie",
        ],
        on_line,
    )  # fmt: skip
    print(output)
    assert not problems, problems
    assert status == 0, f"the browser run failed:\n{output[-4000:]}"
    assert (SCREENSHOTS / "agent-joined.png").exists() or any(
        "agent-joined" in path.name for path in SCREENSHOTS.glob("*.png")
    )


def test_the_first_minute_and_the_language_menu(
    site: Site, assistant: Assistant, tmp_path: Path
) -> None:
    """A new conversation greets in the page's language with the team's hours in the
    customer's time and a "Talk to a person" button that asks for one; French picked
    in the menu answers an English message in French; every message carries lang."""
    transcript = tmp_path / "transcript.json"
    status, output = run_driver(
        [
            *widget_args(site, assistant),
            "--steps", "first-minute,language-menu",
            "--transcript", str(transcript),
        ]
    )  # fmt: skip
    print(output)
    assert status == 0, f"the browser run failed:\n{output[-4000:]}"
    turns = {turn["step"]: turn for turn in json.loads(transcript.read_text())}
    asked = [identify(text) for text in turns["first-minute-talk"]["bot"]]
    assert (OFFER_A_PERSON, "en") in asked, asked
    menu = turns["language-menu"]["bot"]
    assert menu and all(language_of(text) == "fr" for text in menu), menu


def test_the_wait_and_the_unread_count(site: Site, assistant: Assistant, desk: Desk) -> None:
    """Queued behind another customer, the widget shows its place and wait, updated live
    when the one ahead is taken, with no "typing" while a person is awaited; with the
    chat closed, the person's joining and messages count on the launcher and the title."""
    problems: list[str] = []
    ahead = f"socketio:{uuid.uuid4().hex}"

    def on_line(line: str) -> None:
        try:
            ticket = agent_wait_request(line, "WAITING_FOR_TICKET ")
            if ticket is not None:
                open_widget_ticket(assistant.env, ahead)
                open_widget_ticket(assistant.env, ticket["session_id"])
            claim = agent_wait_request(line, "WAITING_FOR_CLAIM ")
            if claim is not None:
                claim_in_database(assistant.env, ahead)
            messages = agent_wait_request(line, "WAITING_FOR_MESSAGES ")
            if messages is not None:
                agent = signed_in(desk)
                url = f"{desk.url}/api/tickets/{ticket_id(assistant.env, messages['session_id'])}"
                agent.post(f"{url}/claim", timeout=30).raise_for_status()
                for text in ("Ciao, sono Marie.", "Vedo il tuo account, un attimo."):
                    agent.post(
                        f"{url}/messages", json={"text": text}, timeout=30
                    ).raise_for_status()
        except Exception as error:  # reported below: the driver then times out waiting
            problems.append(repr(error))

    status, output = run_driver(
        [*widget_args(site, assistant), "--steps", "it-open,it-message,queue,unread"], on_line
    )
    print(output)
    assert not problems, problems
    assert status == 0, f"the browser run failed:\n{output[-4000:]}"


def claim_in_database(env: dict[str, str], conversation_id: str) -> None:
    """Another agent takes the ticket ahead (the desk's claim, without its Rasa call)."""
    engine = sa.create_engine(env["DATABASE_URL"], future=True)
    try:
        with Session(engine) as session:
            handoff.claim(session, ticket_id(env, conversation_id), "luca", utcnow())
    finally:
        engine.dispose()
