"""Desk sign-in as an attacker tries it: the demo agent outside demo mode, guessing
passwords, and telling unknown names from wrong passwords. A real desk process on its
own SQLite database (sign-in needs no Rasa); outside demo mode start-up needs a
reachable SMTP server, so a listening socket stands in for one."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from bot.config.settings import load_settings
from bot.desk.auth import COOKIE, make_session
from bot.ops.demo_data import DEMO_AGENT
from tests.support.environment import ROOT
from tests.support.servers import free_port, wait_for

SECRET = "desk-signin-test-secret-" + "x" * 16
PER_USERNAME = 5  # bot/policy.yml desk_signin_failures_per_username
PER_ADDRESS = 20  # bot/policy.yml desk_signin_failures_per_address
WINDOW_MINUTES = 15  # the first lock (desk_signin_backoff_seconds) is within it


@pytest.fixture
def env(tmp_path: Path, smtp_port: int) -> dict[str, str]:
    """A database with the demo data loaded in demo mode (the demo agent exists) and
    one real agent, marie."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'accounts.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "SECRET_KEY": SECRET,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "LISTEN_HOST": "127.0.0.1",
    }
    for command in (["migrate"], ["seed-demo"]):
        subprocess.run(
            [sys.executable, "-m", "bot", *command],
            env={**environment, "DEMO": "true"}, cwd=ROOT, check=True,
        )  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "bot", "create-agent", "marie", "--password-stdin"],
        input="marie-desk-password-1\n", text=True, env=environment, cwd=ROOT, check=True,
    )  # fmt: skip
    return environment


@contextmanager
def running_desk(env: dict[str, str], workdir: Path, *, demo: bool) -> Iterator[str]:
    port = free_port()
    log = workdir / f"desk-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "desk"],
        env={**env, "DESK_PORT": str(port), "DEMO": "true" if demo else "false"},
        cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/health", process, log, timeout=60)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def sign_in(desk: str, username: str, password: str) -> requests.Response:
    return requests.post(
        f"{desk}/login", data={"username": username, "password": password},
        allow_redirects=False, timeout=30,
    )  # fmt: skip


def reply(response: requests.Response) -> tuple[int, str | None, str, bool]:
    """What an attacker can compare between two answers."""
    return (
        response.status_code,
        response.headers.get("Location"),
        response.text,
        COOKIE in response.cookies,
    )


def test_the_demo_agent_exists_only_in_demo_mode(env: dict[str, str], tmp_path: Path) -> None:
    username, _, password = DEMO_AGENT
    with running_desk(env, tmp_path, demo=True) as desk:
        assert sign_in(desk, username, password).headers["Location"] == "/"
    with running_desk(env, tmp_path, demo=False) as desk:
        # left in the database by an earlier demo run, it still cannot sign in...
        refused = sign_in(desk, username, password)
        assert reply(refused) == reply(sign_in(desk, "nobody-here", password))
        assert refused.headers["Location"] == "/login?failed=1"
        # ...nor use a session cookie signed while demo mode was on
        settings = load_settings(env_file=None, environ={**env, "DEMO": "false"})
        cookie = {COOKIE: make_session(settings, username)}
        assert requests.get(f"{desk}/api/me", cookies=cookie, timeout=10).status_code == 401
        marie = sign_in(desk, "marie", "marie-desk-password-1")
        assert marie.headers["Location"] == "/" and COOKIE in marie.cookies


def test_guessing_a_password_is_stopped_even_with_the_right_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The attack: 30 wrong passwords, then the right one within 3 s, signed in."""
    with running_desk(env, tmp_path, demo=False) as desk:
        wrong = [sign_in(desk, "marie", f"guess-{n}") for n in range(PER_USERNAME)]
        unknown = [sign_in(desk, "ghost", f"guess-{n}") for n in range(PER_USERNAME)]
        # one answer for an unknown name and a wrong password
        failed = (302, "/login?failed=1", "302: Found", False)
        assert {reply(r) for r in wrong + unknown} == {failed}
        locked = sign_in(desk, "marie", "marie-desk-password-1")
        locked_unknown = sign_in(desk, "ghost", "whatever-password")
    assert reply(locked) == reply(locked_unknown)
    assert locked.status_code == 429 and COOKIE not in locked.cookies
    minutes = re.search(r"try again in (\d+) minutes?", locked.text)
    assert minutes and 1 <= int(minutes.group(1)) <= WINDOW_MINUTES
    # Retry-After in seconds, the page in whole minutes rounded up
    assert (int(minutes.group(1)) - 1) * 60 < int(locked.headers["Retry-After"])
    assert int(locked.headers["Retry-After"]) <= int(minutes.group(1)) * 60

    # counted in the database: a restarted desk still refuses
    with running_desk(env, tmp_path, demo=False) as desk:
        assert sign_in(desk, "marie", "marie-desk-password-1").status_code == 429


def test_guessing_many_names_from_one_address_is_stopped(
    env: dict[str, str], tmp_path: Path
) -> None:
    with running_desk(env, tmp_path, demo=False) as desk:
        for n in range(PER_ADDRESS):
            # a different name each time: the per-name limit never triggers
            assert sign_in(desk, f"name-{n}", secrets.token_hex(8)).status_code == 302
        refused = sign_in(desk, "marie", "marie-desk-password-1")
        assert refused.status_code == 429 and COOKIE not in refused.cookies
