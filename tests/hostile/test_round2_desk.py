"""The agent desk as an attacker tries it, round two (issue #22, finding 5 and the desk's
lows), against real desk processes.

Sign-in limits run on desks of their own (a SQLite file, then PostgreSQL), so the
lock-outs they provoke never reach the session's shared `desk`; the other attacks use
the shared `desk`, `supervisor` and `assistant` (a real Rasa server)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import yaml

from bot.desk.auth import COOKIE
from tests.support.desk_client import queued_rest_ticket, signed_in
from tests.support.environment import ROOT, throwaway_schema
from tests.support.servers import Assistant, Desk, free_port, stop, wait_for

PER_USERNAME = 5  # bot/policy.yml desk_signin_failures_per_username
PER_ADDRESS = 20  # bot/policy.yml desk_signin_failures_per_address
HUGE = "99999999999999999999"  # 20 digits: more than any database integer


@pytest.fixture(params=["sqlite", "postgresql"])
def account_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'accounts.db'}"
        return
    with throwaway_schema() as url:
        yield url


def quick_backoff_policy(workdir: Path) -> Path:
    """The shipped policy with a lock of 2 s growing to at most 4 s."""
    policy = yaml.safe_load((ROOT / "bot" / "policy.yml").read_text(encoding="utf-8"))
    policy.update(desk_signin_backoff_seconds=2, desk_signin_backoff_max_seconds=4)
    path = workdir / "quick-policy.yml"
    path.write_text(yaml.safe_dump(policy), encoding="utf-8")
    return path


@contextmanager
def own_desk(workdir: Path, database_url: str, **settings: str) -> Iterator[Desk]:
    """A desk process on its own account database, with the agent marie (sign-in
    needs no Rasa server)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "SECRET_KEY": "round2-desk-secret-" + "x" * 20,
        "DEMO": "true",
        "LISTEN_HOST": "127.0.0.1",
        "DESK_PORT": str(free_port()),
        **settings,
    }
    subprocess.run([sys.executable, "-m", "bot", "migrate"], env=env, cwd=ROOT, check=True)
    password = secrets.token_urlsafe(12)
    subprocess.run(
        [sys.executable, "-m", "bot", "create-agent", "marie", "--password-stdin"],
        input=password + "\n", text=True, env=env, cwd=ROOT, check=True,
    )  # fmt: skip
    log = workdir / f"desk-{env['DESK_PORT']}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "desk"],
        env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{env['DESK_PORT']}"
        wait_for(f"{url}/health", process, log, timeout=120)
        yield Desk(url, "marie", password)
    finally:
        stop([process])


def sign_in(desk: Desk, username: str, password: str, **headers: str) -> requests.Response:
    return requests.post(
        f"{desk.url}/login", data={"username": username, "password": password},
        headers={k.replace("_", "-"): v for k, v in headers.items()},
        allow_redirects=False, timeout=120,
    )  # fmt: skip


def evaluated(response: requests.Response) -> bool:
    """The password was checked (right or wrong), not refused for too many attempts."""
    return response.status_code == 302


# --- finding 5: sign-in throttling ----------------------------------------------------


def test_forty_concurrent_wrong_passwords_check_at_most_the_limit(
    account_db: str, tmp_path: Path
) -> None:
    with own_desk(tmp_path, account_db) as desk:
        with ThreadPoolExecutor(40) as pool:
            answers = list(pool.map(lambda n: sign_in(desk, "marie", f"guess-{n}"), range(40)))
        checked = [a for a in answers if evaluated(a)]
        assert {a.status_code for a in answers} <= {302, 429}
        assert len(checked) <= PER_USERNAME, f"{len(checked)} passwords checked"
        assert all(a.headers["Location"] == "/login?failed=1" for a in checked)
        assert sign_in(desk, "marie", desk.password).status_code == 429


def test_hammering_never_keeps_the_right_password_out(tmp_path: Path) -> None:
    """Wrong passwords for 8 s without a pause, then the agent waits out the longest
    lock (4 s here) and signs in."""
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    with own_desk(tmp_path, url, POLICY_FILE=str(quick_backoff_policy(tmp_path))) as desk:
        for n in range(PER_USERNAME):
            assert evaluated(sign_in(desk, "marie", f"guess-{n}"))
        locked = sign_in(desk, "marie", desk.password)
        assert locked.status_code == 429 and COOKIE not in locked.cookies
        assert 1 <= int(locked.headers["Retry-After"]) <= 4
        deadline, tries = time.monotonic() + 8, 0
        while time.monotonic() < deadline:
            sign_in(desk, "marie", f"hammer-{tries}")
            tries += 1
        time.sleep(4.5)
        right = sign_in(desk, "marie", desk.password)
        assert right.status_code == 302 and right.headers["Location"] == "/", right.text
        assert COOKIE in right.cookies


def test_clients_behind_a_trusted_proxy_do_not_lock_each_other_out(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    with own_desk(tmp_path, url, TRUSTED_PROXIES="127.0.0.1/32, 10.0.0.0/8") as desk:
        attacker = "203.0.113.5"
        for n in range(PER_ADDRESS):
            # a made-up client before the real one changes nothing: the right-most
            # address the proxies did not write is the client
            spoofed = f"198.51.100.{n}, {attacker}, 10.1.2.3"
            assert evaluated(sign_in(desk, f"name-{n}", "wrong", X_Forwarded_For=spoofed))
        assert sign_in(desk, "marie", desk.password, X_Forwarded_For=attacker).status_code == 429
        colleague = sign_in(desk, "marie", desk.password, X_Forwarded_For="203.0.113.77")
        assert colleague.headers["Location"] == "/" and COOKIE in colleague.cookies


def test_forwarded_for_from_an_untrusted_peer_is_ignored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    with own_desk(tmp_path, url, TRUSTED_PROXIES="10.0.0.0/8") as desk:
        for n in range(PER_ADDRESS):
            forged = f"203.0.113.{n}"  # a new "client" each time: still the one peer
            assert evaluated(sign_in(desk, f"name-{n}", "wrong", X_Forwarded_For=forged))
        refused = sign_in(desk, "marie", desk.password, X_Forwarded_For="198.51.100.9")
        assert refused.status_code == 429 and COOKIE not in refused.cookies


# --- lows ----------------------------------------------------------------------------


def test_huge_ticket_ids_get_a_clear_json_error(desk: Desk) -> None:
    agent = signed_in(desk)
    for method, path in (
        ("GET", f"/api/tickets/{HUGE}"),
        ("GET", f"/api/tickets/{HUGE}/messages"),
        ("POST", f"/api/tickets/{HUGE}/claim"),
        ("POST", f"/api/tickets/{HUGE}/messages"),
        ("POST", f"/api/tickets/{HUGE}/handback"),
        ("GET", "/api/tickets/-1"),
    ):
        answer = agent.request(method, desk.url + path, json={"text": "hi"}, timeout=30)
        assert answer.status_code == 404, (path, answer.status_code, answer.text)
        assert answer.json() == {"error": "no such ticket"}


def test_huge_review_ids_get_a_clear_json_error(desk: Desk, supervisor: Desk) -> None:
    boss = signed_in(supervisor)
    for action in ("label", "ignore"):
        url = f"{desk.url}/api/insights/review/{action}"
        for body in ({"ids": [int(HUGE)], "intent": "greet"}, {"ids": [True]},
                     {"ids": list(range(1, 502))}, ["ids"]):  # fmt: skip
            answer = boss.post(url, json=body, timeout=30)
            assert answer.status_code == 400 and "ids" in answer.json()["error"], answer.text
        not_json = boss.post(url, data="ids=1", timeout=30)
        assert not_json.status_code == 400 and not_json.json()["error"], not_json.text
        # another site's form cannot post it: the desk's request header is required
        forged = requests.post(url, json={"ids": [1]}, cookies=boss.cookies, timeout=30)
        assert forged.status_code == 403, forged.text


def test_dates_out_of_range_get_a_clear_json_error(desk: Desk, supervisor: Desk) -> None:
    boss = signed_in(supervisor)
    for path in ("/api/insights", "/api/insights.csv", "/api/insights/review"):
        for query in (
            {"from": "0001-01-01", "to": "9999-12-31"},
            {"as_of": "253402300800"},  # year 10000
        ):
            answer = boss.get(desk.url + path, params=query, timeout=60)
            assert answer.status_code == 400, (path, query, answer.status_code, answer.text)
            assert answer.headers["Content-Type"].startswith("application/json")
            assert "query parameter" in answer.json()["error"]


def test_a_copied_cookie_stops_working_at_logout(assistant: Assistant, desk: Desk) -> None:
    name = f"lucas-{uuid.uuid4().hex[:6]}"
    password = secrets.token_urlsafe(12)
    subprocess.run(
        [sys.executable, "-m", "bot", "create-agent", name, "--password-stdin"],
        input=password + "\n", text=True, env=assistant.env, cwd=ROOT, check=True,
    )  # fmt: skip
    agent = signed_in(Desk(desk.url, name, password))
    copied = {COOKIE: agent.cookies[COOKIE]}
    assert requests.get(f"{desk.url}/api/me", cookies=copied, timeout=10).status_code == 200
    out = agent.post(f"{desk.url}/logout", allow_redirects=False, timeout=10)
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    assert requests.get(f"{desk.url}/api/me", cookies=copied, timeout=10).status_code == 401
    # signing in again gives a working cookie
    again = signed_in(Desk(desk.url, name, password))
    assert again.get(f"{desk.url}/api/me", timeout=10).json()["username"] == name


def test_the_cookie_is_secure_behind_an_https_proxy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    with own_desk(tmp_path, url, TRUSTED_PROXIES="127.0.0.1") as desk:
        https = sign_in(desk, "marie", desk.password, X_Forwarded_Proto="https")
        assert "; secure" in https.headers["Set-Cookie"].lower()
        plain = sign_in(desk, "marie", desk.password)  # local http: no Secure, or no cookie
        assert "; secure" not in plain.headers["Set-Cookie"].lower()
    other = f"sqlite:///{tmp_path / 'other.db'}"
    with own_desk(tmp_path, other, TRUSTED_PROXIES="10.0.0.0/8") as desk:
        # an untrusted peer's header is not believed
        forged = sign_in(desk, "marie", desk.password, X_Forwarded_Proto="https")
        assert "; secure" not in forged.headers["Set-Cookie"].lower()


def test_personal_data_is_never_cached(assistant: Assistant, desk: Desk, supervisor: Desk) -> None:
    _, ticket, agent = queued_rest_ticket(assistant, desk)
    boss = signed_in(supervisor)
    for session, path in (
        (agent, "/api/me"),
        (agent, "/api/tickets"),
        (agent, f"/api/tickets/{ticket['id']}"),
        (agent, f"/api/tickets/{ticket['id']}/messages"),
        (agent, f"/api/tickets/{HUGE}"),
        (boss, "/api/insights"),
        (boss, "/api/insights.csv"),
        (boss, "/api/insights/review"),
    ):
        answer = session.get(desk.url + path, timeout=60)
        assert answer.headers.get("Cache-Control") == "no-store", (path, answer.headers)


def test_a_closed_ticket_shows_nothing_the_customer_wrote_after_it(
    assistant: Assistant, desk: Desk
) -> None:
    who, ticket, agent = queued_rest_ticket(assistant, desk)
    ticket_url = f"{desk.url}/api/tickets/{ticket['id']}"
    assert agent.post(f"{ticket_url}/claim", timeout=30).ok
    assistant.send(who, "before the close: my order is late")
    assert agent.post(f"{ticket_url}/handback", json={"note": "done"}, timeout=30).ok
    time.sleep(1.1)  # event timestamps are seconds: clearly after the close
    assistant.send(who, "after the close: my secret new address is 12 Via Roma")
    texts = [m["text"] for m in agent.get(f"{ticket_url}/messages", timeout=30).json()["messages"]]
    assert "before the close: my order is late" in texts
    assert not [text for text in texts if "after the close" in text], texts
    shown = agent.get(ticket_url, timeout=30).json()
    assert "after the close" not in str(shown["transcript"])
