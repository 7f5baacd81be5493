"""Stored text made fit to search for what a customer typed.

Numbers the assistant computed hold digits by chance: a confidence 0.99997631411...
held '4111', a keyed hash's hex held the '347' of a phone number. Both are blanked
before a test looks for a customer's digits, so a test fails on a leak, not on luck.
"""

from __future__ import annotations

import re

# a float on its own: not a group of a dotted chain a customer typed ("4111.1111.1111.1111")
FLOAT = re.compile(r"(?<![\d.])-?\d+\.\d+(?:[eE][-+]?\d+)?(?![.\d])")
# ...nor a one-time code typed with a dot ("482.913"), which a float of the assistant's
# equals only by a chance far below a code's
DOTTED_CODE = re.compile(r"\d{3}\.\d{3}")
# 32 hex characters or more with a letter among them: a digest, never a card (16 digits)
DIGEST = re.compile(r"\b(?=[0-9a-f]*[a-f])[0-9a-f]{32,}\b")


def searchable(text: str) -> str:
    """`text` with its floats and hex digests blanked."""
    floats_blanked = FLOAT.sub(
        lambda found: found.group() if DOTTED_CODE.fullmatch(found.group()) else "0.0", text
    )
    return DIGEST.sub("<digest>", floats_blanked)


# Between a secret's digits: any short run of non-alphanumerics, JSON escapes ("\u00a0")
# included; broader than the NLU's separators, so a search also sees what they miss.
GAP = r"(?:[\W_]|\\u[0-9a-fA-F]{4}){0,3}"


def card_pattern(digits: str) -> re.Pattern[str]:
    """A card number's digits however typed: plain, "4111.1111 - 1111...", ..."""
    return re.compile(GAP.join(digits))


def code_pattern(code: str) -> re.Pattern[str]:
    """A six-digit code as typed: "482913", "482 913", "482-913", "482.913"..."""
    return re.compile(rf"(?<!\d){code[:3]}{GAP}{code[3:]}(?!\d)")
