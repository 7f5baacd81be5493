"""No agent message lost (issue #25), in a real browser: the customer chats on the
support site, an agent claims the ticket on the real desk, the customer goes to
another page, the agent writes, the customer comes back and sees each message once,
in order (delivery.test.mjs, two browser contexts). Over one Rasa server, and across
two Rasa servers behind HAProxy (PostgreSQL, Redis, RabbitMQ: tests/scaleout), where
the agent writes through each server in turn, so one of the messages is always
written by the server that does not hold the customer's socket.

Skipped with a printed reason when node, chromium, web/node_modules (or, for the
cluster, HAProxy) are missing, unless REQUIRE_SERVICES=1."""

from __future__ import annotations

import contextlib
import secrets
import string
import subprocess
import sys
from collections.abc import Mapping

import pytest

from tests.browser.support import (
    ROOT,
    TICKET_WAIT,
    agent_wait_request,
    run_driver,
)
from tests.scaleout.conftest import Cluster, cluster
from tests.support.desk_client import open_widget_ticket
from tests.support.servers import Assistant, Desk, run_desk, run_site

pytestmark = pytest.mark.slow
__all__ = ["cluster"]  # the fixture

DRIVER = ROOT / "tests" / "browser" / "delivery.test.mjs"
SCREENSHOTS = ROOT / "reports" / "browser"


def marker() -> str:
    """Letters only: the scrubbing of stored messages leaves them as they are."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))


def lost_message_path(site: str, desks: list[Desk], env: Mapping[str, str]) -> str:
    """Run the driver; the ticket is written for the customer's conversation when it asks."""
    problems: list[str] = []

    def on_line(line: str) -> None:
        request = agent_wait_request(line, TICKET_WAIT)
        if request is None:
            return
        try:
            reason = f"vorrei parlare con una persona ({request['marker']})"
            open_widget_ticket(env, request["session_id"], reason=reason)
        except Exception as error:  # reported below: the driver then times out waiting
            problems.append(repr(error))

    agent = desks[0]
    status, output = run_driver(
        [
            "--site", site,
            "--desks", ",".join(desk.url for desk in desks),
            "--agent", f"{agent.agent}:{agent.password}",
            "--marker", marker(),
            "--out", str(SCREENSHOTS),
        ],
        on_line,
        timeout=600,
        driver=DRIVER,
    )  # fmt: skip
    print(output)
    assert not problems, problems
    assert status == 0, f"the browser run failed:\n{output[-4000:]}"
    return output


def test_a_message_sent_while_the_customer_was_away_is_shown_once_on_return(
    browser_tools: None,
    assistant: Assistant,
    desk: Desk,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    workdir = tmp_path_factory.mktemp("delivery-site")
    for site in run_site(assistant.env, workdir, int(assistant.env["RASA_PORT"])):
        output = lost_message_path(site, [desk], assistant.env)
        assert "each agent message shown once after coming back" in output


def test_across_two_rasa_servers_behind_haproxy(
    browser_tools: None, cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The widget reaches Rasa through HAProxy (socket.io balanced by client address,
    so one server holds its socket); a desk per Rasa server, the agent writing from
    both: the message written on the other server must reach the widget too."""
    workdir = tmp_path_factory.mktemp("delivery-cluster")
    agent, password = f"marie-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    subprocess.run(
        [sys.executable, "-m", "bot", "create-agent", agent, "--name", "Marie",
         "--languages", "it,fr,en", "--password-stdin"],
        input=password + "\n", text=True, env=cluster.env, cwd=ROOT, check=True,
    )  # fmt: skip
    proxy_port = int(cluster.proxy.rsplit(":", 1)[1])
    before = sockets_per_server(cluster)
    with contextlib.ExitStack() as stack:
        desks = [
            stack.enter_context(
                contextlib.contextmanager(run_desk)(
                    {**cluster.env, "RASA_API_URL": server}, workdir, agent, password
                )
            )
            for server in cluster.servers
        ]
        site = stack.enter_context(
            contextlib.contextmanager(run_site)(cluster.env, workdir, proxy_port)
        )
        output = lost_message_path(site, desks, cluster.env)
    assert "each agent message shown once after coming back" in output
    after = sockets_per_server(cluster)
    # the widget's socket.io requests went through HAProxy to the servers
    assert sum(after.values()) > sum(before.values())


def sockets_per_server(cluster: Cluster) -> dict[str, int]:
    """HAProxy's count of socket.io sessions per Rasa server (backend rasa_sockets)."""
    stats = cluster.haproxy_stats()
    return {
        server: int(row.get("stot") or 0)
        for (backend, server), row in stats.items()
        if backend == "rasa_sockets" and server.startswith("rasa")
    }
