"""The mail worker: sends the queued (`pending`) rows of `mail_outbox` over SMTP.

It runs as its own process (`python -m bot serve mail`, a line of the Procfile), not
inside the action server: a slow or unreachable mail server then costs the replies
nothing (no shared threads, event loop or CPU bursts timed with a known email's
reply), one worker serves however many action servers run, and its restarts are
independent of theirs. It polls on a fixed interval instead of being woken by each
new row, so when it works says nothing about which request queued the row.

Each row is claimed with one conditional UPDATE that also pushes `next_try_at` a
lease ahead, so two workers never send the same row at once, and a row whose worker
died mid-send is picked up again when the lease runs out (at least once delivery).
A failed send is retried with exponential backoff until the code or link inside
expires; after a send, the body is cleared and the address masked, so codes and
links do not sit in the database longer than needed.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.config.settings import Settings
from bot.db.models import OutboxMail
from bot.services.mail.queue import EXPIRED, PENDING, SENT, Mail, Mailer, smtp_mailer_from_settings
from bot.services.privacy.redaction import mask_email

logger = logging.getLogger(__name__)

POLL_INTERVAL_SECONDS = 0.5
LEASE = timedelta(seconds=60)  # longer than the SMTP timeout (10 s) of one send
FIRST_RETRY = timedelta(seconds=1)
MAX_RETRY = timedelta(minutes=2)
BATCH = 50


def retry_delay(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... after the 1st, 2nd, 3rd failure, at most MAX_RETRY."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


def _utcnow() -> datetime:
    return datetime.utcnow()


class MailWorker:
    def __init__(
        self,
        factory: sessionmaker,
        transport: Mailer,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._factory = factory
        self._transport = transport
        self._clock = clock

    def run_once(self) -> int:
        """Try every due row once; return how many were sent."""
        now = self._clock()
        with self._factory() as session:
            due = session.scalars(
                select(OutboxMail.id)
                .where(OutboxMail.status == PENDING, OutboxMail.next_try_at <= now)
                .order_by(OutboxMail.next_try_at, OutboxMail.id)
                .limit(BATCH)
            ).all()
        return sum(self._try(row_id) for row_id in due)

    def _claim(self, session: Session, row_id: int) -> OutboxMail | None:
        now = self._clock()
        claimed = session.execute(
            update(OutboxMail)
            .where(
                OutboxMail.id == row_id,
                OutboxMail.status == PENDING,
                OutboxMail.next_try_at <= now,
            )
            .values(next_try_at=now + LEASE, attempts=OutboxMail.attempts + 1)
        )
        session.commit()
        return session.get(OutboxMail, row_id) if claimed.rowcount == 1 else None

    def _try(self, row_id: int) -> bool:
        with self._factory() as session:
            row = self._claim(session, row_id)
            if row is None:  # another worker has it
                return False
            if row.expires_at is not None and self._clock() >= row.expires_at:
                logger.warning("mail %s expired before it could be sent", row.id)
                self._finish(session, row, EXPIRED)
                return False
            mail = Mail(to=row.to_address or "", subject=row.subject, body=row.body)
            try:
                self._transport.send(mail)
            except Exception as error:  # any failure: keep the row, try again later
                row.next_try_at = self._clock() + retry_delay(row.attempts)
                row.last_error = type(error).__name__[:64]
                session.commit()
                # the error text of SMTP can hold the address or body: type only
                logger.warning(
                    "mail %s not sent (try %s): %s", row.id, row.attempts, row.last_error
                )
                return False
            self._finish(session, row, SENT)
            # debug only: a line per mail, timed, would tell log readers which request had one
            logger.debug("mail %s sent", row.id)
            return True

    def _finish(self, session: Session, row: OutboxMail, status: str) -> None:
        """Keep what happened, drop what the mail carried."""
        row.status = status
        row.body = ""
        row.to_address = mask_email(row.to_address) if row.to_address else None
        row.next_try_at = None
        if status == SENT:
            row.sent_at = self._clock()
        session.commit()

    def run_forever(self, stop: threading.Event, interval: float = POLL_INTERVAL_SECONDS) -> None:
        """Poll until `stop` is set; a failing round (database down) is logged and retried."""
        while not stop.is_set():
            try:
                self.run_once()
            except Exception as error:
                logger.warning("mail worker round failed: %s", type(error).__name__)
            stop.wait(interval)


def run(settings: Settings) -> None:
    """`python -m bot serve mail`: send queued mail until SIGTERM / Ctrl-C."""
    from bot.db.session import session_factory

    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if settings.mail_backend != "smtp":
        # honcho stops every process when one exits: stay up, with nothing to do
        logger.info(
            "mail worker idle: MAIL_BACKEND=%s keeps mails in the database", settings.mail_backend
        )
        stop.wait()
        return
    logger.info("mail worker started: SMTP %s:%s", settings.smtp_host, settings.smtp_port)
    MailWorker(session_factory(), smtp_mailer_from_settings(settings)).run_forever(stop)
    logger.info("mail worker stopped")
