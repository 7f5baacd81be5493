"""Slot values that later turns need but the tracker store must not hold in clear.

The handoff form collects an email or username in one turn and uses it turns later
(to send a code, to match the account, for the ticket). Between turns the value
lives in Rasa's tracker store, so the action seals it: AES-256-GCM under a key
derived from SECRET_KEY, bound to the conversation, written as letters a-p only so
that no scrubbing rule (digits, "@") can ever touch it. The length of a sealed value
depends only on the length of the clear one, never on whether an account matches.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.config.keys import SEALED_SLOTS, derive_key

PREFIX = "sealed:"
_NONCE_BYTES = 12
_LETTERS = "abcdefghijklmnop"  # one letter per half byte


def _encode(data: bytes) -> str:
    return "".join(_LETTERS[b >> 4] + _LETTERS[b & 15] for b in data)


def _decode(text: str) -> bytes:
    if len(text) % 2 or any(c not in _LETTERS for c in text):
        raise ValueError("not a sealed value")
    pairs = zip(text[::2], text[1::2], strict=True)
    return bytes(_LETTERS.index(high) << 4 | _LETTERS.index(low) for high, low in pairs)


def is_sealed(value: object) -> bool:
    """Whether `value` is written as `seal` writes (it may still not open)."""
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(value: str, conversation_id: str) -> str:
    """`value` encrypted for this conversation: "sealed:<letters>"."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    box = AESGCM(derive_key(SEALED_SLOTS)).encrypt(nonce, value.encode(), conversation_id.encode())
    return PREFIX + _encode(nonce + box)


def unseal(value: str | None, conversation_id: str) -> str | None:
    """The clear value of a sealed one; a value that is not sealed comes back as it is
    (None, the forms' "skipped"); a sealed value that does not open gives None."""
    if value is None or not value.startswith(PREFIX):
        return value
    try:
        data = _decode(value[len(PREFIX) :])
        clear = AESGCM(derive_key(SEALED_SLOTS)).decrypt(
            data[:_NONCE_BYTES], data[_NONCE_BYTES:], conversation_id.encode()
        )
    except (ValueError, InvalidTag):
        return None
    return clear.decode()
