"""Folded text: how the NLU compares words (lowercase, no accents, same offsets)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lowercase without accents, same length as the input (offsets stay valid)."""
    # Character by character: "İ".lower() is two characters, and the offsets of the
    # lexicon entities found in the folded text must point into the original.
    return "".join(unicodedata.normalize("NFD", char.lower())[0] for char in text)
