"""One place for configuration: environment variables, optionally from `.env`.

With no `.env` at all the embedded defaults run: SQLite files under `var/` and
in-process stores. Every variable is listed, with a comment, in `.env.example`.
Bad values raise `SettingsError` whose message names the variable, so start-up can
stop with one clear line instead of a traceback.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from dotenv.parser import parse_stream

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = PROJECT_ROOT / "var"

SQL_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg2", "postgres")
LOCK_SCHEMES = ("memory", "redis")
BROKER_SCHEMES = ("amqp", "amqps")
MAIL_BACKENDS = ("outbox", "smtp")
LANGUAGES = ("it", "fr", "en")
# The language of a reply when nothing else decides it (DEFAULT_LANGUAGE's default): the
# responses' unconditional variant and every table keyed by language have it.
FALLBACK_LANGUAGE = "en"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network  # e.g. a trusted proxy's


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_store_url: str
    lock_store_url: str
    event_broker_url: str  # empty: no event broker
    event_broker_queue: str
    socketio_manager_url: str  # empty: sockets known to this process only
    listen_host: str
    demo: bool
    rasa_port: int
    action_port: int
    action_endpoint_url: str
    model_dir: Path
    default_language: str
    mail_backend: str
    mail_from: str
    smtp_host: str
    smtp_port: int
    smtp_starttls: bool
    smtp_user: str
    smtp_password: str
    reset_page_url: str
    policy_file: Path
    nlu_review_file: Path  # messages a supervisor labelled, for the next training run
    catalogue_file: Path
    help_centre_dir: Path
    log_level: str
    secret_key: str
    site_port: int
    desk_port: int
    rasa_api_url: str  # where the desk calls Rasa's HTTP API
    rasa_servers: int
    action_servers: int
    webhook_url: str
    webhook_secret: str
    allowed_origins: tuple[str, ...]  # browser origins allowed to call Rasa (CORS, socket.io)
    channel_variables: Mapping[str, str]  # CHANNEL_VARIABLES that are set (non-empty)
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto the desk believes.
    trusted_proxies: tuple[Network, ...] = ()
    # Screenshots customers send during a live chat (bot/services/screenshots/): read
    # only through the desk's signed-in route, never served as files.
    upload_dir: Path = VAR_DIR / "uploads"

    @property
    def rasa_url(self) -> str:
        return f"http://localhost:{self.rasa_port}"


# name -> (default, help). The order is the order of `.env.example`.
DEFAULTS: dict[str, str] = {
    "DATABASE_URL": f"sqlite:///{VAR_DIR / 'accounts.db'}",
    "TRACKER_STORE_URL": f"sqlite:///{VAR_DIR / 'tracker.db'}",
    "LOCK_STORE_URL": "memory://",
    # Rasa's RabbitMQ event broker: every event of every conversation is published to
    # this queue (amqp://user:password@host:5672/vhost). Empty: no broker.
    "EVENT_BROKER_URL": "",
    "EVENT_BROKER_QUEUE": "rasa_events",
    # Redis shared by several Rasa servers so an agent's message reaches a widget whose
    # socket is on another server (redis://host:6379/2). Empty: one server.
    "SOCKETIO_MANAGER_URL": "",
    # Every server listens here; 0.0.0.0 (all interfaces) is an explicit choice.
    "LISTEN_HOST": "127.0.0.1",
    # Demo mode (make run sets it): outbox mail backend and page, demo agent, open REST channel.
    "DEMO": "false",
    "RASA_PORT": "5005",
    "ACTION_PORT": "5055",
    "ACTION_ENDPOINT_URL": "",
    "MODEL_DIR": str(PROJECT_ROOT / "models"),
    "DEFAULT_LANGUAGE": FALLBACK_LANGUAGE,
    # Empty: "outbox" in demo mode, "smtp" otherwise; outbox without DEMO is refused.
    "MAIL_BACKEND": "",
    "MAIL_FROM": "support@example.com",
    "SMTP_HOST": "localhost",
    "SMTP_PORT": "25",
    "SMTP_STARTTLS": "false",
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "RESET_PAGE_URL": "http://localhost:8000/reset-password",
    "POLICY_FILE": str(PROJECT_ROOT / "bot" / "policy.yml"),
    # Misunderstood messages a supervisor labelled on the Insights page ("this was intent
    # X"), appended for whoever prepares the next training run; never trained on by itself.
    "NLU_REVIEW_FILE": str(VAR_DIR / "nlu_review.yml"),
    "CATALOGUE_FILE": str(PROJECT_ROOT / "bot" / "catalogue.yml"),
    # The help centre's articles, help/<language>/<slug>.md (the demo articles as shipped).
    "HELP_CENTRE_DIR": str(PROJECT_ROOT / "help"),
    # Screenshots customers send to an agent in the chat: a private directory (mode 700),
    # never one a web server publishes; read only through the desk's signed-in route.
    "UPLOAD_DIR": str(VAR_DIR / "uploads"),
    "LOG_LEVEL": "INFO",
    # One server secret; every key (Rasa API JWT, audit HMAC, desk sessions) derives from it.
    # Empty: a random one is created once in var/secret_key.
    "SECRET_KEY": "",
    "SITE_PORT": "8000",
    "DESK_PORT": "8001",
    # make run-prod: this many Rasa and action servers behind HAProxy (which listens on
    # RASA_PORT and ACTION_PORT; the servers on the ports just above those).
    "RASA_SERVERS": "2",
    # Where the desk calls Rasa's HTTP API. Empty: http://127.0.0.1:RASA_PORT (this machine).
    "RASA_API_URL": "",
    "ACTION_SERVERS": "2",
    "WEBHOOK_URL": "",
    "WEBHOOK_SECRET": "",
    # Web pages allowed to talk to Rasa from a browser (comma-separated origins).
    # Empty: the demo site, http://localhost:SITE_PORT and http://127.0.0.1:SITE_PORT.
    "ALLOWED_ORIGINS": "",
    # Reverse proxies in front of the desk (comma-separated addresses or CIDRs, e.g. the
    # ingress's 10.0.0.0/8): only from them is X-Forwarded-For / -Proto believed. Empty: none.
    "TRUSTED_PROXIES": "",
    # REST channel token (at least 32 characters): callers send `Authorization: Bearer
    # <REST_TOKEN>`. Outside demo mode the REST channel is off without it.
    "REST_TOKEN": "",
    # Messaging channels: each is switched on only when its variables are set.
    "TELEGRAM_ACCESS_TOKEN": "",
    "TELEGRAM_BOT_NAME": "",
    "TELEGRAM_WEBHOOK_URL": "",
    "SLACK_BOT_TOKEN": "",
    "SLACK_SIGNING_SECRET": "",
    "FACEBOOK_VERIFY_TOKEN": "",
    "FACEBOOK_APP_SECRET": "",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "",
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": "",
    "TWILIO_NUMBER": "",
    # Platform API base URLs: empty uses the real platform (tests point them at a local server)
    "TELEGRAM_API_URL": "",
    "SLACK_API_URL": "",
    "FACEBOOK_API_URL": "",
    "TWILIO_API_URL": "",
}

# Channel variables are read by Rasa itself (credentials.yml ${VAR}), not by Settings.
CHANNEL_VARIABLES = tuple(
    name
    for name in DEFAULTS
    if name.startswith(("REST_", "TELEGRAM_", "SLACK_", "FACEBOOK_", "TWILIO_"))
)
MIN_SECRET_LENGTH = 32


def _read_env_file(env_file: Path) -> dict[str, str]:
    """Parse `.env` strictly: a line that is not `NAME=value` is an error."""
    values: dict[str, str] = {}
    with env_file.open(encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            if binding.error:
                line = binding.original.string.split("=", 1)[0].strip() or "(blank)"
                raise SettingsError(
                    line if line in DEFAULTS else f"{env_file.name} line {binding.original.line}",
                    "malformed line (expected NAME=value, quotes closed)",
                )
            if binding.key is None:
                continue
            if binding.key not in DEFAULTS:
                raise SettingsError(
                    binding.key,
                    f"unknown variable in {env_file.name} (see .env.example)",
                )
            values[binding.key] = binding.value or ""
    return values


def _read_environment(env_file: Path | None, environ: Mapping[str, str]) -> dict[str, str]:
    """Real environment wins over `.env`, `.env` wins over defaults."""
    values = dict(DEFAULTS)
    if env_file is not None and env_file.exists():
        values.update(_read_env_file(env_file))
    values.update({k: v for k, v in environ.items() if k in DEFAULTS})
    return values


def _sql_url(name: str, value: str) -> str:
    scheme = urlsplit(value).scheme
    if scheme not in SQL_SCHEMES:
        raise SettingsError(
            name,
            f"unknown database URL scheme '{scheme or value}'; "
            "use sqlite:///path/to/file.db or postgresql://user@host:5432/db",
        )
    if scheme == "postgres":  # Heroku-style alias that SQLAlchemy 1.4 rejects
        value = "postgresql" + value[len("postgres") :]
    prefix = "sqlite:///"
    if value.startswith(prefix) and not value.startswith(prefix + "/"):
        relative = value[len(prefix) :]
        if relative and relative != ":memory:":  # relative paths are from the project
            value = prefix + str(_project_path(relative))
    return value


def _project_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _lock_url(name: str, value: str) -> str:
    scheme = urlsplit(value).scheme
    if scheme not in LOCK_SCHEMES:
        raise SettingsError(
            name, f"unknown lock store '{value}'; use memory:// or redis://host:6379/1"
        )
    return value


def _broker_url(name: str, value: str) -> str:
    if value and urlsplit(value).scheme not in BROKER_SCHEMES:
        raise SettingsError(name, f"'{value}' is not amqp://user:password@host:5672/")
    return value


def _redis_url(name: str, value: str) -> str:
    if value and urlsplit(value).scheme != "redis":
        raise SettingsError(name, f"'{value}' is not redis://host:6379/db")
    return value


def _count(name: str, value: str, most: int = 16) -> int:
    try:
        count = int(value)
    except ValueError:
        raise SettingsError(name, f"'{value}' is not a number") from None
    if not 1 <= count <= most:
        raise SettingsError(name, f"{count} is outside 1-{most}")
    return count


def _port(name: str, value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise SettingsError(name, f"'{value}' is not a port number") from None
    if not 0 < port < 65536:
        raise SettingsError(name, f"{port} is outside 1-65535")
    return port


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise SettingsError(name, f"'{value}' is not one of {', '.join(choices)}")
    return value


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(name, f"'{value}' is not a boolean (use true or false)")


def _http_url(name: str, value: str) -> str:
    if urlsplit(value).scheme not in ("http", "https"):
        raise SettingsError(name, f"'{value}' is not an http(s) URL")
    return value


def ip_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `text` spells ("127.0.0.1", "[::1]"), or None."""
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """This machine only: localhost, 127.0.0.0/8 or ::1 (empty means every interface)."""
    if host.strip().lower() == "localhost":
        return True
    address = ip_address(host)
    return address is not None and address.is_loopback


def _demo(raw: Mapping[str, str]) -> bool:
    """Demo mode publishes codes and reset links (/outbox) and a known desk password."""
    demo = _flag("DEMO", raw["DEMO"])
    if demo and not is_loopback(raw["LISTEN_HOST"]):
        raise SettingsError(
            "DEMO",
            f"demo mode only on this machine, not LISTEN_HOST={raw['LISTEN_HOST'] or '(empty)'}; "
            "use LISTEN_HOST=127.0.0.1 or DEMO=false",
        )
    return demo


def _private_url(name: str, value: str, demo: bool) -> str:
    """Outside demo mode a link carrying a token or a ticket leaves this machine only by https."""
    parts = urlsplit(value)
    if not demo and parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        raise SettingsError(name, f"'{value}' is plain http to another machine; use https://")
    return value


def _smtp_starttls(raw: Mapping[str, str], demo: bool) -> bool:
    """Codes and reset links cross the network to a remote SMTP server only encrypted."""
    starttls = _flag("SMTP_STARTTLS", raw["SMTP_STARTTLS"])
    host = raw["SMTP_HOST"].strip()  # empty: `python -m bot check` names it
    if not demo and not starttls and host and not is_loopback(host):
        raise SettingsError(
            "SMTP_STARTTLS",
            f"the SMTP server {host} is not on this machine: set "
            "SMTP_STARTTLS=true (mails carry codes and reset links)",
        )
    return starttls


def _secret_key(value: str) -> str:
    """The configured secret, or one created once in var/secret_key (mode 600)."""
    if value:
        if len(value) < MIN_SECRET_LENGTH:
            raise SettingsError(
                "SECRET_KEY", f"too short; use at least {MIN_SECRET_LENGTH} characters"
            )
        return value
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as stream:
            stream.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _mail_backend(raw: Mapping[str, str], demo: bool) -> str:
    """The outbox (mails kept in the database, shown on /outbox) exists only in demo mode."""
    backend = raw["MAIL_BACKEND"].strip() or ("outbox" if demo else "smtp")
    _choice("MAIL_BACKEND", backend, MAIL_BACKENDS)
    if backend == "outbox" and not demo:
        raise SettingsError(
            "MAIL_BACKEND",
            "outbox keeps codes and reset links readable on /outbox: only with DEMO=true; "
            "use smtp (SMTP_HOST, SMTP_PORT, MAIL_FROM)",
        )
    return backend


def _origins(raw: Mapping[str, str], site_port: int) -> tuple[str, ...]:
    """Exact browser origins (scheme://host[:port]); '*' is refused, it would allow any page."""
    if not raw["ALLOWED_ORIGINS"].strip():
        return (f"http://localhost:{site_port}", f"http://127.0.0.1:{site_port}")
    origins = []
    for origin in (part.strip() for part in raw["ALLOWED_ORIGINS"].split(",")):
        parts = urlsplit(origin)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path
            or parts.query
            or "*" in origin
        ):
            raise SettingsError(
                "ALLOWED_ORIGINS",
                f"'{origin}' is not an origin like https://help.example.com (no path, no *)",
            )
        origins.append(origin)
    return tuple(dict.fromkeys(origins))


def _webhook(raw: Mapping[str, str], demo: bool) -> tuple[str, str]:
    url, secret = raw["WEBHOOK_URL"], raw["WEBHOOK_SECRET"]
    if not url:
        return "", ""
    _private_url("WEBHOOK_URL", _http_url("WEBHOOK_URL", url), demo)
    if len(secret) < 16:
        raise SettingsError("WEBHOOK_SECRET", "set at least 16 characters when WEBHOOK_URL is set")
    return url, secret


def _networks(name: str, value: str) -> tuple[Network, ...]:
    networks = []
    for part in (piece.strip() for piece in value.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            problem = f"'{part}' is not an address or CIDR like 10.0.0.0/8"
            raise SettingsError(name, problem) from None
    return tuple(networks)


def _rest_token(value: str) -> str:
    if value and len(value) < MIN_SECRET_LENGTH:
        raise SettingsError("REST_TOKEN", f"too short; use at least {MIN_SECRET_LENGTH} characters")
    return value


# Directories our servers publish as files: an upload directory inside one would be public.
PUBLIC_DIRS = (
    PROJECT_ROOT / "bot" / "site" / "static",
    PROJECT_ROOT / "bot" / "desk" / "static",
    PROJECT_ROOT / "web",
)


def _private_dir(name: str, value: str) -> Path:
    """A directory outside every published one (PUBLIC_DIRS)."""
    path = _project_path(value).resolve()
    for public in PUBLIC_DIRS:
        if path == public or public in path.parents:
            raise SettingsError(name, f"{path} is published by a web server; use var/uploads")
    return path


def load_settings(
    env_file: Path | None = PROJECT_ROOT / ".env", environ: Mapping[str, str] | None = None
) -> Settings:
    """Read and validate every setting; raise `SettingsError` on the first bad one."""
    raw = _read_environment(env_file, os.environ if environ is None else environ)
    action_port = _port("ACTION_PORT", raw["ACTION_PORT"])
    action_url = raw["ACTION_ENDPOINT_URL"] or f"http://localhost:{action_port}/webhook"
    demo = _demo(raw)
    webhook_url, webhook_secret = _webhook(raw, demo)
    site_port = _port("SITE_PORT", raw["SITE_PORT"])
    _rest_token(raw["REST_TOKEN"])  # Rasa reads it (credentials.yml); checked here
    return Settings(
        database_url=_sql_url("DATABASE_URL", raw["DATABASE_URL"]),
        tracker_store_url=_sql_url("TRACKER_STORE_URL", raw["TRACKER_STORE_URL"]),
        lock_store_url=_lock_url("LOCK_STORE_URL", raw["LOCK_STORE_URL"]),
        event_broker_url=_broker_url("EVENT_BROKER_URL", raw["EVENT_BROKER_URL"]),
        event_broker_queue=raw["EVENT_BROKER_QUEUE"].strip() or "rasa_events",
        socketio_manager_url=_redis_url("SOCKETIO_MANAGER_URL", raw["SOCKETIO_MANAGER_URL"]),
        listen_host=raw["LISTEN_HOST"],
        demo=demo,
        rasa_port=_port("RASA_PORT", raw["RASA_PORT"]),
        action_port=action_port,
        action_endpoint_url=_http_url("ACTION_ENDPOINT_URL", action_url),
        model_dir=_project_path(raw["MODEL_DIR"]),
        default_language=_choice("DEFAULT_LANGUAGE", raw["DEFAULT_LANGUAGE"], LANGUAGES),
        mail_backend=_mail_backend(raw, demo),
        mail_from=raw["MAIL_FROM"],
        smtp_host=raw["SMTP_HOST"],
        smtp_port=_port("SMTP_PORT", raw["SMTP_PORT"]),
        smtp_starttls=_smtp_starttls(raw, demo),
        smtp_user=raw["SMTP_USER"],
        smtp_password=raw["SMTP_PASSWORD"],
        reset_page_url=_private_url(
            "RESET_PAGE_URL", _http_url("RESET_PAGE_URL", raw["RESET_PAGE_URL"]), demo
        ),
        policy_file=_project_path(raw["POLICY_FILE"]),
        nlu_review_file=_project_path(raw["NLU_REVIEW_FILE"]),
        catalogue_file=_project_path(raw["CATALOGUE_FILE"]),
        help_centre_dir=_project_path(raw["HELP_CENTRE_DIR"]),
        log_level=_choice(
            "LOG_LEVEL", raw["LOG_LEVEL"].upper(), ("DEBUG", "INFO", "WARNING", "ERROR")
        ),
        secret_key=_secret_key(raw["SECRET_KEY"]),
        site_port=site_port,
        desk_port=_port("DESK_PORT", raw["DESK_PORT"]),
        rasa_api_url=_http_url("RASA_API_URL", raw["RASA_API_URL"])
        if raw["RASA_API_URL"]
        else f"http://127.0.0.1:{raw['RASA_PORT']}",
        rasa_servers=_count("RASA_SERVERS", raw["RASA_SERVERS"]),
        action_servers=_count("ACTION_SERVERS", raw["ACTION_SERVERS"]),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        allowed_origins=_origins(raw, site_port),
        channel_variables={name: raw[name] for name in CHANNEL_VARIABLES if raw[name]},
        trusted_proxies=_networks("TRUSTED_PROXIES", raw["TRUSTED_PROXIES"]),
        upload_dir=_private_dir("UPLOAD_DIR", raw["UPLOAD_DIR"]),
    )


def configured_variables(
    env_file: Path | None = PROJECT_ROOT / ".env", environ: Mapping[str, str] | None = None
) -> set[str]:
    """The variables set in the environment or `.env`, i.e. not left to their default."""
    environ = os.environ if environ is None else environ
    found = set(_read_env_file(env_file)) if env_file is not None and env_file.exists() else set()
    return found | {name for name in environ if name in DEFAULTS}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
