"""The fixed split of a held-out set into two halves by a hash of each text: one half
may be read or calibrated on, the other only counted. Shared by the help-centre and
near-domain evaluations so both split the same way."""

from __future__ import annotations

import hashlib


def first_half(text: str) -> bool:
    return hashlib.sha256(text.encode()).digest()[0] % 2 == 0
