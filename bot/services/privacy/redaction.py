"""Keep personal data out of logs and the audit table.

Logs show masked emails only; the audit log and rate limits work on keyed hashes
(HMAC-SHA256 under a key derived from SECRET_KEY) of normalised values, so they can
count and link requests without storing them, and a copy of the table alone cannot
be used to test guesses of who asked.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from bot.config.keys import AUDIT, derive_key
from bot.nlu.entity_rules import EMAIL, SIX_DIGITS, card_number_spans, extract_entities

CARD_PLACEHOLDER = "[card number removed]"
CODE_PLACEHOLDER = "[one-time code]"
# Numbers that are personal data, as the NLU reads them; dates, prices, account IDs are not.
PERSONAL_NUMBERS = frozenset({"otp_code", "card_last4"})


def normalise(value: str) -> str:
    """Fold case and Unicode forms so "Mario@Libero.it " and "mario@libero.it" match."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def _keyed(label: str, value: str) -> str:
    return hmac.new(derive_key(AUDIT), f"{label}:{value}".encode(), hashlib.sha256).hexdigest()


def subject_key(value: str) -> str:
    """A stable keyed hash of the normalised value (email, username, account ID)."""
    return _keyed("subject", normalise(value))


def conversation_key(conversation_id: str) -> str:
    """A stable keyed hash of a conversation (sender) id, kept exact: ids are case-sensitive."""
    return _keyed("conversation", conversation_id)


def mask_email(email: str) -> str:
    """ "mario@libero.it" -> "m***@libero.it": enough for an operator, not an address."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain.lower()}"


def remove_card_numbers(text: str) -> str:
    """Full card numbers (13-19 digits, any separators: the NLU's rule) replaced by a marker."""
    for start, end in reversed(card_number_spans(text)):
        text = text[:start] + CARD_PLACEHOLDER + text[end:]
    return text


def mask_emails(text: str) -> str:
    """Every email address (the NLU's rule) masked as by `mask_email`."""
    return EMAIL.sub(lambda match: mask_email(match.group()), text)


def scrub_text(text: str) -> str:
    """Text safe to store or log: card numbers removed, emails masked, one-time codes
    (six digits, maybe "482-913": the NLU's rule) replaced. Idempotent."""
    text = remove_card_numbers(text)
    return SIX_DIGITS.sub(CODE_PLACEHOLDER, mask_emails(text))


def mask_numbers(text: str) -> str:
    """Text safe for a ticket: card numbers removed, one-time codes and card endings
    (the NLU's rules) masked digit by digit; a year or a price stays readable."""
    text = remove_card_numbers(text)
    spans = [
        (entity.start, entity.end)
        for entity in extract_entities(text, with_language=False)
        if entity.entity in PERSONAL_NUMBERS
    ]
    for start, end in reversed(spans):
        text = text[:start] + re.sub(r"\d", "•", text[start:end]) + text[end:]
    return text
