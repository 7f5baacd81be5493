"""Mail: a queue in the database, and the SMTP transport the mail worker sends with.

Services never send mail themselves: `MailQueue.add` writes a row of `mail_outbox`
in the caller's transaction (with the challenge or token the mail carries), and the
reply goes out without waiting for any mail server. A request that must not mail
anyone (unknown email, over a rate limit) writes a row too, with no recipient, so
both paths do the same database work and take the same time.

Statuses of a row:
- `outbox`  MAIL_BACKEND=outbox (demo): the row is the delivery; the demo shows it.
- `pending` MAIL_BACKEND=smtp: waiting for the mail worker (bot/services/mail/worker.py).
- `sent`    handed to the SMTP server; body cleared and address masked.
- `expired` not sent before the code or link inside expired; body cleared.
- `none`    nobody to send to; written only so the unknown path matches the known one.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from sqlalchemy.orm import Session

from bot.config.settings import Settings
from bot.db.models import OutboxMail
from bot.services.privacy.redaction import mask_email

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str

    def __repr__(self) -> str:  # the body holds codes and links: keep it out of reprs
        return f"Mail(to={mask_email(self.to)!r}, subject={self.subject!r})"


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Deliver one mail or raise."""


OUTBOX, PENDING, SENT, EXPIRED, NO_RECIPIENT = "outbox", "pending", "sent", "expired", "none"


@dataclass(frozen=True)
class MailQueue:
    """Where services put mail: a `mail_outbox` row in the caller's transaction."""

    kept_in_outbox: bool  # MAIL_BACKEND=outbox (demo): the row itself is the delivery

    def add(self, session: Session, mail: Mail | None, now: datetime, expires_at: datetime) -> None:
        """Queue `mail`, or (None) write the same kind of row with nobody to send to.

        The caller commits. Both cases run the same INSERT, so an observer timing
        the reply cannot tell a request that mails someone from one that does not.
        """
        status = OUTBOX if self.kept_in_outbox else PENDING
        session.add(
            OutboxMail(
                created_at=now,
                to_address=mail.to if mail else None,
                subject=mail.subject if mail else "",
                body=mail.body if mail else "",
                status=status if mail else NO_RECIPIENT,
                attempts=0,
                next_try_at=now if mail and status == PENDING else None,
                expires_at=expires_at,
            )
        )


@dataclass(frozen=True)
class SmtpMailer:
    """Sends through an SMTP server, with STARTTLS and login when configured."""

    host: str
    port: int
    starttls: bool
    user: str
    password: str = field(repr=False)
    sender: str
    timeout: float = 10.0
    # None: the system's trusted CAs with hostname checks (tests pass their own CA)
    tls_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    def message(self, mail: Mail) -> EmailMessage:
        """The MIME message: UTF-8 subject (RFC 2047) and quoted-printable UTF-8 body."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(mail.body, charset="utf-8", cte="quoted-printable")
        return message

    def send(self, mail: Mail) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=self.tls_context or ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(self.message(mail), from_addr=self.sender, to_addrs=[mail.to])


def mail_queue_from_settings(settings: Settings) -> MailQueue:
    """MAIL_BACKEND=outbox keeps mails in the table (demo); smtp queues them for the worker."""
    return MailQueue(kept_in_outbox=settings.mail_backend == "outbox")


def smtp_mailer_from_settings(settings: Settings) -> SmtpMailer:
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        starttls=settings.smtp_starttls,
        user=settings.smtp_user,
        password=settings.smtp_password,
        sender=settings.mail_from,
    )
