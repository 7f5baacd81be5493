"""Reading the NLU result of the latest user message (`tracker.latest_message`)."""

from __future__ import annotations

from typing import Any


def entity_value(parse_data: dict[str, Any], *names: str) -> str | None:
    """The value of the first entity of one of `names`, if the message has one."""
    for entity in parse_data.get("entities") or []:
        if entity.get("entity") in names and entity.get("value"):
            return str(entity["value"])
    return None


def intent_name(parse_data: dict[str, Any]) -> str | None:
    return (parse_data.get("intent") or {}).get("name")
