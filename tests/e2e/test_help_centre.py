"""Answers from the help centre end to end over REST, in Italian, French and English:
a how-to question gets the article message (text with the link, `custom.article` for
the card) and "Did this answer your question?"; "no" opens a handoff whose ticket
carries the question and the article; an off-domain message still gets the
out-of-scope reply; and a Zendesk export imported into the help folder is answered by
the servers already running, without retraining. Real Rasa + action server."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.services.help_centre.articles import load_articles
from tests.support.desk_client import marker as letters_marker
from tests.support.desk_client import signed_in
from tests.support.environment import ROOT
from tests.support.replies import identify
from tests.support.servers import Assistant, Desk, always_open_policy, start_assistant
from tests.support.widget_client import WidgetClient

pytestmark = pytest.mark.slow

HELP = ROOT / "help"
ZENDESK = ROOT / "tests" / "fixtures" / "zendesk"
FEEDBACK_YES = '/article_feedback{"article_helpful": true}'
FEEDBACK_NO = '/article_feedback{"article_helpful": false}'

HOW_TO = {
    "it": "come faccio a registrare una riunione e dove finisce il file?",
    "fr": "comment enregistrer une réunion et où se trouve le fichier ensuite ?",
    # "... and where does the file end up?" is still read as the after-cancellation FAQ
    # by the intent model (issue #24, NLU part): not this test's subject
    "en": "how do I record a meeting?",
}
OFF_DOMAIN = {
    "it": "che tempo farà domani a Roma?",
    "fr": "quel temps fera-t-il demain à Paris ?",
    "en": "what's the weather going to be like in London tomorrow?",
}


def sender() -> str:
    return f"help-{uuid.uuid4().hex[:10]}"


def urls_in(folder: Path) -> set[str]:
    return {article.url for article in load_articles(folder).articles}


def help_index(env: dict[str, str]) -> None:
    """What `make help-index` runs (in the servers' settings)."""
    subprocess.run(
        [sys.executable, "-m", "bot", "help-index"], env=env, cwd=ROOT, check=True,
        capture_output=True,
    )  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def indexed(assistant: Assistant) -> None:
    help_index(assistant.env)  # as make train leaves it (a no-op when up to date)


def article_turn(assistant: Assistant, who: str, question: str) -> tuple[dict, dict]:
    """The article message and the question that follows it."""
    replies = assistant.send(who, question)
    assert len(replies) == 2, replies
    return replies[0], replies[1]


@pytest.mark.parametrize("language", ["it", "fr", "en"])
def test_a_how_to_question_gets_the_article_with_its_link_and_the_question(
    assistant: Assistant, language: str
) -> None:
    article, asked = article_turn(assistant, sender(), HOW_TO[language])
    card = article["custom"]["article"]
    assert card["topic"] == "record-meeting" and card["language"] == language
    assert card["url"] in urls_in(HELP / language)
    assert set(card) == {"id", "topic", "url", "title", "language", "passage"}
    lines = article["text"].split("\n")
    assert lines[0] == card["title"] and lines[1] == card["passage"]
    assert lines[-1] == card["url"]  # the link on its own line
    assert identify(article["text"]) == ("utter_help_article", language)
    assert identify(asked["text"]) == ("utter_ask_article_helpful", language)
    assert [b["payload"] for b in asked["buttons"]] == [FEEDBACK_YES, FEEDBACK_NO]


def test_the_widget_gets_the_article_as_one_message_for_its_card(assistant: Assistant) -> None:
    widget = WidgetClient(assistant.rasa_url, language="fr")
    try:
        widget.say(HOW_TO["fr"])
        article, asked = widget.next(), widget.next()
    finally:
        widget.close()
    card = article["custom"]["article"]
    assert card["topic"] == "record-meeting" and card["url"] in urls_in(HELP / "fr")
    assert article["text"].split("\n")[-1] == card["url"]
    assert identify(asked["text"]) == ("utter_ask_article_helpful", "fr")
    assert [b["payload"] for b in asked["quick_replies"]] == [FEEDBACK_YES, FEEDBACK_NO]


@pytest.mark.parametrize("language", ["it", "fr", "en"])
def test_an_off_domain_message_gets_the_out_of_scope_reply(
    assistant: Assistant, language: str
) -> None:
    replies = assistant.send(sender(), OFF_DOMAIN[language])
    assert [identify(r["text"]) for r in replies] == [("utter_out_of_scope", language)]
    assert not any("custom" in r for r in replies)


def test_yes_thanks_and_a_typed_yes_counts_the_same(assistant: Assistant) -> None:
    who = sender()
    article_turn(assistant, who, HOW_TO["en"])
    assert [identify(r["text"]) for r in assistant.send(who, FEEDBACK_YES)] == [
        ("utter_article_helped", "en")
    ]
    other = sender()
    article_turn(assistant, other, HOW_TO["it"])
    assert [identify(r["text"]) for r in assistant.send(other, "sì")] == [
        ("utter_article_helped", "it")
    ]


@pytest.mark.parametrize("language", ["it", "fr", "en"])
def test_no_opens_a_handoff_whose_ticket_carries_the_question_and_the_article(
    assistant: Assistant, desk: Desk, language: str
) -> None:
    who = sender()
    article, _ = article_turn(assistant, who, HOW_TO[language])
    url = article["custom"]["article"]["url"]
    replies = [identify(r["text"]) for r in assistant.send(who, FEEDBACK_NO)]
    assert replies[:2] == [
        ("utter_article_not_helped", language),
        ("utter_handoff_intro", language),
    ]
    # the question is the reason: the form goes on to who the customer is
    assert replies[-1] == ("utter_ask_handoff_identifier", language), replies
    done = [identify(r["text"]) for r in assistant.send(who, "/talk_to_human")]  # skip the rest
    # out of hours, a sentence saying when the team is back follows (not a response)
    named = [reply for reply in done if reply]
    assert named[-1][0] in ("utter_handoff_queued", "utter_handoff_after_hours"), done

    agent = signed_in(desk)
    listed = agent.get(f"{desk.url}/api/tickets", params={"language": language}, timeout=10)
    mine = [
        t for t in listed.json()["tickets"]
        if t["channel"] == "rest" and HOW_TO[language][:40] in t["summary"]
    ]  # fmt: skip
    assert mine, listed.json()
    ticket = agent.get(f"{desk.url}/api/tickets/{mine[-1]['id']}", timeout=10).json()
    assert f'question: "{HOW_TO[language]}"' in ticket["summary"]
    assert "article that did not help: " in ticket["summary"] and url in ticket["summary"]


def test_a_typed_no_while_the_question_waits_offers_a_person(assistant: Assistant) -> None:
    who = sender()
    article_turn(assistant, who, HOW_TO["fr"])
    replies = [identify(r["text"]) for r in assistant.send(who, "non")]
    assert replies[:2] == [("utter_article_not_helped", "fr"), ("utter_handoff_intro", "fr")]


def test_a_new_question_drops_did_this_answer(assistant: Assistant) -> None:
    who = sender()
    article_turn(assistant, who, HOW_TO["en"])
    assistant.send(who, "what's the weather going to be like in London tomorrow?")
    # "no" now answers nothing: no handoff
    replies = [identify(r["text"]) for r in assistant.send(who, "no")]
    assert ("utter_article_not_helped", "en") not in replies
    assert ("utter_handoff_intro", "en") not in replies


def test_insights_count_articles_answers_and_searches_with_no_good_article(
    assistant: Assistant, supervisor: Desk
) -> None:
    who = sender()
    article_turn(assistant, who, HOW_TO["it"])
    assistant.send(who, FEEDBACK_YES)
    assistant.send(sender(), OFF_DOMAIN["it"])
    figures = signed_in(supervisor).get(
        f"{supervisor.url}/api/insights", params={"language": "it"}, timeout=60
    )
    assert figures.status_code == 200, figures.text
    help_centre = figures.json()["help_centre"]
    assert help_centre["answered"] >= 1 and help_centre["not_answered"] >= 1
    recording = [a for a in help_centre["articles"] if a["topic"] == "record-meeting"]
    assert recording and recording[0]["yes"] >= 1 and recording[0]["helpful_rate"] is not None
    searches = [e for g in help_centre["no_good_article"] for e in g["examples"]]
    assert OFF_DOMAIN["it"] in searches
    assert figures.json()["by_language"]["it"]["help_answered"] >= 1


@pytest.fixture(scope="module")
def own_help_centre(
    model_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Assistant, Path]]:
    """Servers with a help folder and a model folder of their own (a copy of the
    shipped articles; the trained model linked, never retrained)."""
    workdir = tmp_path_factory.mktemp("own_help_centre")
    help_dir = workdir / "help"
    shutil.copytree(HELP, help_dir)
    models = workdir / "models"
    models.mkdir()
    (models / model_path.name).symlink_to(model_path.resolve())
    settings = {
        "DATABASE_URL": f"sqlite:///{workdir / 'accounts.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "LOCK_STORE_URL": "memory://",
        "POLICY_FILE": str(always_open_policy(workdir)),
        "HELP_CENTRE_DIR": str(help_dir),
        "MODEL_DIR": str(models),
    }
    for assistant in start_assistant(model_path, workdir, settings):
        help_index(assistant.env)
        yield assistant, help_dir


def test_an_imported_zendesk_article_is_answered_without_retraining_or_restart(
    own_help_centre: tuple[Assistant, Path],
) -> None:
    assistant, help_dir = own_help_centre
    question = "how do I save the whiteboard before the meeting ends?"
    before = assistant.send(sender(), question)
    assert not any(
        "zendesk" in str(r.get("custom", {}).get("article", {}).get("id", "")) for r in before
    )
    model_files = sorted(p.name for p in (help_dir.parent / "models").iterdir())

    imported = subprocess.run(
        [sys.executable, "-m", "bot", "help-centre", "import", str(ZENDESK)],
        env=assistant.env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    help_index(assistant.env)

    article, asked = article_turn(assistant, sender(), question)
    card = article["custom"]["article"]
    assert card["id"] == "zendesk-360010000001" and card["language"] == "en"
    assert card["url"].startswith("https://support.example.com/hc/en-us/articles/360010000001")
    assert card["url"] in urls_in(help_dir / "en")
    assert identify(asked["text"]) == ("utter_ask_article_helpful", "en")
    # the intent model was not retrained: the same model files
    assert sorted(p.name for p in (help_dir.parent / "models").iterdir()) == model_files


def test_a_forged_article_in_the_feedback_button_reaches_no_ticket_and_no_figure(
    assistant: Assistant, desk: Desk
) -> None:
    """A customer who was never given an article sends the "no" button with the
    article slots as entities: the slots are the action's alone (custom mappings), so
    the handoff that follows carries no article, and Insights count no feedback."""
    marker = f"forged-{letters_marker()}"  # letters: ticket texts mask digit runs
    forged = {"id": marker, "title": marker, "url": f"javascript:alert('{marker}')"}
    payload = (
        '/article_feedback{"article_helpful": false, '
        f'"help_article": {json.dumps(forged)}, "handoff_article": {json.dumps(forged)}}}'
    )
    who = sender()
    replies = [identify(r["text"]) for r in assistant.send(who, payload)]
    assert replies[0] == ("utter_article_not_helped", "en"), replies
    assistant.send(who, "/talk_to_human")  # skip the rest of the form

    agent = signed_in(desk)
    listed = agent.get(f"{desk.url}/api/tickets", params={"language": "en"}, timeout=10)
    tickets = [
        agent.get(f"{desk.url}/api/tickets/{t['id']}", timeout=10).json()
        for t in listed.json()["tickets"]
    ]
    # the transcript shows what the customer typed; the summary is what the bot vouches for
    mine = [t for t in tickets if marker in json.dumps(t.get("transcript"))]
    assert len(mine) == 1, [t["id"] for t in tickets]
    assert marker not in mine[0]["summary"]
    assert "article that did not help" not in mine[0]["summary"]
    figures = agent.get(f"{desk.url}/api/insights", timeout=10).text
    assert marker not in figures
