"""Round 2 at the settings edge: every process started with a dangerous combination stops
with one line (no traceback, nothing listening), and a Redis that requires a password
is reached with redis://:password@host while a wrong password is named without it.

Everything runs for real: `python -m bot ...` subprocesses and a private redis-server
started here with `requirepass`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.config.settings import PROJECT_ROOT, load_settings
from bot.ops.cli import rasa_environment
from bot.rasa.lock_store import RedisTicketLockStore
from tests.support.environment import require_service
from tests.support.servers import free_port

REDIS_PASSWORD = "r3d1s p@ss/word:#1"  # every character a URL must escape


def _environment(tmp_path: Path, **values: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k not in ("DEMO", "LISTEN_HOST")}
    return {
        **inherited,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 't.db'}",
        "SECRET_KEY": "k" * 40,
        **values,
    }


def _bot(tmp_path: Path, *command: str, **values: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *command],
        cwd=PROJECT_ROOT, env=_environment(tmp_path, **values),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _one_line(result: subprocess.CompletedProcess[str], variable: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"configuration error: {variable}:"), lines[0]
    return lines[0]


BAD = {
    "demo on every interface": ({"DEMO": "1", "LISTEN_HOST": "0.0.0.0"}, "DEMO"),
    "demo on every IPv6 interface": ({"DEMO": "true", "LISTEN_HOST": "::"}, "DEMO"),
    "demo on a LAN address": ({"DEMO": "yes", "LISTEN_HOST": "10.1.2.3"}, "DEMO"),
    "remote SMTP in clear": (
        {"DEMO": "false", "SMTP_HOST": "smtp.example.com", "SMTP_PORT": "587"},
        "SMTP_STARTTLS",
    ),
    "reset links over http": (
        {"DEMO": "false", "RESET_PAGE_URL": "http://help.example.com/reset-password"},
        "RESET_PAGE_URL",
    ),
    "tickets over http": (
        {
            "DEMO": "false",
            "WEBHOOK_URL": "http://helpdesk.example.com/hooks/support",
            "WEBHOOK_SECRET": "w" * 24,
        },
        "WEBHOOK_URL",
    ),
}


@pytest.fixture(scope="module")
def smtp_listener() -> Iterator[int]:
    """Something listening on this machine like an SMTP server (start-up only connects),
    so that each case is refused for its own reason, not for unreachable mail."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.mark.parametrize("case", list(BAD))
def test_bot_check_refuses_each_dangerous_combination_in_one_line(
    case: str, smtp_listener: int, tmp_path: Path
) -> None:
    values, variable = BAD[case]
    local_mail = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_listener)}
    _one_line(_bot(tmp_path, "check", **{**local_mail, **values}), variable)


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_demo_site_never_opens_its_outbox_on_every_interface(tmp_path: Path) -> None:
    """The attack: the site with DEMO=1 and LISTEN_HOST=0.0.0.0 would publish /outbox
    (every code and reset link) to the network. It must stop before listening."""
    port = free_port()
    values = {"DEMO": "1", "LISTEN_HOST": "0.0.0.0", "SITE_PORT": str(port)}
    site = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "site"],
        cwd=PROJECT_ROOT, env=_environment(tmp_path, **values),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while site.poll() is None and time.monotonic() < deadline:
            assert not _accepts(port), "the demo site listens on 0.0.0.0"
            time.sleep(0.2)
    finally:
        if site.poll() is None:
            site.kill()
        _, stderr = site.communicate(timeout=20)
    assert site.returncode == 2 and not _accepts(port)
    assert stderr.strip().splitlines()[-1].startswith("configuration error: DEMO:"), stderr


# --- a Redis that requires a password (deploy/k8s/redis.yaml) ------------------------


@pytest.fixture(scope="module")
def password_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    binary = shutil.which("redis-server")
    if not binary:
        require_service("redis-server", "not installed")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "-", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert server.stdin is not None
    server.stdin.write(f'requirepass "{REDIS_PASSWORD}"\n')  # not in argv, as in the pod
    server.stdin.close()
    try:
        deadline = time.monotonic() + 20
        while not _accepts(port):
            assert time.monotonic() < deadline and server.poll() is None, "redis did not start"
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def _redis_url(port: int, password: str, db: int) -> str:
    return f"redis://:{quote(password, safe='')}@127.0.0.1:{port}/{db}"


def test_servers_reach_a_password_redis_and_a_wrong_password_is_named_without_it(
    password_redis: int, tmp_path: Path
) -> None:
    good = {
        "DEMO": "1",
        "LOCK_STORE_URL": _redis_url(password_redis, REDIS_PASSWORD, 1),
        "SOCKETIO_MANAGER_URL": _redis_url(password_redis, REDIS_PASSWORD, 2),
    }
    checked = _bot(tmp_path, "check", **good)
    assert checked.returncode == 0, checked.stderr
    wrong = {**good, "LOCK_STORE_URL": _redis_url(password_redis, "guessed-password", 1)}
    line = _one_line(_bot(tmp_path, "check", **wrong), "LOCK_STORE_URL")
    assert "guessed-password" not in line and "guessed" not in line
    nothing = {**good, "LOCK_STORE_URL": f"redis://127.0.0.1:{password_redis}/1"}
    _one_line(_bot(tmp_path, "check", **nothing), "LOCK_STORE_URL")


def test_rasa_takes_conversation_locks_in_a_password_redis(password_redis: int) -> None:
    """What `serve rasa` hands Rasa (endpoints.yml's lock_store) from the URL."""
    settings = load_settings(
        env_file=None,
        environ={
            "SECRET_KEY": "k" * 40,
            "LOCK_STORE_URL": _redis_url(password_redis, REDIS_PASSWORD, 1),
        },
    )
    env = rasa_environment(settings, base={})
    store = RedisTicketLockStore(
        host=env["LOCK_STORE_HOST"], port=int(env["LOCK_STORE_PORT"]),
        db=int(env["LOCK_STORE_DB"]), password=env["LOCK_STORE_PASSWORD"],
    )  # fmt: skip

    async def take() -> str:
        async with store.lock("round2-conversation") as lock:
            return lock.conversation_id

    assert asyncio.run(take()) == "round2-conversation"


def test_an_agent_message_reaches_other_servers_through_a_password_redis(
    password_redis: int,
) -> None:
    """The socket.io manager (SOCKETIO_MANAGER_URL) publishes with the password."""
    import redis.asyncio
    from socketio import AsyncRedisManager

    from bot.channels.shared_sockets import CHANNEL

    url = _redis_url(password_redis, REDIS_PASSWORD, 2)

    async def publish_and_listen() -> bytes:
        listener = redis.asyncio.Redis.from_url(url)
        pubsub = listener.pubsub()
        await pubsub.subscribe(CHANNEL)
        await pubsub.get_message(timeout=1)  # the subscribe confirmation
        manager = AsyncRedisManager(url, channel=CHANNEL, write_only=True)
        await manager._publish({"method": "emit", "event": "bot_uttered", "room": "r"})
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
        await pubsub.close()
        await listener.close()
        assert message is not None
        return message["data"]

    assert b"bot_uttered" in asyncio.run(publish_and_listen())
