"""A reply's buttons as lines of text, for channels that cannot show them all."""

from __future__ import annotations

from typing import Any


def button_titles(buttons: list[dict[str, Any]]) -> list[str]:
    return [str(button.get("title") or "").strip() for button in buttons]


def text_with_options(text: str, buttons: list[dict[str, Any]]) -> str:
    """The text, then each button's title on a line of its own ("- Yes")."""
    options = [f"- {title}" for title in button_titles(buttons) if title]
    return "\n".join([text, *options]) if options else text
