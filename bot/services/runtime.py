"""What actions need to call the services: the clock and the mail queue."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.config.settings import get_settings
from bot.services.mail.queue import MailQueue, mail_queue_from_settings


def utcnow() -> datetime:
    """Naive UTC, as stored in the database."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def mail_queue() -> MailQueue:
    return mail_queue_from_settings(get_settings())
