"""Insights end to end: conversations of each outcome through the real Rasa server,
action server and desk, then the figures a supervisor reads on the Insights API and
CSV; and the routes as an attacker tries them (plain agent, no cookie, forged cookie
and headers).

The `assistant` is shared with the other end-to-end tests, so the figures are read
before and after and the test checks what its own conversations added. `as_of` two
days ahead judges every conversation settled (no one comes back meanwhile)."""

from __future__ import annotations

import base64
import csv
import io
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.desk.auth import COOKIE
from tests.support.desk_client import queued_rest_ticket, signed_in
from tests.support.replies import identify
from tests.support.servers import Assistant, Desk

pytestmark = pytest.mark.slow

SETTLE_SECONDS = 2.5  # the refresh leaves the last 2 s of events for the next call
DAYS = 86400


def figures(session: requests.Session, desk: Desk) -> dict[str, Any]:
    time.sleep(SETTLE_SECONDS)
    as_of = time.time() + 2 * DAYS
    response = session.get(f"{desk.url}/api/insights", params={"as_of": as_of}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def added(after: dict[str, Any], before: dict[str, Any], *path: str) -> Any:
    """How much a figure grew (counts), or the new top-list entries' growth."""
    for key in path:
        after, before = after.get(key) or {}, before.get(key) or {}
    if isinstance(after, list):
        return dict(after) if not before else {
            name: count - dict(before).get(name, 0)
            for name, count in after
            if count != dict(before).get(name, 0)
        }  # fmt: skip
    return (after or 0) - (before or 0)


def say(assistant: Assistant, who: str, text: str, language: str) -> str:
    replies = assistant.send(who, text, language=language)
    return identify(replies[0]["text"])[0] if replies else ""


def test_each_outcome_reaches_the_figures_of_a_supervisor(
    assistant: Assistant, desk: Desk, supervisor: Desk
) -> None:
    boss = signed_in(supervisor)
    before = figures(boss, desk)

    resolved = f"insights-{uuid.uuid4().hex[:8]}"
    question = "what happens to my data after i cancel my subscription?"
    assert say(assistant, resolved, question, "en") == "utter_faq/after_cancellation"
    assert say(assistant, resolved, "thanks, that helps", "en") == "utter_thank"

    lost = f"insights-{uuid.uuid4().hex[:8]}"
    assert say(assistant, lost, "buongiorno", "it") == "utter_greet"
    assert say(assistant, lost, "xxxxx yyyy", "it") == "utter_default"
    assert say(assistant, lost, "kkkkkk", "it") == "utter_fallback_offer_human"

    left = f"insights-{uuid.uuid4().hex[:8]}"
    assert say(assistant, left, "bonjour", "fr") == "utter_greet"

    # handed off (English, REST, topic general), claimed by an agent and handed back
    _, ticket, agent = queued_rest_ticket(assistant, desk)
    ticket_url = f"{desk.url}/api/tickets/{ticket['id']}"
    time.sleep(1.0)  # a wait an agent can see
    assert agent.post(f"{ticket_url}/claim", timeout=30).ok
    assert agent.post(f"{ticket_url}/handback", json={"note": "done"}, timeout=30).ok

    after = figures(boss, desk)
    grew = {
        key: added(after, before, "overall", key)
        for key in ("conversations", "settled", "in_progress", "resolved", "handed_off",
                    "misunderstood", "abandoned", "handoffs_claimed", "handed_back",
                    "fallbacks", "user_messages")
    }  # fmt: skip
    assert grew == {
        "conversations": 4, "settled": 4, "in_progress": 0, "resolved": 1, "handed_off": 1,
        "misunderstood": 1, "abandoned": 1, "handoffs_claimed": 1, "handed_back": 1,
        "fallbacks": 2, "user_messages": 8,
    }  # fmt: skip
    assert added(after, before, "by_language", "en", "resolved") == 1
    assert added(after, before, "by_language", "en", "handed_off") == 1
    assert added(after, before, "by_language", "it", "misunderstood") == 1
    assert added(after, before, "by_language", "fr", "abandoned") == 1
    assert added(after, before, "by_channel", "rest", "conversations") == 4
    assert added(after, before, "overall", "handoff_topics") == {"general": 1}
    intents = added(after, before, "overall", "top_intents")
    assert intents.get("talk_to_human") == 2 and intents.get("greet") == 2
    assert after["overall"]["median_wait_seconds"] >= 0

    overall = after["overall"]
    assert overall["resolution_rate"] == round(overall["resolved"] / overall["settled"], 4)
    assert overall["handoff_rate"] == round(overall["handed_off"] / overall["settled"], 4)
    assert overall["fallback_rate"] == round(overall["fallbacks"] / overall["user_messages"], 4)

    italian = boss.get(
        f"{desk.url}/api/insights.csv",
        params={"language": "it", "as_of": time.time() + 2 * DAYS}, timeout=30,
    )  # fmt: skip
    assert italian.status_code == 200 and italian.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(italian.text)))
    assert [(r["group"], r["value"]) for r in rows][:2] == [("overall", "all"), ("language", "it")]
    assert int(rows[0]["misunderstood"]) == after["by_language"]["it"]["misunderstood"]


def names(replies: list[dict[str, Any]]) -> list[str]:
    return [identify(r["text"])[0] for r in replies]


def tap(assistant: Assistant, who: str, replies: list[dict[str, Any]], title: str) -> list[dict]:
    """Tap a button of the last reply, as the widget does: its payload is the message."""
    [button] = [b for b in replies[-1]["buttons"] if b["title"] == title]
    return assistant.send(who, button["payload"])


def rating_sum(figures: dict[str, Any]) -> float:
    return (figures.get("average_rating") or 0) * (figures.get("ratings") or 0)


def ratings_added(after: dict[str, Any], before: dict[str, Any]) -> Any:
    """The sum of the ratings added, from the averages (rounded to 2 decimals)."""
    slack = 0.005 * ((after.get("ratings") or 0) + (before.get("ratings") or 0)) + 1e-6
    return pytest.approx(rating_sum(after) - rating_sum(before), abs=slack)


def test_satisfaction_answers_reach_the_figures_of_a_supervisor(
    assistant: Assistant, desk: Desk, supervisor: Desk
) -> None:
    """Rated conversations: a FAQ, then "Did this help?" answered with its buttons
    (French) or by typing (Italian), "no" (English: not resolved), and the question
    after an agent's hand-back. The satisfaction figures grow by exactly these."""
    boss = signed_in(supervisor)
    before = figures(boss, desk)

    tapped = f"insights-{uuid.uuid4().hex[:8]}"
    replies = assistant.send(tapped, "est-ce que je peux être remboursé si je résilie maintenant ?")
    assert [identify(r["text"]) for r in replies] == [
        ("utter_faq/refund", "fr"), ("utter_ask_satisfaction_helped", "fr"),
    ]  # fmt: skip
    replies = tap(assistant, tapped, replies, "Oui")
    assert names(replies) == ["utter_ask_satisfaction_rating"]
    assert [b["title"] for b in replies[-1]["buttons"]] == ["1", "2", "3", "4", "5"]
    assert names(tap(assistant, tapped, replies, "4")) == ["utter_satisfaction_thanks"]

    typed = f"insights-{uuid.uuid4().hex[:8]}"
    faq = "quali browser posso usare?"
    assert names(assistant.send(typed, faq, language="it"))[-1] == "utter_ask_satisfaction_helped"
    assert names(assistant.send(typed, "sì", language="it")) == ["utter_ask_satisfaction_rating"]
    assert names(assistant.send(typed, "5", language="it")) == ["utter_satisfaction_thanks"]

    unhappy = f"insights-{uuid.uuid4().hex[:8]}"
    question = "which browsers can I use with your app?"
    assert names(assistant.send(unhappy, question, language="en"))[-1] == (
        "utter_ask_satisfaction_helped"
    )
    no = assistant.send(unhappy, "no, it didn't", language="en")
    assert names(no) == ["utter_ask_satisfaction_rating_not_helped"]
    assert names(assistant.send(unhappy, "2", language="en")) == ["utter_satisfaction_thanks"]

    # an agent hands back: REST cannot receive the question, but it waits in the tracker
    customer, ticket, agent = queued_rest_ticket(assistant, desk)
    ticket_url = f"{desk.url}/api/tickets/{ticket['id']}"
    assert agent.post(f"{ticket_url}/claim", timeout=30).ok
    assert agent.post(f"{ticket_url}/handback", json={"note": "done"}, timeout=30).ok
    assert names(assistant.send(customer, "yes")) == ["utter_ask_satisfaction_rating"]
    assert names(assistant.send(customer, "skip")) == ["utter_satisfaction_skipped"]

    after = figures(boss, desk)
    grew = {
        key: added(after, before, "overall", key)
        for key in ("conversations", "resolved", "abandoned", "handed_off",
                    "satisfaction_answers", "satisfied", "ratings", "fallbacks")
    }  # fmt: skip
    assert grew == {
        "conversations": 4, "resolved": 2, "abandoned": 1, "handed_off": 1,
        "satisfaction_answers": 4, "satisfied": 3, "ratings": 3, "fallbacks": 0,
    }  # fmt: skip
    assert added(after, before, "by_language", "en", "abandoned") == 1  # "no": not resolved
    for language, answers, satisfied, ratings, stars in (
        ("fr", 1, 1, 1, 4), ("it", 1, 1, 1, 5), ("en", 2, 1, 1, 2),
    ):  # fmt: skip
        now, then = after["by_language"][language], before["by_language"].get(language, {})
        assert added(after, before, "by_language", language, "satisfaction_answers") == answers
        assert added(after, before, "by_language", language, "satisfied") == satisfied
        assert added(after, before, "by_language", language, "ratings") == ratings
        assert ratings_added(now, then) == stars
        assert now["satisfaction_rate"] == round(now["satisfied"] / now["satisfaction_answers"], 4)
    overall = after["overall"]
    assert overall["satisfaction_rate"] == round(
        overall["satisfied"] / overall["satisfaction_answers"], 4
    )
    assert ratings_added(overall, before["overall"]) == 4 + 5 + 2
    assert 1 <= overall["average_rating"] <= 5


def _forged(cookie: str, username: str) -> str:
    """The cookie's payload rewritten for another agent, the signature kept."""
    body, signature = cookie.rsplit(".", 1)
    payload = json.loads(base64.urlsafe_b64decode(body.encode()))
    payload["agent"] = username
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode() + "." + signature


INSIGHTS_PATHS = [
    "/api/insights", "/api/insights.csv", "/api/insights/review", "/insights", "/insights.js",
]  # fmt: skip


@pytest.mark.parametrize("path", INSIGHTS_PATHS)
def test_only_supervisors_get_insights(desk: Desk, supervisor: Desk, path: str) -> None:
    url = desk.url + path
    assert signed_in(supervisor).get(url, timeout=30).status_code == 200

    agent = signed_in(desk)  # marie: a plain agent
    assert agent.get(url, timeout=30).status_code == 403
    forged_headers = {"X-Desk-Supervisor": "1", "X-Forwarded-User": "sofia", "X-Agent": "sofia"}
    assert agent.get(url, headers=forged_headers, timeout=30).status_code == 403
    assert agent.get(url, params={"supervisor": "1"}, timeout=30).status_code == 403

    nobody = requests.get(url, allow_redirects=False, timeout=30)
    assert nobody.status_code == (401 if path.startswith("/api/") else 302)
    forged = requests.get(
        url, cookies={COOKIE: _forged(agent.cookies[COOKIE], "sofia")},
        allow_redirects=False, timeout=30,
    )  # fmt: skip
    assert forged.status_code in (401, 302) and "conversations" not in forged.text


@pytest.mark.parametrize("action", ["label", "ignore"])
def test_a_plain_agent_cannot_label_or_ignore_messages(desk: Desk, action: str) -> None:
    url = f"{desk.url}/api/insights/review/{action}"
    body = {"ids": [1], "intent": "greet"}
    assert signed_in(desk).post(url, json=body, timeout=30).status_code == 403
    assert requests.post(url, json=body, timeout=30).status_code == 401


def test_the_desk_tells_who_may_open_insights(desk: Desk, supervisor: Desk) -> None:
    """The desk shows its Insights link from /api/me (the routes check again)."""
    assert signed_in(supervisor).get(f"{desk.url}/api/me", timeout=30).json()["supervisor"]
    assert signed_in(desk).get(f"{desk.url}/api/me", timeout=30).json()["supervisor"] is False


def test_an_agent_s_ticket_reaches_the_per_agent_figures_and_the_trend(
    assistant: Assistant, desk: Desk, supervisor: Desk
) -> None:
    boss = signed_in(supervisor)
    before = figures(boss, desk)
    customer, ticket, agent = queued_rest_ticket(assistant, desk)
    ticket_url = f"{desk.url}/api/tickets/{ticket['id']}"
    assert agent.post(f"{ticket_url}/claim", timeout=30).ok
    time.sleep(1.0)  # a first response an agent can see
    assert agent.post(f"{ticket_url}/messages", json={"text": "Hello!"}, timeout=30).ok
    assert agent.post(f"{ticket_url}/handback", json={"note": "done"}, timeout=30).ok
    assert names(assistant.send(customer, "yes")) == ["utter_ask_satisfaction_rating"]
    assert names(assistant.send(customer, "4")) == ["utter_satisfaction_thanks"]
    after = figures(boss, desk)

    def marie(report: dict[str, Any]) -> dict[str, Any]:
        return next((a for a in report["by_agent"] if a["agent"] == desk.agent), {})

    now, then = marie(after), marie(before)
    assert now["name"] == "Marie"
    grew = {
        key: (now[key] or 0) - (then.get(key) or 0)
        for key in ("handled", "first_responses", "csat_answers", "csat_satisfied", "ratings")
    }
    assert grew == {"handled": 1, "first_responses": 1, "csat_answers": 1, "csat_satisfied": 1,
                    "ratings": 1}  # fmt: skip
    # medians over every ticket marie took in this run (others were handed back at once)
    assert now["median_first_response_seconds"] >= 0 and now["median_handle_seconds"] >= 0
    days = after["by_day"]
    assert sum(d["conversations"] for d in days) == after["overall"]["conversations"]
    assert days[-1]["day"] == time.strftime("%Y-%m-%d", time.gmtime())
    today_before = next((d for d in before["by_day"] if d["day"] == days[-1]["day"]), {})
    assert days[-1]["handed_off"] - today_before.get("handed_off", 0) == 1


def test_a_misunderstood_message_is_labelled_into_the_review_file(
    assistant: Assistant, desk: Desk, supervisor: Desk
) -> None:
    who = f"insights-{uuid.uuid4().hex[:8]}"
    assert say(assistant, who, "buongiorno", "it") == "utter_greet"
    assert say(assistant, who, "xxxxx yyyy", "it") == "utter_default"
    boss = signed_in(supervisor)
    time.sleep(SETTLE_SECONDS)
    listed = boss.get(f"{desk.url}/api/insights/review", params={"language": "it"}, timeout=30)
    assert listed.status_code == 200
    body = listed.json()
    assert "cancel_subscription" in body["intents"] and "nlu_fallback" not in body["intents"]
    [group] = [g for g in body["groups"] if "xxxxx yyyy" in g["examples"]]
    url = f"{desk.url}/api/insights/review/label"
    unknown = boss.post(url, json={"ids": group["ids"], "intent": "nope"}, timeout=30)
    assert unknown.status_code == 409
    assert boss.post(url, json={"ids": "1", "intent": "greet"}, timeout=30).status_code == 400
    done = boss.post(url, json={"ids": group["ids"], "intent": "out_of_scope"}, timeout=30)
    assert done.status_code == 200 and done.json()["labelled"] == group["count"]
    review = Path(assistant.env["NLU_REVIEW_FILE"]).read_text(encoding="utf-8")
    assert "text: xxxxx yyyy" in review and "intent: out_of_scope" in review
    again = boss.get(f"{desk.url}/api/insights/review", params={"language": "it"}, timeout=30)
    assert all(group["id"] != g["id"] for g in again.json()["groups"])


def test_a_misunderstood_message_is_ignored_without_writing_anything(
    assistant: Assistant, desk: Desk, supervisor: Desk
) -> None:
    who = f"insights-{uuid.uuid4().hex[:8]}"
    assert say(assistant, who, "zzqqx wubwub", "fr") == "utter_default"
    boss = signed_in(supervisor)
    time.sleep(SETTLE_SECONDS)
    url = f"{desk.url}/api/insights/review"
    listed = boss.get(url, params={"language": "fr", "page": 999}, timeout=30).json()
    assert listed["page"] == listed["pages"] >= 1 and listed["total"] >= 1  # the last page
    groups = [
        group
        for page in range(1, listed["pages"] + 1)
        for group in boss.get(url, params={"language": "fr", "page": page}, timeout=30).json()[
            "groups"
        ]
    ]
    [group] = [g for g in groups if "zzqqx wubwub" in g["examples"]]
    assert boss.post(f"{url}/ignore", json={"ids": "1"}, timeout=30).status_code == 400
    done = boss.post(f"{url}/ignore", json={"ids": group["ids"]}, timeout=30)
    assert done.status_code == 200 and done.json()["ignored"] == group["count"]
    again = boss.post(f"{url}/ignore", json={"ids": group["ids"]}, timeout=30)
    assert again.status_code == 409  # nothing waiting any more
    review = Path(assistant.env["NLU_REVIEW_FILE"])
    assert not review.exists() or "zzqqx" not in review.read_text(encoding="utf-8")
    left = boss.get(url, params={"language": "fr"}, timeout=30).json()
    assert left["total"] == listed["total"] - 1
    for page in ("0", "-1", "x", "1e3", "99999999999"):
        refused = boss.get(url, params={"page": page}, timeout=30)
        assert refused.status_code == 400 and "'page'" in refused.json()["error"]


def test_bad_filters_are_refused_with_a_reason(desk: Desk, supervisor: Desk) -> None:
    boss = signed_in(supervisor)
    for params in ({"from": "yesterday"}, {"language": "de"}, {"channel": "x;y"},
                   {"as_of": "1"}, {"from": "2026-11-22", "to": "2026-11-01"}):  # fmt: skip
        response = boss.get(f"{desk.url}/api/insights", params=params, timeout=30)
        assert response.status_code == 400 and "query parameter" in response.json()["error"]
