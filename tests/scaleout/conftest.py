"""The production profile for real: two Rasa servers and an action server on the real
PostgreSQL (trackers, accounts), Redis (locks, socket.io manager) and RabbitMQ (event
broker, a queue of this run only), with HAProxy in front (a config in tmp)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from bot.config.settings import load_settings
from bot.ops.cli import rasa_environment
from bot.ops.cluster import haproxy_config
from bot.services.conversation_ids import namespaced
from tests.support.environment import ROOT, require_service
from tests.support.rasa_api import api_headers
from tests.support.servers import free_port, stop, wait_for


def free_port_block(count: int) -> int:
    """A port whose `count` successors are free too, below the ephemeral range: the
    servers bind minutes later (after loading the model), and an ephemeral port may be
    taken meanwhile by any outgoing connection."""
    import random
    import socket

    while True:
        base = random.randrange(20000, 32000 - count)
        try:
            for port in range(base, base + count + 1):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue


def haproxy_or_skip() -> str:
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if not found:
        require_service("HAProxy", "not installed (make haproxy installs it)")
    return str(found)


@dataclass
class Cluster:
    servers: list[str]  # each Rasa server's own URL
    proxy: str  # HAProxy in front of them
    stats_socket: Path
    env: dict[str, str]
    queue: str
    rasa_processes: list[subprocess.Popen]  # in the order of `servers`

    def send(self, url: str, sender: str, message: str) -> list[dict]:
        response = requests.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    @staticmethod
    def rest_conversation(sender: str) -> str:
        """The conversation ID of a REST `sender` (channels namespace their IDs)."""
        return namespaced("rest", sender)

    def api_headers(self) -> dict[str, str]:
        return api_headers(self.env)

    def tracker(self, conversation: str, server: int = 0) -> dict:
        response = requests.get(
            f"{self.servers[server]}/conversations/{quote(conversation, safe=':')}/tracker",
            headers=self.api_headers(),
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def haproxy_stats(self) -> dict[tuple[str, str], dict[str, str]]:
        """(backend, server) -> HAProxy's counters for it (`show stat`)."""
        import socket

        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(str(self.stats_socket))
            connection.sendall(b"show stat\n")
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
        header, *rows = data.decode().strip().splitlines()
        names = header.lstrip("# ").split(",")
        table = {}
        for row in rows:
            values = dict(zip(names, row.split(","), strict=False))
            table[(values["pxname"], values["svname"])] = values
        return table


def _start(name: str, env: dict[str, str], workdir: Path) -> tuple[subprocess.Popen, Path]:
    log = workdir / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", name.rstrip("0123456789")],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    return process, log


def start_cluster(
    model_path: Path, workdir: Path, services: dict[str, str], rasa_servers: int = 2
) -> Iterator[Cluster]:
    """HAProxy, `rasa_servers` Rasa servers and one action server on `services`."""
    haproxy = haproxy_or_skip()
    rasa_port, action_port = free_port_block(rasa_servers), free_port_block(1)
    env = {
        **os.environ,
        "LISTEN_HOST": "127.0.0.1",
        "DEMO": "true",
        "MODEL_DIR": str(model_path.parent),
        "SITE_PORT": str(free_port()),
        "RASA_PORT": str(rasa_port),  # HAProxy; the servers are on the next ports
        "ACTION_PORT": str(action_port),
        "RASA_SERVERS": str(rasa_servers),
        "ACTION_SERVERS": "1",
        **services,
    }
    settings = load_settings(environ=env)
    stats_socket = workdir / "haproxy.sock"
    config = workdir / "haproxy.cfg"
    config.write_text(haproxy_config(settings, stats_socket), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "bot", "migrate"], env=env, cwd=ROOT, check=True)
    subprocess.run([sys.executable, "-m", "bot", "seed-demo"], env=env, cwd=ROOT, check=True)
    # the ports just above HAProxy's, as bot/ops/cluster.py gives them
    rasa_ports = [rasa_port + n for n in range(1, rasa_servers + 1)]
    servers = [f"http://127.0.0.1:{port}" for port in rasa_ports]
    processes: list[tuple[subprocess.Popen, Path, str]] = []
    try:
        log = workdir / "haproxy.log"
        proxy = subprocess.Popen(
            [haproxy, "-db", "-f", str(config)], stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        processes.append((proxy, log, ""))
        actions, log = _start("actions", {**env, "ACTION_PORT": str(action_port + 1)}, workdir)
        processes.append((actions, log, f"http://127.0.0.1:{action_port + 1}/health"))
        rasa_processes = []
        for number, port in enumerate(rasa_ports, 1):
            process, log = _start(f"rasa{number}", {**env, "RASA_PORT": str(port)}, workdir)
            processes.append((process, log, f"http://127.0.0.1:{port}/"))
            rasa_processes.append(process)
        for process, log, url in processes:
            if url:
                wait_for(url, process, log, timeout=480)
        wait_for(f"http://127.0.0.1:{rasa_port}/", proxy, workdir / "haproxy.log", timeout=15)
        yield Cluster(
            servers, f"http://127.0.0.1:{rasa_port}", stats_socket,
            rasa_environment(settings, base=env), env.get("EVENT_BROKER_QUEUE", ""),
            rasa_processes,
        )  # fmt: skip
    finally:
        stop(process for process, _, _ in processes)


@pytest.fixture(scope="session")
def cluster(
    model_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_url: str,
    redis_url: str,
    rabbitmq_url: str,
) -> Iterator[Cluster]:
    queue = f"test_events_{secrets.token_hex(4)}"
    services = {
        "DATABASE_URL": postgres_url,
        "TRACKER_STORE_URL": postgres_url,
        "LOCK_STORE_URL": redis_url,
        "SOCKETIO_MANAGER_URL": redis_url,
        "EVENT_BROKER_URL": rabbitmq_url,
        "EVENT_BROKER_QUEUE": queue,
    }
    try:
        yield from start_cluster(model_path, tmp_path_factory.mktemp("cluster"), services)
    finally:
        _delete_queue(rabbitmq_url, queue)


def _delete_queue(url: str, queue: str) -> None:
    import asyncio

    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)
            await channel.exchange_delete(queue)

    try:
        asyncio.run(delete())
    except Exception as error:  # the queue may never have been declared
        print(f"could not delete RabbitMQ queue {queue}: {error}")
