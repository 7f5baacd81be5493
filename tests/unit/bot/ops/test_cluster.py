"""make run-prod's plan, without starting anything: ports, the shared services it
insists on, the settings that name a broker or a socket.io manager."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config.settings import PROJECT_ROOT, SettingsError, load_settings
from bot.ops.cluster import mail_processes, mail_sink, procfile, topology, urls, write_profile
from bot.rasa.event_broker import broker_arguments
from bot.services.mail.queue import Mail, smtp_mailer_from_settings

SHARED = {
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
    "TRACKER_STORE_URL": "postgresql://postgres@127.0.0.1:5432/test",
    "LOCK_STORE_URL": "redis://127.0.0.1:6379/1",
    "SOCKETIO_MANAGER_URL": "redis://127.0.0.1:6379/2",
}


def settings(**values: str):
    return load_settings(env_file=None, environ={**SHARED, **values})


def test_servers_listen_just_above_haproxy_and_each_gets_its_own_port() -> None:
    plan = topology(settings(RASA_SERVERS="3", ACTION_SERVERS="2"))
    assert plan.rasa_ports == (5006, 5007, 5008)
    assert plan.action_ports == (5056, 5057)
    lines = procfile(settings(RASA_SERVERS="3", ACTION_SERVERS="2"), Path("haproxy.cfg"))
    assert sum(line.startswith("rasa") for line in lines.splitlines()) == 3
    assert "rasa3: RASA_PORT=5008 " in lines and "actions2: ACTION_PORT=5057 " in lines


def test_server_ports_that_would_collide_are_refused() -> None:
    with pytest.raises(SettingsError, match="RASA_SERVERS"):
        topology(settings(RASA_PORT="5005", ACTION_PORT="5007", RASA_SERVERS="3"))


@pytest.mark.parametrize(
    "name,value",
    [
        ("TRACKER_STORE_URL", "sqlite:///var/tracker.db"),
        ("DATABASE_URL", "sqlite:///var/accounts.db"),
        ("LOCK_STORE_URL", "memory://"),
        ("SOCKETIO_MANAGER_URL", ""),
    ],
)
def test_run_prod_refuses_stores_that_one_process_keeps_to_itself(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        write_profile(settings(**{name: value}))


@pytest.mark.parametrize(
    "name,value",
    [
        ("EVENT_BROKER_URL", "http://127.0.0.1:5672/"),
        ("SOCKETIO_MANAGER_URL", "amqp://127.0.0.1/"),
        ("RASA_SERVERS", "0"),
        ("ACTION_SERVERS", "many"),
        ("RASA_API_URL", "rasa:5005"),
    ],
)
def test_bad_scale_out_settings_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        settings(**{name: value})


def test_broker_url_gives_credentials_and_a_queue_with_its_own_exchange() -> None:
    arguments = broker_arguments("amqp://user:p%40ss@rabbit:5673/vhost", "events_a")
    assert (arguments["username"], arguments["password"], arguments["port"]) == (
        "user", "p@ss", 5673,
    )  # fmt: skip
    assert arguments["queues"] == ["events_a"] and arguments["exchange_name"] == "events_a"


# --- make run-prod is not the demo: its mail goes somewhere ----------------------------


def test_make_run_prod_leaves_demo_mode_off() -> None:
    """DEMO publishes codes on /outbox and a known desk password: run-prod must not default
    to it (the Dockerfile-style LISTEN_HOST=0.0.0.0 would then be refused anyway)."""
    environment = {name: value for name, value in os.environ.items() if name != "DEMO"}
    plan = subprocess.run(
        ["make", "-pn", "run-prod"], cwd=PROJECT_ROOT, env=environment,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "run-prod: LOCK_STORE_URL = " in plan.stdout, plan.stderr  # the plan was read
    assert not re.search(r"^run-prod: DEMO = ", plan.stdout, re.MULTILINE)


def test_run_prod_without_an_smtp_server_sends_mail_to_a_local_sink() -> None:
    plan = settings()  # DEMO off, SMTP_HOST left to its default
    sink = mail_sink(plan, configured=set(SHARED))
    assert sink is not None and sink.host == "127.0.0.1"
    routed = sink.apply(plan)
    assert (routed.smtp_host, routed.smtp_port) == ("127.0.0.1", sink.port)
    assert sink.environment() == {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port), "SMTP_STARTTLS": "false",
    }  # fmt: skip
    sink_module = ".venv/bin/python -m bot.ops.mail_sink"
    assert mail_processes(sink) == [
        f"mail: {sink_module} --wait-for {sink.port} && exec .venv/bin/python -m bot serve mail",
        f"mailsink: exec {sink_module} --port {sink.port}",
    ]
    assert any("LOCAL MAIL SINK" in line and "discarded" in line for line in urls(routed, sink))
    written = procfile(routed, Path("haproxy.cfg"), sink).splitlines()
    assert set(mail_processes(sink)) <= set(written)


def test_run_prod_with_an_smtp_server_or_in_demo_mode_starts_no_sink() -> None:
    assert mail_sink(settings(SMTP_HOST="127.0.0.1"), configured={"SMTP_HOST"}) is None
    assert mail_sink(settings(DEMO="1"), configured=set()) is None
    # the worker sends what is queued; no sink
    assert mail_processes(None) == ["mail: exec .venv/bin/python -m bot serve mail"]


def test_the_local_sink_accepts_mail_and_keeps_neither_address_nor_code() -> None:
    sink = mail_sink(settings(), configured=set())
    assert sink is not None
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.ops.mail_sink", "--port", str(sink.port)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        waited = [sys.executable, "-m", "bot.ops.mail_sink", "--wait-for", str(sink.port)]
        assert subprocess.run(waited, cwd=PROJECT_ROOT, timeout=90).returncode == 0
        mailer = smtp_mailer_from_settings(sink.apply(settings()))
        mailer.send(Mail("mario.rossi@example.it", "Codice", "Il tuo codice: 482913"))
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert "LOCAL MAIL SINK" in output and "m***@example.it" in output, output
    assert "mario.rossi" not in output and "482913" not in output
    with socket.socket() as probe:  # loopback only
        assert probe.connect_ex(("127.0.0.2", sink.port)) != 0
