"""Mail backends against real servers: an aiosmtpd SMTP server started here (plain,
and STARTTLS with login), and the outbox table on SQLite and PostgreSQL. Services
queue; `send_queued` runs the mail worker once, as its process does after the reply."""

from __future__ import annotations

import ipaddress
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config.settings import load_settings
from bot.db.models import AuditEntry, OutboxMail
from bot.services.identity.password_reset import redeem_token, request_reset
from bot.services.identity.verification import VerificationStatus, check_code, start_verification
from bot.services.mail.queue import (
    OUTBOX,
    PENDING,
    Mail,
    MailQueue,
    SmtpMailer,
    mail_queue_from_settings,
    smtp_mailer_from_settings,
)
from bot.services.mail.templates import LANGUAGES, PASSWORD_RESET, VERIFICATION_CODE
from bot.services.mail.worker import MailWorker
from tests.support.servers import free_port
from tests.support.services import NOW, POLICY

SENDER = "support@example.com"
RESET_URL = "https://support.example.com/reset-password"


# --- a real SMTP server -----------------------------------------------------------


@dataclass
class Collector:
    """aiosmtpd handler keeping every accepted message."""

    received: list[Any] = field(default_factory=list)  # aiosmtpd Envelope objects
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            self.logins.append((data.login, data.password))
            return AuthResult(success=data.password == b"s3cret")
        return AuthResult(success=False)

    def only_message(self) -> EmailMessage:
        [envelope] = self.received
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        assert isinstance(message, EmailMessage)
        return message


@dataclass
class SmtpServer:
    collector: Collector
    port: int

    def mailer(self, **overrides: Any) -> SmtpMailer:
        options: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "starttls": False,
            "user": "",
            "password": "",
            "sender": SENDER,
        }
        return SmtpMailer(**{**options, **overrides})


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(collector, controller.port)
    finally:
        controller.stop()


def self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """Server and client TLS contexts for a certificate valid for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.utcnow() - timedelta(days=1))
        .not_valid_after(datetime.utcnow() + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


SMTP_QUEUE = MailQueue(kept_in_outbox=False)


def send_queued(factory: sessionmaker, server: SmtpServer) -> int:
    return MailWorker(factory, server.mailer(), clock=lambda: NOW).run_once()


# --- SMTP -------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_smtp_delivers_the_verification_code_to_the_registered_address(
    session: Session, factory: sessionmaker, smtp_server: SmtpServer, language: str
) -> None:
    start_verification(session, SMTP_QUEUE, "conv-1", "marco_demo", language, NOW, policy=POLICY)
    assert send_queued(factory, smtp_server) == 1

    [envelope] = smtp_server.collector.received
    assert envelope.mail_from == SENDER
    assert envelope.rcpt_tos == ["username.login@example.com"]
    message = smtp_server.collector.only_message()
    assert message["To"] == "username.login@example.com"
    assert message["Subject"] == VERIFICATION_CODE[language].subject
    assert message.get_content_charset() == "utf-8"
    if not message["Subject"].isascii():
        assert b"=?utf-8?" in envelope.content  # RFC 2047 encoded on the wire
    body = message.get_content()
    [code] = re.findall(rf"\b\d{{{POLICY.otp_length}}}\b", body)
    assert f"{POLICY.otp_ttl_minutes} minut" in body
    assert check_code(session, "conv-1", code, NOW, policy=POLICY).status is (
        VerificationStatus.VERIFIED
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_smtp_delivers_a_working_reset_link(
    session: Session, factory: sessionmaker, smtp_server: SmtpServer, language: str
) -> None:
    request_reset(
        session, SMTP_QUEUE, "conv-1", "ACTIVE@example.com", language, NOW, RESET_URL,
        policy=POLICY,
    )  # fmt: skip
    assert send_queued(factory, smtp_server) == 1

    [envelope] = smtp_server.collector.received
    assert envelope.rcpt_tos == ["active@example.com"]
    message = smtp_server.collector.only_message()
    assert message["Subject"] == PASSWORD_RESET[language].subject
    [token] = re.findall(
        rf"{re.escape(RESET_URL)}\?lang=\w\w&token=([\w-]+)", message.get_content()
    )
    assert redeem_token(session, token, NOW) is not None


def test_smtp_sends_nothing_for_an_unknown_identifier(
    session: Session, factory: sessionmaker, smtp_server: SmtpServer
) -> None:
    queue = SMTP_QUEUE
    start_verification(session, queue, "c1", "nobody@example.com", "it", NOW, policy=POLICY)
    request_reset(session, queue, "c2", "nobody@example.com", "it", NOW, RESET_URL, policy=POLICY)
    assert send_queued(factory, smtp_server) == 0
    assert smtp_server.collector.received == []
    stored = " ".join(f"{row.to_address} {row.body}" for row in session.scalars(select(OutboxMail)))
    assert "nobody" not in stored  # the typed address is not kept either


def test_smtp_with_starttls_and_login(tmp_path: Path) -> None:
    server_tls, client_tls = self_signed(tmp_path)
    collector = Collector()
    controller = Controller(
        collector,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=collector.authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        mailer = SmtpMailer(
            "127.0.0.1", controller.port, True, "bot", "s3cret", SENDER, tls_context=client_tls
        )
        mailer.send(Mail("mario.rossi@libero.it", "Réinitialisation", "Lien : https://x/y"))
    finally:
        controller.stop()

    assert collector.logins == [(b"bot", b"s3cret")]
    message = collector.only_message()
    assert message["Subject"] == "Réinitialisation"
    assert message.get_content().strip() == "Lien : https://x/y"


def test_an_unreachable_smtp_server_changes_nothing_the_caller_sees(
    session: Session, factory: sessionmaker
) -> None:
    result = start_verification(
        session, SMTP_QUEUE, "c1", "active@example.com", "en", NOW, policy=POLICY
    )
    assert result is None
    down = SmtpMailer("127.0.0.1", free_port(), False, "", "", SENDER, timeout=2)
    assert MailWorker(factory, down, clock=lambda: NOW).run_once() == 0
    events = list(session.scalars(select(AuditEntry.event).order_by(AuditEntry.id)))
    assert events == ["verification_started"]
    [row] = session.scalars(select(OutboxMail))
    session.refresh(row)
    assert (row.status, row.attempts) == (PENDING, 1)  # kept for the next try


def test_reprs_show_no_password_code_or_full_address() -> None:
    mailer = SmtpMailer("smtp.example.com", 587, True, "bot", "s3cret", SENDER)
    mail = Mail("mario.rossi@libero.it", "Il tuo codice di verifica", "123456")
    assert "s3cret" not in repr(mailer)
    assert "123456" not in repr(mail) and "mario.rossi" not in repr(mail)


# --- outbox and settings ----------------------------------------------------------


def test_the_outbox_backend_keeps_the_mail_as_its_row(
    factory: sessionmaker, session: Session
) -> None:
    mail = Mail("mario.rossi@libero.it", "Votre code de vérification", "Code : 123456 ✓")
    with factory() as writer:
        MailQueue(kept_in_outbox=True).add(writer, mail, NOW, NOW + timedelta(minutes=10))
        writer.commit()

    [row] = session.scalars(select(OutboxMail))
    assert (row.to_address, row.subject, row.body, row.created_at, row.status) == (
        mail.to, mail.subject, mail.body, NOW, OUTBOX,
    )  # fmt: skip


def test_the_mail_backend_comes_from_settings() -> None:
    outbox = load_settings(env_file=None, environ={"MAIL_BACKEND": "outbox", "DEMO": "true"})
    assert mail_queue_from_settings(outbox) == MailQueue(kept_in_outbox=True)

    smtp = load_settings(
        env_file=None,
        environ={
            "MAIL_BACKEND": "smtp",
            "MAIL_FROM": "help@example.it",
            "SMTP_HOST": "mail.example.it",
            "SMTP_PORT": "587",
            "SMTP_STARTTLS": "true",
            "SMTP_USER": "bot",
            "SMTP_PASSWORD": "s3cret",
        },
    )
    assert mail_queue_from_settings(smtp) == MailQueue(kept_in_outbox=False)
    assert smtp_mailer_from_settings(smtp) == SmtpMailer(
        "mail.example.it", 587, True, "bot", "s3cret", "help@example.it"
    )


# --- templates --------------------------------------------------------------------


@pytest.mark.parametrize("templates", [VERIFICATION_CODE, PASSWORD_RESET])
def test_every_mail_exists_in_every_language_with_its_placeholders(templates: dict) -> None:
    assert set(templates) == set(LANGUAGES)
    subjects = {template.subject for template in templates.values()}
    assert len(subjects) == len(LANGUAGES)  # really translated
    placeholder = "{code}" if templates is VERIFICATION_CODE else "{link}"
    for template in templates.values():
        assert placeholder in template.body and "{minutes}" in template.body
