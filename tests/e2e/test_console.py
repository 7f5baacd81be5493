"""What a newcomer sees when the assistant starts (`make run` runs the same
`python -m bot serve ...` commands): no Python warning lines before "Rasa server is up"."""

from __future__ import annotations

import re

import pytest

from tests.servers import Assistant

pytestmark = pytest.mark.slow

WARNING_LINE = re.compile(r"\b\w*(Warning|Deprecation)\w*\b:|warnings\.warn|raise_warning")
UP = "Rasa server is up"


def _console(assistant: Assistant, name: str) -> str:
    assert assistant.workdir is not None
    return (assistant.workdir / f"{name}.log").read_text(encoding="utf-8", errors="replace")


def test_the_servers_start_without_warning_lines(assistant: Assistant) -> None:
    rasa = _console(assistant, "rasa")
    assert UP in rasa
    startup = rasa.split(UP)[0].splitlines() + _console(assistant, "actions").splitlines()
    warnings = [line for line in startup if WARNING_LINE.search(line)]
    assert warnings == []
