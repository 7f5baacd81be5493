"""What actions need to call the services: the clock, a session, the mailer."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.db.session import session_factory
from bot.services.mail import Mailer, mailer_from_settings
from bot.settings import get_settings


def utcnow() -> datetime:
    """Naive UTC, as stored in the database."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def mailer() -> Mailer:
    return mailer_from_settings(get_settings(), session_factory())
