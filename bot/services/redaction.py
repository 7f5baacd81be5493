"""Keep personal data out of logs and the audit table.

Logs show masked emails only; the audit log and rate limits work on SHA-256 keys
of normalised values, so they can count and link requests without storing them.
"""

from __future__ import annotations

import hashlib
import unicodedata


def normalise(value: str) -> str:
    """Fold case and Unicode forms so "Mario@Libero.it " and "mario@libero.it" match."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def subject_key(value: str) -> str:
    """A stable SHA-256 hex of the normalised value (email, username, account ID)."""
    return hashlib.sha256(f"subject:{normalise(value)}".encode()).hexdigest()


def conversation_key(conversation_id: str) -> str:
    """A stable SHA-256 hex of a conversation (sender) id, kept exact: ids are case-sensitive."""
    return hashlib.sha256(f"conversation:{conversation_id}".encode()).hexdigest()


def mask_email(email: str) -> str:
    """ "mario@libero.it" -> "m***@libero.it": enough for an operator, not an address."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain.lower()}"
