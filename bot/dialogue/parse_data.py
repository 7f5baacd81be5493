"""Reading Rasa's NLU result of a user message (parse data, as plain dicts).

Shared by the action server (`tracker.latest_message`) and the in-process slot
mapping of the Rasa server (bot/rasa/patches/hot_path.py), so both read it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def entity_value(parse_data: Mapping[str, Any], *names: str) -> str | None:
    """The value of the first entity of one of `names`, if the message has one."""
    for entity in parse_data.get("entities") or []:
        if entity.get("entity") in names and entity.get("value"):
            return str(entity["value"])
    return None


def intent_name(parse_data: Mapping[str, Any]) -> str | None:
    return (parse_data.get("intent") or {}).get("name")


def intent_confidence(parse_data: Mapping[str, Any]) -> float:
    """The confidence of the intent the NLU chose (0 when it gave none)."""
    confidence = (parse_data.get("intent") or {}).get("confidence")
    return float(confidence) if isinstance(confidence, int | float) else 0.0
