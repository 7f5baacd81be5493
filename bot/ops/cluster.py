"""The production profile on one machine: several Rasa and action servers behind HAProxy.

`python -m bot run-prod` (`make run-prod`) renders HAProxy's configuration
(`deploy/haproxy/haproxy.cfg.j2`) from the settings, writes a Procfile for
RASA_SERVERS Rasa servers, ACTION_SERVERS action servers, HAProxy, the desk and the
site, and hands it to honcho (Ctrl-C stops them all). HAProxy listens on RASA_PORT and
ACTION_PORT; the servers on the ports just above. Every process runs the same code
and settings as `make run`; only the ports differ. Without DEMO and without SMTP_HOST,
mail goes to a local sink that discards it (bot/ops/mail_sink.py), and says so.
"""

from __future__ import annotations

import shlex
import shutil
import socket
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

from bot.config.settings import PROJECT_ROOT, VAR_DIR, Settings, SettingsError
from bot.ops.mail_sink import HOST as SINK_HOST
from bot.ops.mail_sink import LABEL as SINK_LABEL

HAPROXY_TEMPLATE = PROJECT_ROOT / "deploy" / "haproxy" / "haproxy.cfg.j2"
PYTHON = ".venv/bin/python"


@dataclass(frozen=True)
class Topology:
    rasa_ports: tuple[int, ...]
    action_ports: tuple[int, ...]


def topology(settings: Settings) -> Topology:
    """Each server's port: just above the port HAProxy listens on for its kind."""
    rasa = tuple(settings.rasa_port + i for i in range(1, settings.rasa_servers + 1))
    actions = tuple(settings.action_port + i for i in range(1, settings.action_servers + 1))
    taken = {settings.site_port, settings.desk_port, settings.rasa_port, settings.action_port}
    clash = (set(rasa) | set(actions)) & taken or set(rasa) & set(actions)
    if clash or max(rasa + actions) > 65535:
        raise SettingsError(
            "RASA_SERVERS",
            f"the servers' ports {rasa + actions} overlap another port; move RASA_PORT or "
            "ACTION_PORT",
        )
    return Topology(rasa, actions)


@dataclass(frozen=True)
class MailSink:
    """Where run-prod's processes send mail when no SMTP server was configured."""

    host: str
    port: int

    def apply(self, settings: Settings) -> Settings:
        return replace(settings, smtp_host=self.host, smtp_port=self.port, smtp_starttls=False)

    def environment(self) -> dict[str, str]:
        return {"SMTP_HOST": self.host, "SMTP_PORT": str(self.port), "SMTP_STARTTLS": "false"}


def mail_sink(settings: Settings, configured: Collection[str]) -> MailSink | None:
    """A sink on a free loopback port when mail goes by SMTP and SMTP_HOST was never set."""
    if settings.mail_backend != "smtp" or "SMTP_HOST" in configured:
        return None
    with socket.socket() as probe:
        probe.bind((SINK_HOST, 0))
        return MailSink(SINK_HOST, probe.getsockname()[1])


def haproxy_config(settings: Settings, stats_socket: Path | None = None) -> str:
    from jinja2 import Environment, StrictUndefined

    servers = topology(settings)
    template = Environment(undefined=StrictUndefined, keep_trailing_newline=True).from_string(
        HAPROXY_TEMPLATE.read_text(encoding="utf-8")
    )
    return template.render(
        listen_host=settings.listen_host,
        rasa_port=settings.rasa_port,
        action_port=settings.action_port,
        rasa_ports=servers.rasa_ports,
        action_ports=servers.action_ports,
        stats_socket=str(stats_socket) if stats_socket else "",
    )


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if not found:
        raise SettingsError("haproxy", "not installed; make haproxy installs Debian's package")
    return found


def procfile(settings: Settings, haproxy_cfg: Path, sink: MailSink | None = None) -> str:
    """One line per process; each server gets its own port through its environment."""
    servers = topology(settings)
    haproxy = f"exec {shlex.quote(haproxy_binary())} -db -f {shlex.quote(str(haproxy_cfg))}"
    lines = [f"haproxy: {haproxy}"]
    for number, port in enumerate(servers.rasa_ports, 1):
        lines.append(f"rasa{number}: RASA_PORT={port} exec {PYTHON} -m bot serve rasa")
    for number, port in enumerate(servers.action_ports, 1):
        lines.append(f"actions{number}: ACTION_PORT={port} exec {PYTHON} -m bot serve actions")
    lines += [f"desk: exec {PYTHON} -m bot serve desk", f"site: exec {PYTHON} -m bot serve site"]
    lines += mail_processes(sink)
    return "\n".join(lines) + "\n"


def mail_processes(sink: MailSink | None) -> list[str]:
    """The mail worker (idle with the demo outbox) and, without an SMTP server, the sink."""
    if not sink:
        return [f"mail: exec {PYTHON} -m bot serve mail"]
    sink_module = f"{PYTHON} -m bot.ops.mail_sink"
    return [  # the worker checks its SMTP server at start: after the sink is up
        f"mail: {sink_module} --wait-for {sink.port} && exec {PYTHON} -m bot serve mail",
        f"mailsink: exec {sink_module} --port {sink.port}",
    ]


def missing_shared_stores(settings: Settings) -> list[str]:
    """Settings that must point at shared services when more than one server runs."""
    problems = []
    for name, url in (
        ("DATABASE_URL", settings.database_url),
        ("TRACKER_STORE_URL", settings.tracker_store_url),
    ):
        if url.startswith("sqlite"):
            problems.append(f"{name} (SQLite is one machine's file; use PostgreSQL)")
    if not settings.lock_store_url.startswith("redis"):
        problems.append("LOCK_STORE_URL (memory:// locks only one process; use redis://)")
    if settings.rasa_servers > 1 and not settings.socketio_manager_url:
        problems.append("SOCKETIO_MANAGER_URL (agents would reach only some widgets)")
    return problems


def write_profile(settings: Settings, sink: MailSink | None = None) -> Path:
    """Write var/haproxy.cfg and var/Procfile.prod; return the Procfile."""
    problems = missing_shared_stores(settings)
    if problems:
        raise SettingsError("run-prod", "needs shared services: " + "; ".join(problems))
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    config = VAR_DIR / "haproxy.cfg"
    config.write_text(haproxy_config(settings), encoding="utf-8")
    path = VAR_DIR / "Procfile.prod"
    path.write_text(procfile(settings, config, sink), encoding="utf-8")
    return path


def urls(settings: Settings, sink: MailSink | None = None) -> list[str]:
    servers = topology(settings)
    rasa = ", ".join(str(port) for port in servers.rasa_ports)
    actions = ", ".join(str(port) for port in servers.action_ports)
    return [
        f"Support site + chat: http://localhost:{settings.site_port}/",
        f"Agent desk:          http://localhost:{settings.desk_port}/",
        f"Rasa (HAProxy):      http://localhost:{settings.rasa_port}/webhooks/rest/webhook"
        f"  -> {settings.rasa_servers} Rasa servers on {rasa}",
        f"Actions (HAProxy):   http://localhost:{settings.action_port}/webhook"
        f"  -> {settings.action_servers} action servers on {actions}",
        f"Event broker:        {without_password(settings.event_broker_url) or 'none'}"
        f" (queue {settings.event_broker_queue})",
        f"Mail:                {SINK_LABEL} on {sink.host}:{sink.port}: every mail is "
        "discarded, nobody receives codes or reset links (set SMTP_HOST to send)"
        if sink
        else f"Mail:                SMTP {settings.smtp_host}:{settings.smtp_port}"
        if settings.mail_backend == "smtp"
        else "Mail:                the demo outbox (/outbox)",
    ]


def without_password(url: str) -> str:
    """A redis:// or amqp:// URL for messages: its password replaced by ***."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if not parts.password:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)
