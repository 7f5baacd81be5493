"""Sending mail: the embedded outbox (a table the demo shows) or a real SMTP server.

Services depend on the `Mailer` protocol only; `mailer_from_settings` picks the
backend from MAIL_BACKEND. `deliver` never lets a failure reach the caller and
never logs the error text, which for SMTP and SQL errors can contain the address
or the mail body (code, link).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from sqlalchemy.orm import Session

from bot.db.models import OutboxMail
from bot.services.redaction import mask_email
from bot.settings import Settings

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


def _utcnow() -> datetime:
    return datetime.utcnow()


class OutboxMailer:
    """Writes mails to `mail_outbox` in its own transaction, so the demo can show them."""

    def __init__(
        self, session_factory: Callable[[], Session], clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def send(self, mail: Mail) -> None:
        with self._session_factory() as session:
            session.add(
                OutboxMail(
                    created_at=self._clock(),
                    to_address=mail.to,
                    subject=mail.subject,
                    body=mail.body,
                )
            )
            session.commit()


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


def mailer_from_settings(settings: Settings, session_factory: Callable[[], Session]) -> Mailer:
    """OutboxMailer for MAIL_BACKEND=outbox (the embedded default), SmtpMailer for smtp."""
    if settings.mail_backend == "smtp":
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            starttls=settings.smtp_starttls,
            user=settings.smtp_user,
            password=settings.smtp_password,
            sender=settings.mail_from,
        )
    return OutboxMailer(session_factory)


def deliver(mailer: Mailer, mail: Mail) -> bool:
    """Send; on failure log the masked address and error type only, and return False."""
    try:
        mailer.send(mail)
    except Exception as error:  # any backend failure must look the same to the user
        logger.warning("mail to %s failed: %s", mask_email(mail.to), type(error).__name__)
        return False
    logger.info("mail sent to %s", mask_email(mail.to))
    return True
