"""Starting our servers for tests and benchmarks: free ports, waiting for a server to
answer, the Rasa + action server pair (with the mail worker), the agent desk, and
stopping processes (terminate, wait 20 s, kill)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

from bot.config.settings import load_settings
from bot.ops.cli import rasa_environment
from tests.support.environment import ROOT


def stop(processes: Iterable[subprocess.Popen]) -> None:
    """Ask every process to stop, give each 20 s, then kill what is left."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not start in {timeout}s:\n{log.read_text()[-3000:]}")


@dataclass
class Assistant:
    """A running Rasa server + action server pair (and the mail worker)."""

    rasa_url: str
    env: dict[str, str]
    workdir: Path | None = None  # where its processes' logs are
    pids: dict[str, int] = field(default_factory=dict)  # process name -> pid (bench/load.py)

    def send(self, sender: str, message: str, **metadata: str) -> list[dict]:
        body: dict = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        response = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def texts(self, sender: str, message: str, **metadata: str) -> str:
        return "\n".join(m.get("text", "") for m in self.send(sender, message, **metadata))


def start_assistant(
    model: Path, workdir: Path, settings: dict[str, str], *, start_timeout: float | None = None
) -> Iterator[Assistant]:
    rasa_port, action_port = free_port(), free_port()
    env = {
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "LISTEN_HOST": "127.0.0.1",
        # the site the browser tests start: Rasa lets only its origin in (ALLOWED_ORIGINS)
        "SITE_PORT": str(free_port()),
        "DEMO": "true",
        "MODEL_DIR": str(model.parent),
        **settings,
    }
    subprocess.run([sys.executable, "-m", "bot", "migrate"], env=env, cwd=ROOT, check=True)
    subprocess.run([sys.executable, "-m", "bot", "seed-demo"], env=env, cwd=ROOT, check=True)
    processes = []
    try:
        for name, url in (
            ("actions", f"http://127.0.0.1:{action_port}/health"),
            ("rasa", f"http://127.0.0.1:{rasa_port}/"),
        ):
            log = workdir / f"{name}.log"
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", name],
                cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            )  # fmt: skip
            processes.append(process)
            # TEST_START_TIMEOUT: seconds to wait for a server on a busy machine (default 180)
            timeout = start_timeout or float(os.environ.get("TEST_START_TIMEOUT", "180"))
            wait_for(url, process, log, timeout)
        # the mail worker has no HTTP side: started, not waited for (it sends queued rows)
        log = workdir / "mail.log"
        mail_worker = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "mail"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append(mail_worker)
        rasa_env = rasa_environment(load_settings(environ=env), base=env)
        pids = {"actions": processes[0].pid, "rasa": processes[1].pid}
        yield Assistant(f"http://127.0.0.1:{rasa_port}", rasa_env, workdir, pids)
    finally:
        stop(processes)


def always_open_policy(workdir: Path) -> Path:
    """The shipped policy with support open round the clock, so a handoff in a test
    reaches a person whatever the hour CI runs at (hours are tested in services)."""
    policy = yaml.safe_load((ROOT / "bot" / "policy.yml").read_text(encoding="utf-8"))
    for team in policy["support_hours"].values():
        team.update(days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open="00:00")
        team["close"] = "24:00"
    path = workdir / "policy.yml"
    path.write_text(yaml.safe_dump(policy), encoding="utf-8")
    return path


WEBHOOK_SECRET = "webhook-secret-for-the-tests"


@dataclass
class Desk:
    """A running agent desk, talking to the `assistant` fixture's Rasa server."""

    url: str
    agent: str
    password: str


def start_desk(
    assistant: Assistant, workdir: Path, agent: str, name: str, languages: str
) -> Iterator[Desk]:
    """Create an agent and run the desk against `assistant`'s Rasa server."""
    password = secrets.token_urlsafe(12)
    subprocess.run(
        [sys.executable, "-m", "bot", "create-agent", agent, "--name", name,
         "--languages", languages, "--password-stdin"],
        input=password + "\n", text=True, env=assistant.env, cwd=ROOT, check=True,
    )  # fmt: skip
    yield from run_desk(assistant.env, workdir, agent, password)


def run_desk(env: dict[str, str], workdir: Path, agent: str, password: str) -> Iterator[Desk]:
    """The desk with these settings (RASA_API_URL: which Rasa server it calls), for an
    agent who exists already."""
    port = free_port()
    log = workdir / f"desk-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "desk"],
        cwd=ROOT, env={**env, "DESK_PORT": str(port)}, stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/health", process, log)
        yield Desk(f"http://127.0.0.1:{port}", agent, password)
    finally:
        stop([process])


def run_site(env: dict[str, str], workdir: Path, rasa_port: int) -> Iterator[str]:
    """The support site (`python -m bot.site`) on SITE_PORT of `env` (the origin Rasa lets
    open the widget's socket), its pages pointing the widget at `rasa_port`; its URL."""
    log = workdir / "site.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.site"],
        cwd=ROOT, env={**env, "RASA_PORT": str(rasa_port)}, stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{env['SITE_PORT']}"
        wait_for(f"{url}/", process, log)
        yield url
    finally:
        stop([process])
