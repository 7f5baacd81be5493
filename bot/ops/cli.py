"""`python -m bot COMMAND`: the project's operational commands.

Every command validates the settings first and, on a bad setting, prints one line
that names the variable and exits with status 2 (no traceback).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.channels.credentials import write_active_credentials
from bot.config.private_files import restrict_new_files
from bot.config.settings import PROJECT_ROOT, Settings, SettingsError, get_settings
from bot.rasa.action_server import TOKEN_VARIABLE

REDIS_LOCK_STORE = "bot.rasa.lock_store.RedisTicketLockStore"
# Files whose change makes the trained model stale.
MODEL_INPUTS = ("config.yml", "domain.yml", "data", "bot/nlu", "bot/catalogue.yml")


def _check_lock_store(url: str, variable: str = "LOCK_STORE_URL") -> None:
    if urlsplit(url).scheme != "redis":
        return
    import redis

    from bot.ops.cluster import without_password

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except (redis.RedisError, ValueError) as error:
        raise SettingsError(variable, f"cannot reach {without_password(url)} ({error})") from None


def _check_event_broker(url: str, timeout: float = 3.0) -> None:
    if not url:
        return
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "localhost", parts.port or 5672), timeout):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        where = f"{parts.hostname}:{parts.port or 5672}"
        problem = f"cannot reach RabbitMQ at {where} ({reason})"
        raise SettingsError("EVENT_BROKER_URL", problem) from None


def check_mail(settings: Settings, timeout: float = 5.0) -> None:
    """With real mail (smtp), a sender address and a reachable SMTP server, or no start.

    Otherwise every code and reset link would fail quietly (the reply must not change
    when a mail fails, so nobody would notice)."""
    if settings.mail_backend != "smtp":
        return
    from bot.nlu.entity_rules import EMAIL

    if not EMAIL.fullmatch(settings.mail_from.strip()):
        raise SettingsError("MAIL_FROM", f"'{settings.mail_from}' is not an email address")
    if not settings.smtp_host.strip():
        raise SettingsError("SMTP_HOST", "empty; set the SMTP server (or DEMO=true for the demo)")
    try:
        with socket.create_connection((settings.smtp_host, settings.smtp_port), timeout=timeout):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SettingsError(
            "SMTP_HOST",
            f"cannot reach the SMTP server {settings.smtp_host}:{settings.smtp_port} ({reason}); "
            "check SMTP_HOST and SMTP_PORT, or set DEMO=true for the demo outbox",
        ) from None


def check_services(settings: Settings, mail: bool = True) -> None:
    """Fail fast, with the variable's name, when a configured service is unreachable."""
    from bot.config.policy import get_policy
    from bot.config.private_files import restrict_existing_files
    from bot.db.session import check_reachable

    get_policy()
    restrict_existing_files(settings)
    check_reachable("DATABASE_URL", settings.database_url)
    check_reachable("TRACKER_STORE_URL", settings.tracker_store_url)
    _check_lock_store(settings.lock_store_url)
    if settings.socketio_manager_url:
        _check_lock_store(settings.socketio_manager_url, "SOCKETIO_MANAGER_URL")
    _check_event_broker(settings.event_broker_url)
    if mail:
        check_mail(settings)


def rasa_environment(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """Variables that `endpoints.yml` expands (Rasa reads ${VAR} there).

    The action server's token is one of them: in the environment (readable only by
    the same user), never in a command line that `ps` shows."""
    from bot.config.keys import action_server_token

    lock = urlsplit(settings.lock_store_url)
    env = dict(os.environ if base is None else base)
    # Rasa 3.6's dependencies flood the console with deprecation warnings
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    env.update(
        ACTION_ENDPOINT_URL=settings.action_endpoint_url,
        TRACKER_STORE_URL=settings.tracker_store_url,
        # Rasa's own RedisLockStore races between servers (see bot/rasa/lock_store.py)
        LOCK_STORE_TYPE=REDIS_LOCK_STORE if lock.scheme == "redis" else "in_memory",
        LOCK_STORE_HOST=lock.hostname or "localhost",
        LOCK_STORE_PORT=str(lock.port or 6379),
        LOCK_STORE_DB=(lock.path.strip("/") or "1"),
        LOCK_STORE_PASSWORD=unquote(lock.password or ""),  # redis://:p%40ss@host
        EVENT_BROKER_URL=settings.event_broker_url,
        EVENT_BROKER_QUEUE=settings.event_broker_queue,
    )
    env[TOKEN_VARIABLE] = action_server_token(settings)
    env.update(settings.channel_variables)
    return env


def newest_mtime(paths: Sequence[Path]) -> float:
    newest = 0.0
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if "__pycache__" not in file.parts:
                newest = max(newest, file.stat().st_mtime)
    return newest


def latest_model(model_dir: Path) -> Path | None:
    models = sorted(model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def model_is_stale(model_dir: Path) -> bool:
    model = latest_model(model_dir)
    if model is None:
        return True
    inputs = [PROJECT_ROOT / name for name in MODEL_INPUTS]
    return newest_mtime(inputs) > model.stat().st_mtime


# --- commands -----------------------------------------------------------------


def check_ports_free(settings: Settings) -> None:
    """Before the servers start: a port another process holds is named in one line
    (each server would otherwise stop on its own with a stack trace)."""
    ports = {
        "SITE_PORT": settings.site_port, "DESK_PORT": settings.desk_port,
        "RASA_PORT": settings.rasa_port, "ACTION_PORT": settings.action_port,
    }  # fmt: skip
    for variable, port in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
            try:
                probe.bind((settings.listen_host, port))
            except OSError:
                raise SettingsError(
                    variable,
                    f"port {port} on {settings.listen_host} is in use (is the assistant "
                    f"already running?); stop that process or set {variable} to a free port",
                ) from None


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    check_services(settings)
    if args.ports:
        check_ports_free(settings)
    if settings.demo:
        print("settings ok; databases reachable; DEMO mode: mails go to the outbox")
    else:
        print(f"settings ok; databases and the SMTP server {settings.smtp_host} reachable")
    return 0


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.db.migrate import upgrade
    from bot.db.session import check_reachable

    check_reachable("DATABASE_URL", settings.database_url)
    upgrade(settings.database_url)
    return 0


def cmd_seed_demo(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.db.session import session_scope
    from bot.ops.demo_data import seed_demo, seed_demo_agent
    from bot.services.runtime import utcnow

    with session_scope() as session:
        created = seed_demo(session, date.today())
        if settings.demo:  # the demo agent's password is public: never outside demo mode
            seed_demo_agent(session, utcnow())
    print(f"demo data: {created} account(s) created" if created else "demo data present")
    return 0


def cmd_train(settings: Settings, args: argparse.Namespace) -> int:
    model_dir = settings.model_dir
    if args.if_stale and not model_is_stale(model_dir):
        print(f"model up to date: {latest_model(model_dir)}")
        return 0
    command = [
        sys.executable, "-m", "bot.rasa.train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", str(model_dir), "--fixed-model-name", "assistant",
    ]  # fmt: skip
    started = time.monotonic()
    status = subprocess.call(command, cwd=PROJECT_ROOT)
    if status == 0:
        print(f"trained {latest_model(model_dir)} in {time.monotonic() - started:.0f} s")
    return status


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    check_services(settings)
    if args.process == "desk":
        from bot.desk.app import run as run_desk

        run_desk(settings)
        return 0
    if args.process == "mail":
        from bot.services.mail.worker import run as run_mail_worker

        run_mail_worker(settings)
        return 0
    if args.process == "site":
        from bot.site.app import run as run_site

        run_site(settings)
        return 0
    environment = rasa_environment(settings)
    if args.process == "actions":
        environment.pop(TOKEN_VARIABLE)  # it derives the token itself
        command = [sys.executable, "-m", "bot.rasa.action_server"]
    else:
        model = latest_model(settings.model_dir)
        if model is None:
            raise SettingsError(
                "MODEL_DIR", f"no trained model in {settings.model_dir}; run make train"
            )
        common = ["--model", str(model), "--endpoints", "endpoints.yml"]
        if args.process == "shell":
            command = [sys.executable, "-m", "rasa", "shell", *common]
        else:
            command = [
                sys.executable, "-m", "bot.rasa.server", *common,
                "--credentials", str(write_active_credentials(
                    PROJECT_ROOT / "credentials.yml", environment, demo=settings.demo
                )),
            ]  # fmt: skip
    os.chdir(PROJECT_ROOT)
    os.execve(command[0], command, environment)
    return 0  # not reached


def cmd_run_prod(settings: Settings, _args: argparse.Namespace) -> int:
    """Several Rasa and action servers behind HAProxy, desk and site (bot/ops/cluster.py)."""
    from bot.config.settings import configured_variables
    from bot.ops.cluster import mail_sink, urls, write_profile

    sink = mail_sink(settings, configured_variables())
    settings = sink.apply(settings) if sink else settings
    check_services(settings, mail=sink is None)  # the sink starts with the others
    procfile = write_profile(settings, sink)
    lines = urls(settings, sink)
    print("", *(f"  {line}" for line in lines), "  Ctrl-C stops everything.", "", sep="\n")
    environment = rasa_environment(settings)
    environment.update(sink.environment() if sink else {})
    honcho = str(Path(sys.executable).with_name("honcho"))
    os.chdir(PROJECT_ROOT)
    os.execve(honcho, [honcho, "start", "-f", str(procfile)], environment)
    return 0  # not reached


def cmd_outbox(settings: Settings, args: argparse.Namespace) -> int:
    """Print the latest mails of the embedded mailer (demo: codes and reset links)."""
    from sqlalchemy import select

    if not settings.demo:
        print("the outbox exists only in demo mode (DEMO=true)", file=sys.stderr)
        return 2

    from bot.db.models import OutboxMail
    from bot.db.session import session_scope
    from bot.services.mail.queue import OUTBOX

    with session_scope() as session:
        mails = session.scalars(
            select(OutboxMail)
            .where(OutboxMail.status == OUTBOX)
            .order_by(OutboxMail.id.desc())
            .limit(args.last)
        ).all()
        for mail in reversed(mails):
            print(f"--- {mail.created_at:%Y-%m-%d %H:%M} to {mail.to_address}: {mail.subject}")
            print(mail.body.strip(), end="\n\n")
    if not mails:
        print("the outbox is empty (MAIL_BACKEND=outbox keeps mails here)")
    return 0


def cmd_retention(settings: Settings, _args: argparse.Namespace) -> int:
    """Delete conversations, mails, codes, reset tokens, closed tickets, audit rows and
    review-file entries older than the policy allows."""
    from bot.config.policy import get_policy
    from bot.db.session import make_engine, session_scope
    from bot.services.privacy.retention import apply_retention
    from bot.services.runtime import utcnow

    tracker_engine = make_engine(settings.tracker_store_url)
    try:
        with session_scope() as session:
            report = apply_retention(session, tracker_engine, utcnow(), get_policy(),
                                     review_file=settings.nlu_review_file)  # fmt: skip
    finally:
        tracker_engine.dispose()
    print(report)
    return 0


def _confirmed(question: str) -> bool:
    """y/N at a terminal; no terminal (CI, a pipe) is no."""
    if not sys.stdin.isatty():
        return False
    print(question, end=" ", flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def cmd_erase(settings: Settings, args: argparse.Namespace) -> int:
    """Erase what the assistant keeps about one account (prints counts only); above the
    threshold, shows the counts and asks first (--yes for scripts)."""
    from bot.db.session import make_engine, session_scope
    from bot.services.privacy.erasure import (
        CONFIRM_ABOVE_CONVERSATIONS,
        erase,
        find_account,
        plan_erasure,
    )

    tracker_engine = make_engine(settings.tracker_store_url)
    try:
        with session_scope() as session:
            account = find_account(session, args.email, args.account)
            if account is None:
                print("no account matches", file=sys.stderr)
                return 1
            plan = plan_erasure(session, tracker_engine, account)
            if plan.needs_confirmation and not args.yes:
                if not sys.stdin.isatty():
                    print(
                        f"{plan}: more than {CONFIRM_ABOVE_CONVERSATIONS}, confirm at a "
                        "terminal or pass --yes; nothing erased",
                        file=sys.stderr,
                    )
                    return 1
                if not _confirmed(f"{plan}. Erase? [y/N]"):
                    print("nothing erased")
                    return 1
            report = erase(session, tracker_engine, account, plan,
                           review_file=settings.nlu_review_file)  # fmt: skip
    finally:
        tracker_engine.dispose()
    print(report)
    return 0


def cmd_insights_refresh(settings: Settings, _args: argparse.Namespace) -> int:
    """Read the tracker events not read yet into the Insights tables (the desk does it on
    every Insights call; run this once before opening it on a large existing store)."""
    from bot.config.policy import get_policy
    from bot.db.session import make_engine, session_scope
    from bot.services.insights.figures import refresh
    from bot.services.insights.outcomes import Windows
    from bot.services.runtime import utcnow

    tracker_engine = make_engine(settings.tracker_store_url)
    try:
        with session_scope() as session, tracker_engine.connect() as tracker:
            read = refresh(session, tracker, Windows.from_policy(get_policy()), utcnow())
    finally:
        tracker_engine.dispose()
    print(f"read {read} tracker event(s) into the Insights tables")
    return 0


def _read_password(from_stdin: bool) -> str:
    import getpass

    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password (10+ characters): ")
    if getpass.getpass("again: ") != first:
        raise SettingsError("password", "the two entries differ")
    return first


def cmd_create_agent(settings: Settings, args: argparse.Namespace) -> int:
    """Create a desk sign-in for a support agent (the password is asked, never an argument)."""
    from bot.db.session import session_scope
    from bot.services.agents.roster import AgentError, create_agent, parse_languages
    from bot.services.runtime import utcnow

    try:
        languages = parse_languages(args.languages)
        password = _read_password(args.password_stdin)
        with session_scope() as session:
            agent = create_agent(
                session, args.username, args.name or args.username, password, languages,
                utcnow(), supervisor=args.supervisor,
            )  # fmt: skip
    except AgentError as error:
        print(f"cannot create the agent: {error}", file=sys.stderr)
        return 2
    role = " (supervisor: may see Insights)" if agent.supervisor else ""
    print(f"agent {agent.username} created for {', '.join(agent.languages)}{role}")
    return 0


def cmd_help_centre(settings: Settings, args: argparse.Namespace) -> int:
    """Import articles into HELP_CENTRE_DIR (Zendesk export pages, markdown): all or nothing."""
    from bot.nlu.catalogue import CatalogueError, get_catalogue
    from bot.services.help_centre.importer import plan_import, write_plan

    target = settings.help_centre_dir
    try:
        catalogue = get_catalogue()
    except CatalogueError as error:
        raise SettingsError("CATALOGUE_FILE", str(error)) from None
    plan = plan_import(args.paths, catalogue, target)
    for problem in plan.problems:
        print(f"cannot import {problem}; nothing was imported", file=sys.stderr)
    if plan.problems:
        return 2
    for line in plan.skipped:
        print(line)
    try:
        outcome = write_plan(plan, target)
    except OSError as error:
        print(f"cannot write into {target}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(outcome.summary(target))
    return 0


def cmd_help_index(settings: Settings, _args: argparse.Namespace) -> int:
    """Build the help-centre search index if the articles changed (the intent model
    is not involved: a new article needs this only)."""
    from bot.services.help_centre.index import index_directory, load_or_build

    index, built = load_or_build(settings.help_centre_dir, index_directory(settings.model_dir))
    for error in index.errors:
        print(f"help centre: {error}", file=sys.stderr)
    state = "built" if built else "up to date"
    print(f"help index {state}: {len(index.articles)} articles, {len(index.passages)} passages")
    return 0


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "create-agent": cmd_create_agent,
    "check": cmd_check,
    "migrate": cmd_migrate,
    "seed-demo": cmd_seed_demo,
    "train": cmd_train,
    "serve": cmd_serve,
    "outbox": cmd_outbox,
    "retention": cmd_retention,
    "erase": cmd_erase,
    "insights-refresh": cmd_insights_refresh,
    "help-centre": cmd_help_centre,
    "run-prod": cmd_run_prod,
    "help-index": cmd_help_index,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate settings and reach the databases")
    check.add_argument(
        "--ports", action="store_true", help="and that the servers' ports are free (make run)"
    )
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("seed-demo", help="create the demo accounts (idempotent)")
    train = sub.add_parser("train", help="train the Rasa model")
    train.add_argument("--if-stale", action="store_true", help="only if inputs changed")
    outbox = sub.add_parser("outbox", help="show the latest mails of the embedded mailer")
    outbox.add_argument("--last", type=int, default=5, help="how many (default 5)")
    serve = sub.add_parser("serve", help="run a process (exec, for the Procfile)")
    serve.add_argument("process", choices=("rasa", "actions", "mail", "desk", "site", "shell"))
    sub.add_parser("retention", help="delete data older than the policy's retention periods")
    erase = sub.add_parser("erase", help="erase an account's conversations and records")
    who = erase.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="the account's registered email")
    who.add_argument("--account", help="the account ID, e.g. AC-100001")
    erase.add_argument(
        "--yes", action="store_true", help="do not ask, however many conversations (scripts)"
    )
    sub.add_parser("insights-refresh", help="read new tracker events into the Insights tables")
    help_centre = sub.add_parser("help-centre", help="manage the help centre's articles")
    help_actions = help_centre.add_subparsers(dest="help_action", required=True)
    help_import = help_actions.add_parser(
        "import", help="import a Zendesk Help Center export or markdown articles (all or nothing)"
    )
    help_import.add_argument(
        "paths", nargs="+", type=Path, metavar="FILE_OR_DIR",
        help="export pages (articles.json), markdown articles, or folders of them",
    )  # fmt: skip
    sub.add_parser("run-prod", help="Rasa and action servers behind HAProxy, desk, site")
    sub.add_parser("help-index", help="build the help-centre search index if the articles changed")
    agent = sub.add_parser("create-agent", help="create an agent-desk sign-in")
    agent.add_argument("username")
    agent.add_argument("--name", help="shown to customers (default: the username)")
    agent.add_argument("--languages", default="it,fr,en", help="language teams, e.g. fr,en")
    agent.add_argument(
        "--supervisor", action="store_true", help="may open the Insights page of the desk"
    )
    agent.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Rasa would otherwise try to send telemetry and error reports to the internet.
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    restrict_new_files()  # databases, logs and the secret: mode 600
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
        return COMMANDS[args.command](settings, args)
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
