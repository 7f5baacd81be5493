"""Which response (and which language variation) a bot text came from."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def responses() -> dict[str, list[dict]]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def variation_language(variation: dict) -> str:
    for condition in variation.get("condition") or []:
        if condition.get("name") == "language":
            return condition["value"]
    return "en"  # the unconditioned variation is English


def _pattern(template: str) -> re.Pattern[str]:
    # slot placeholders such as {data_deletion_days} match any value
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile(".+?".join(re.escape(p) for p in parts) + r"\Z", re.DOTALL)


def identify(text: str) -> tuple[str, str] | None:
    """(response name, language) of a bot text, or None if no response matches."""
    for name, variations in responses().items():
        for variation in variations:
            if _pattern(variation.get("text", "")).match(text):
                return name, variation_language(variation)
    return None
