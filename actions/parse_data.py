"""Reading the NLU result of the latest user message (`tracker.latest_message`)."""

from __future__ import annotations

import re
from typing import Any

from bot.dialogue.parse_data import entity_value, intent_confidence, intent_name
from bot.nlu.entity_rules import has_card_number

__all__ = ["entity_value", "identifier_in", "intent_confidence", "intent_name"]

# One word: an email, account ID or username. A sentence with none of them is no identifier.
ONE_WORD_IDENTIFIER = re.compile(r"[\w.@+-]{2,64}")


def identifier_in(parse_data: dict[str, Any]) -> str | None:
    """The email, account ID or username the message gives, if any.

    An entity when the rules found one; else the whole message if it is a single
    word (a username the rules did not know); else None, so the form asks again.
    A message with a full card number gives None: it is never taken as an identifier.
    """
    if has_card_number(str(parse_data.get("text") or "")):
        return None
    found = entity_value(parse_data, "email", "account_id", "username")
    if found is not None:
        return found
    text = str(parse_data.get("text") or "").strip()
    return text if ONE_WORD_IDENTIFIER.fullmatch(text) else None
