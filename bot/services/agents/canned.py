"""Canned replies: texts an agent inserts into the message box (never sent as they
are), one set per language team, with two variables: {first_name} (the customer's,
when the ticket knows it) and {agent_name} (the agent's display name). Supervisors
write them; anything else between braces is refused on save."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import CannedReply

VARIABLES = ("first_name", "agent_name")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_TITLE_CHARS = 80
MAX_TEXT_CHARS = 2000  # what the desk sends in one message (bot/desk/app.py)
# text only: letters, punctuation, spaces and line breaks; no control characters
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# an unknown first name goes with the space before it ("Ciao {first_name}," -> "Ciao,")
# or the comma after it at the start ("{first_name}, thanks" -> "thanks")
_NO_FIRST_NAME = re.compile(r"^\{first_name\}[,;:!]?\s*|[ \t]*\{first_name\}")


class CannedError(ValueError):
    """The reply cannot be saved that way (message for the supervisor)."""


def text_problem(title: str, text: str) -> str | None:
    """Why a canned reply cannot be saved, or None."""
    if not 1 <= len(title) <= MAX_TITLE_CHARS:
        return f"the title must have 1-{MAX_TITLE_CHARS} characters"
    if not 1 <= len(text) <= MAX_TEXT_CHARS:
        return f"the text must have 1-{MAX_TEXT_CHARS} characters"
    if CONTROL.search(title + text):
        return "text only: no control characters"
    known = " or ".join("{" + name + "}" for name in VARIABLES)
    unknown = [name for name in PLACEHOLDER.findall(text) if name not in VARIABLES]
    if unknown:
        return f"unknown variable {{{unknown[0]}}}: use {known}"
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        return f"a lone brace: write variables as {known}"
    return None


def render(text: str, first_name: str | None, agent_name: str) -> str:
    """The reply for one ticket and agent, in one pass: a value that itself holds
    braces is never read as a variable."""
    if not first_name:
        text = _NO_FIRST_NAME.sub("", text)
    values = {"first_name": first_name or "", "agent_name": agent_name}
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def list_replies(session: Session, languages: Iterable[str]) -> list[CannedReply]:
    query = (
        select(CannedReply)
        .where(CannedReply.language.in_(list(languages)))
        .order_by(CannedReply.language, CannedReply.title, CannedReply.id)
    )
    return list(session.scalars(query))


def _checked(title: str, text: str) -> tuple[str, str]:
    title, text = title.strip(), text.strip()
    problem = text_problem(title, text)
    if problem:
        raise CannedError(problem)
    return title, text


def create(
    session: Session, language: str, title: str, text: str, by: str, now: datetime
) -> CannedReply:
    title, text = _checked(title, text)
    reply = CannedReply(language=language, title=title, text=text, updated_by=by, updated_at=now)
    session.add(reply)
    session.commit()
    return reply


def _mine(session: Session, reply_id: int, languages: Iterable[str]) -> CannedReply:
    reply = session.get(CannedReply, reply_id)
    if reply is None or reply.language not in set(languages):
        raise LookupError("no such canned reply")
    return reply


def edit(
    session: Session,
    reply_id: int,
    languages: Iterable[str],
    title: str,
    text: str,
    by: str,
    now: datetime,
) -> CannedReply:
    """Change a reply of one of `languages` (the supervisor's teams); LookupError for
    another team's or a missing one."""
    reply = _mine(session, reply_id, languages)
    reply.title, reply.text = _checked(title, text)
    reply.updated_by, reply.updated_at = by, now
    session.commit()
    return reply


def delete(session: Session, reply_id: int, languages: Iterable[str]) -> None:
    session.delete(_mine(session, reply_id, languages))
    session.commit()
