"""One stored format for every scrypt hash (account and agent passwords, one-time codes).

`scrypt$N$r$p$salt$hash`, salt and hash in unpadded base64: the cost travels with the
hash, so a caller can raise it (or pick a cheaper one for short-lived codes) without
breaking what is already stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
R, P = 8, 1
SALT_BYTES = 16
HASH_BYTES = 32


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    # maxmem: OpenSSL's 32 MiB default is just below what N=2**15, r=8 needs
    return hashlib.scrypt(
        secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=2 * 128 * r * n, dklen=length
    )


def hash_secret(secret: str, n: int) -> str:
    """A salted scrypt hash of `secret` at cost `n` (a power of two), in the stored format."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(secret, salt, n, R, P, HASH_BYTES)
    return f"{SCHEME}${n}${R}${P}${_b64(salt)}${_b64(digest)}"


def secret_matches(secret: str, stored: str | None) -> bool:
    """Recompute with the stored salt and cost, compare in constant time; False for a
    missing or malformed hash."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = _unb64(digest)
        actual = _scrypt(secret, _unb64(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
