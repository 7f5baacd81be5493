"""Support agents who sign in to the desk: created by `python -m bot create-agent`."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config.settings import LANGUAGES
from bot.db.models import Agent
from bot.services.identity.passwords import hash_password, password_problem, verify_password

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# Checked when the username is unknown, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password-0")


class AgentError(ValueError):
    """The agent cannot be created that way (message for the operator)."""


@dataclass(frozen=True)
class AgentInfo:
    username: str
    display_name: str
    languages: tuple[str, ...]
    supervisor: bool = False  # may see the Insights page
    session_generation: int = 0  # a session cookie of another generation is void
    status: str = "available"  # or away (bot/services/agents/status.py)


def _info(agent: Agent) -> AgentInfo:
    return AgentInfo(
        agent.username,
        agent.display_name,
        tuple(agent.languages.split(",")),
        supervisor=bool(agent.supervisor),
        session_generation=int(agent.session_generation or 0),
        status=str(agent.status or "available"),
    )


def parse_languages(text: str) -> tuple[str, ...]:
    languages = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not languages or any(language not in LANGUAGES for language in languages):
        raise AgentError(f"languages must be a comma-separated subset of {','.join(LANGUAGES)}")
    return languages


def create_agent(
    session: Session,
    username: str,
    display_name: str,
    password: str,
    languages: tuple[str, ...],
    now: datetime,
    *,
    supervisor: bool = False,
) -> AgentInfo:
    if not USERNAME.match(username):
        raise AgentError("username: 2-64 characters, lowercase letters, digits, . _ -")
    problem = password_problem(password)
    if problem:
        raise AgentError(f"password: {problem.replace('_', ' ')}")
    if session.scalar(select(Agent.id).where(Agent.username == username)) is not None:
        raise AgentError(f"an agent named {username} already exists")
    agent = Agent(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=hash_password(password),
        languages=",".join(languages),
        active=True,
        created_at=now,
        supervisor=supervisor,
    )
    session.add(agent)
    session.commit()
    return _info(agent)


def authenticate(
    session: Session, username: str, password: str, *, refused: Collection[str] = ()
) -> AgentInfo | None:
    """The agent for a right password; None otherwise, with the same scrypt work for
    an unknown, inactive or `refused` name (e.g. the demo agent outside demo mode)."""
    agent = session.scalars(select(Agent).where(Agent.username == username)).first()
    if agent is None or not agent.active or username in refused:
        verify_password(password, _DUMMY_HASH)
        return None
    return _info(agent) if verify_password(password, agent.password_hash) else None


def get_agent(
    session: Session, username: str, *, refused: Collection[str] = ()
) -> AgentInfo | None:
    if username in refused:
        return None
    agent = session.scalars(
        select(Agent).where(Agent.username == username, Agent.active.is_(True))
    ).first()
    return _info(agent) if agent else None


def display_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """Username -> the name the desk shows (an agent removed since keeps its username)."""
    wanted = {name for name in usernames if name}
    if not wanted:
        return {}
    rows = session.execute(
        select(Agent.username, Agent.display_name).where(Agent.username.in_(wanted))
    )
    found = {username: display_name for username, display_name in rows}
    return {name: found.get(name) or name for name in wanted}


def end_sessions(session: Session, username: str) -> None:
    """Sign the agent out everywhere: every session cookie signed so far stops working."""
    session.execute(
        update(Agent)
        .where(Agent.username == username)
        .values(session_generation=Agent.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()
