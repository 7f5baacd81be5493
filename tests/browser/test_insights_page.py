"""The desk's Insights page in a real browser (Debian's chromium through playwright-core,
driven by insights.test.mjs): a supervisor reaches it from the desk's link and sees each
rate with what it is of, the trend per day, the per-agent table (an agent's handed-back
ticket), the help centre's figures, the review list in pages with "no label needed";
a plain agent has no link and is refused.
Screenshots in reports/browser/. Skipped with a printed reason when node, chromium or
web/node_modules are missing, unless REQUIRE_SERVICES=1."""

from __future__ import annotations

import json
import subprocess
import time
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import InsightReviewMessage
from bot.services.help_centre.articles import Article, load_articles
from bot.services.help_centre.search import Answer
from bot.services.insights.help_centre import record_feedback, record_turn
from bot.services.runtime import utcnow
from tests.browser.support import ROOT, build_widget, missing_tools
from tests.support.desk_client import queued_rest_ticket
from tests.support.environment import require_service
from tests.support.servers import Assistant, Desk

pytestmark = pytest.mark.slow

DRIVER = ROOT / "tests" / "browser" / "insights.test.mjs"
SCREENSHOTS = ROOT / "reports" / "browser"


def test_a_supervisor_sees_the_charts_and_a_plain_agent_is_refused(
    assistant: Assistant, desk: Desk, supervisor: Desk
) -> None:
    problem = missing_tools()
    if problem:
        require_service("browser tests", problem)
    build_widget()  # web/dist/insights.js too
    for text, language in (
        ("hello", "en"),
        ("xxxxx yyyy", "it"),
        ("bonjour", "fr"),
        ("come registro una riunione?", "it"),  # answered from the help centre
        (LONG_MESSAGE, "en"),  # not understood: listed for review
    ):
        assistant.send(f"insights-page-{uuid.uuid4().hex[:8]}", text, language=language)
    article = seed_help_centre(assistant.env["DATABASE_URL"])
    seed_review_pages(assistant.env["DATABASE_URL"])
    # marie takes a ticket, writes, and hands back: a row of the per-agent table
    _, ticket, agent = queued_rest_ticket(assistant, desk)
    ticket_url = f"{desk.url}/api/tickets/{ticket['id']}"
    assert agent.post(f"{ticket_url}/claim", timeout=30).ok
    assert agent.post(f"{ticket_url}/messages", json={"text": "Hello, Marie here"}, timeout=30).ok
    assert agent.post(f"{ticket_url}/handback", json={"note": "done"}, timeout=30).ok
    time.sleep(2.5)  # the figures leave the last 2 s of events for the next read
    result = subprocess.run(
        ["node", str(DRIVER), "--desk", desk.url,
         "--supervisor", f"{supervisor.agent}:{supervisor.password}",
         "--agent", f"{desk.agent}:{desk.password}", "--out", str(SCREENSHOTS),
         # given twice, one yes and one no: 50% of 2 answers
         "--help-row", json.dumps([article.id, article.topic, "2", "1", "1", "50% of 2 answers"]),
         # the same search twice, each with an email: one group of 2, no email shown
         "--help-search", json.dumps({"text": UNANSWERED[:40], "count": "2×"}),
         "--long-text", LONG_MESSAGE, "--agent-name", "Marie"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert (SCREENSHOTS / "insights-supervisor.png").stat().st_size > 10_000


# A search the help centre has no article for, with a word long enough to widen a page
# that does not wrap it.
UNANSWERED = "come collego il frigorifero " + "z" * 180


# A pasted link or log line: one unbroken "word" of 600 characters, which the page must
# wrap at any width (#25: it made the page 4,917 px wide).
LONG_MESSAGE = "qwzxkvjq" * 75


def seed_help_centre(database_url: str) -> Article:
    """Help-centre turns as the action server records them (bot/services/insights/
    help_centre.py): an article given in two conversations (one yes, one no) and one
    search without an article, from two customers with their emails. Returns the article."""
    article = next(
        a
        for a in load_articles(ROOT / "help").articles
        if a.topic == "wake-on-lan" and a.language == "it"
    )
    answer = Answer(article, article.passages[0], "", 0.9, True, False)
    engine = sa.create_engine(database_url, future=True)
    try:
        with Session(engine) as session:
            for helpful in (True, False):
                conversation = f"insights-help-{uuid.uuid4().hex[:8]}"
                record_turn(
                    session, conversation, "it", "ask_how_to", "wake on lan?", answer, 0.9, utcnow()
                )
                session.flush()
                assert record_feedback(session, conversation, helpful)
            for email in ("mario.rossi@example.com", "anna@example.org"):  # both "[email]"
                question = f"{UNANSWERED} {email}"
                conversation = f"insights-help-{uuid.uuid4().hex[:8]}"
                record_turn(
                    session, conversation, "it", "ask_how_to", question, None, 0.1, utcnow()
                )
            session.commit()
    finally:
        engine.dispose()
    return article


# More groups of misunderstood messages than one page holds (PAGE_GROUPS, 20).
PAGING_WORDS = [f"{a}{b}" for a in ("bram", "clud", "drin", "flom", "grel") for b in
                ("bo", "ka", "mi", "pu", "te")]  # fmt: skip


def seed_review_pages(database_url: str) -> None:
    """Misunderstood messages as the refresh keeps them: 25 unlike ones, a group each."""
    engine = sa.create_engine(database_url, future=True)
    try:
        with Session(engine) as session:
            for word in PAGING_WORDS:
                session.add(InsightReviewMessage(
                    at=utcnow(), language="fr", channel="rest", text=" ".join([word] * 3),
                    predicted_intent="nlu_fallback", confidence=0.1,
                ))  # fmt: skip
            session.commit()
    finally:
        engine.dispose()
