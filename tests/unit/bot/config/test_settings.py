"""Settings: embedded defaults, and bad values stop start-up with one clear line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config.settings import PROJECT_ROOT, SettingsError, load_settings


def test_defaults_run_embedded_without_env_file(tmp_path: Path, monkeypatch) -> None:
    for name in ("DATABASE_URL", "TRACKER_STORE_URL", "LOCK_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(tmp_path / "missing.env")
    assert settings.database_url.startswith("sqlite:///")
    assert settings.tracker_store_url.startswith("sqlite:///")
    assert settings.lock_store_url == "memory://"
    assert settings.rasa_port == 5005


def test_env_file_values_are_used(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("RASA_PORT", raising=False)
    env = tmp_path / ".env"
    env.write_text("RASA_PORT=6006\nDATABASE_URL=postgresql://u@db:5432/support\n")
    settings = load_settings(env)
    assert settings.rasa_port == 6006
    assert settings.database_url == "postgresql://u@db:5432/support"


@pytest.mark.parametrize(
    ("content", "variable"),
    [
        ("DATABASE_URL=mysql://root@localhost/x\n", "DATABASE_URL"),
        ("TRACKER_STORE_URL=mongodb://localhost\n", "TRACKER_STORE_URL"),
        ("RASA_PORT=fifty\n", "RASA_PORT"),
        ("ACTION_PORT=70000\n", "ACTION_PORT"),
        ("LOCK_STORE_URL=memcached://x\n", "LOCK_STORE_URL"),
        ("SMTP_STARTTLS=maybe\n", "SMTP_STARTTLS"),
        ("DATABSE_URL=sqlite:///x.db\n", "DATABSE_URL"),
        ('MAIL_FROM="never closed\n', "MAIL_FROM"),
        ("RASA_PORT=5005\njust some words\n", ".env line 2"),
        ("REST_TOKEN=shorter-than-32-characters\n", "REST_TOKEN"),
        ("TRUSTED_PROXIES=10.0.0.0/8, the-ingress\n", "TRUSTED_PROXIES"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, content: str, variable: str) -> None:
    env = tmp_path / ".env"
    env.write_text(content)
    with pytest.raises(SettingsError) as raised:
        load_settings(env)
    assert str(raised.value).startswith(f"{variable}:")


def _run_check(*options: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check", *options],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DATABASE_URL": "oracle://scott@localhost/orcl"}, "DATABASE_URL"),
        (
            {"TRACKER_STORE_URL": "postgresql://postgres@127.0.0.1:1/nowhere"},
            "TRACKER_STORE_URL",
        ),
        ({"LOCK_STORE_URL": "redis://127.0.0.1:1/1"}, "LOCK_STORE_URL"),
        ({"RASA_PORT": "http"}, "RASA_PORT"),
    ],
)
def test_startup_stops_with_one_line_not_a_traceback(
    env: dict[str, str], variable: str, tmp_path: Path
) -> None:
    defaults = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 't.db'}",
    }
    result = _run_check(**{**defaults, **env})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"configuration error: {variable}:")
    assert "Traceback" not in result.stderr


def test_make_run_names_a_port_already_taken(tmp_path: Path) -> None:
    """A second `make run` (or another program on 5005) gets one line, not four
    servers' stack traces."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        result = _run_check(
            "--ports",
            DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}",
            TRACKER_STORE_URL=f"sqlite:///{tmp_path / 't.db'}",
            DEMO="1",
            LISTEN_HOST="127.0.0.1",
            RASA_PORT=str(taken),
        )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"configuration error: RASA_PORT: port {taken} on 127.0.0.1 is in use (is the "
        f"assistant already running?); stop that process or set RASA_PORT to a free port"
    ]


def test_password_is_not_printed_when_database_is_unreachable() -> None:
    result = _run_check(DATABASE_URL="postgresql://app:s3cret-pw@127.0.0.1:1/db")
    assert result.returncode == 2
    assert "s3cret-pw" not in result.stderr
    assert "DATABASE_URL" in result.stderr


def test_relative_paths_are_taken_from_the_project(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("DATABASE_URL=sqlite:///var/x.db\nMODEL_DIR=models\n")
    settings = load_settings(env, environ={})
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'x.db'}"
    assert settings.model_dir == PROJECT_ROOT / "models"


# --- demo mode and mail -------------------------------------------------------------


def test_mail_goes_by_smtp_unless_demo_mode_is_on() -> None:
    assert load_settings(env_file=None, environ={}).mail_backend == "smtp"
    assert load_settings(env_file=None, environ={"DEMO": "true"}).mail_backend == "outbox"
    demo_smtp = load_settings(env_file=None, environ={"DEMO": "1", "MAIL_BACKEND": "smtp"})
    assert demo_smtp.mail_backend == "smtp"


def test_the_outbox_without_demo_mode_is_refused() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None, environ={"MAIL_BACKEND": "outbox", "DEMO": "false"})
    assert raised.value.variable == "MAIL_BACKEND"
    assert "DEMO" in str(raised.value)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("mail", "variable"),
    [
        ({"SMTP_PORT": "closed"}, "SMTP_HOST"),
        ({"SMTP_HOST": "no-such-host.invalid", "SMTP_STARTTLS": "true"}, "SMTP_HOST"),
        ({"MAIL_FROM": "support"}, "MAIL_FROM"),
        ({"MAIL_BACKEND": "outbox"}, "MAIL_BACKEND"),
    ],
)
def test_startup_refuses_an_unusable_mail_setting(
    mail: dict[str, str], variable: str, smtp_port: int, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 't.db'}",
        "DEMO": "false",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        **mail,
    }
    if env["SMTP_PORT"] == "closed":
        env["SMTP_PORT"] = str(_closed_port())
    result = _run_check(**env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"configuration error: {variable}:")


def test_startup_accepts_a_reachable_smtp_server(smtp_port: int, tmp_path: Path) -> None:
    result = _run_check(
        DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}",
        TRACKER_STORE_URL=f"sqlite:///{tmp_path / 't.db'}",
        DEMO="false",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
    )
    assert result.returncode == 0, result.stderr
    assert "SMTP" in result.stdout


@pytest.mark.parametrize(
    "origins", ["*", "http://help.example.com/page", "help.example.com", "https://*.example.com"]
)
def test_allowed_origins_must_be_exact_origins(origins: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None, environ={"ALLOWED_ORIGINS": origins})
    assert raised.value.variable == "ALLOWED_ORIGINS"


def test_allowed_origins_default_to_the_demo_site() -> None:
    settings = load_settings(env_file=None, environ={"SITE_PORT": "8123"})
    assert settings.allowed_origins == ("http://localhost:8123", "http://127.0.0.1:8123")
    custom = load_settings(
        env_file=None, environ={"ALLOWED_ORIGINS": "https://help.example.com, http://a.test:81"}
    )
    assert custom.allowed_origins == ("https://help.example.com", "http://a.test:81")


# --- what demo mode and plain-text links may reach ----------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "help.example.com", ""])
def test_demo_mode_is_refused_beyond_this_machine(host: str) -> None:
    """The demo publishes every code and reset link on /outbox: loopback only."""
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None, environ={"DEMO": "true", "LISTEN_HOST": host})
    assert raised.value.variable == "DEMO"
    assert "LISTEN_HOST" in str(raised.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost", "LOCALHOST"])
def test_demo_mode_runs_on_loopback(host: str) -> None:
    assert load_settings(env_file=None, environ={"DEMO": "1", "LISTEN_HOST": host}).demo


def test_demo_mode_through_the_cli_beyond_loopback_is_one_line(tmp_path: Path) -> None:
    result = _run_check(
        DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}",
        TRACKER_STORE_URL=f"sqlite:///{tmp_path / 't.db'}",
        DEMO="1",
        LISTEN_HOST="0.0.0.0",
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: DEMO:")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"SMTP_HOST": "mail.example.com", "SMTP_PORT": "587"}, "SMTP_STARTTLS"),
        ({"SMTP_HOST": "10.0.0.5", "SMTP_STARTTLS": "false"}, "SMTP_STARTTLS"),
        ({"RESET_PAGE_URL": "http://help.example.com/reset-password"}, "RESET_PAGE_URL"),
        (
            {"WEBHOOK_URL": "http://helpdesk.example.com/hook", "WEBHOOK_SECRET": "w" * 20},
            "WEBHOOK_URL",
        ),
    ],
)
def test_outside_demo_mode_nothing_secret_crosses_the_network_in_clear(
    values: dict[str, str], variable: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None, environ={"DEMO": "false", **values})
    assert raised.value.variable == variable


@pytest.mark.parametrize(
    "values",
    [
        {"SMTP_HOST": "mail.example.com", "SMTP_PORT": "587", "SMTP_STARTTLS": "true"},
        {"SMTP_HOST": "localhost"},
        {"SMTP_HOST": "127.0.0.1"},
        {"RESET_PAGE_URL": "https://help.example.com/reset-password"},
        {"RESET_PAGE_URL": "http://localhost:8000/reset-password"},
        {"WEBHOOK_URL": "https://helpdesk.example.com/hook", "WEBHOOK_SECRET": "w" * 20},
        {"WEBHOOK_URL": "http://127.0.0.1:9000/hook", "WEBHOOK_SECRET": "w" * 20},
    ],
)
def test_encrypted_or_local_mail_and_links_are_accepted(values: dict[str, str]) -> None:
    load_settings(env_file=None, environ={"DEMO": "false", **values})


# --- screenshots --------------------------------------------------------------------


def test_screenshots_are_kept_under_var_unless_told_otherwise(tmp_path: Path) -> None:
    assert load_settings(env_file=None, environ={}).upload_dir == PROJECT_ROOT / "var" / "uploads"
    chosen = load_settings(env_file=None, environ={"UPLOAD_DIR": str(tmp_path / "shots")})
    assert chosen.upload_dir == tmp_path / "shots"


@pytest.mark.parametrize(
    "directory",
    ["bot/site/static", "bot/site/static/uploads", "bot/desk/static/x", "web/dist",
     "var/../web/dist/uploads", str(PROJECT_ROOT / "bot" / "site" / "static" / "u")],
)  # fmt: skip
def test_an_upload_directory_a_web_server_publishes_is_refused(directory: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None, environ={"UPLOAD_DIR": directory})
    assert raised.value.variable == "UPLOAD_DIR"
