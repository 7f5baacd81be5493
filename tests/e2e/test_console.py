"""What a newcomer sees when the assistant starts (`make run` runs the same
`python -m bot train` and `python -m bot serve ...` commands): no Python warning lines
while it trains, nor before "Rasa server is up"."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.environment import ROOT
from tests.support.servers import Assistant

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


def test_training_prints_no_warning_lines(tmp_path: Path) -> None:
    """The training console of a first `make run` (the command `python -m bot train`
    runs; a dry run validates the domain and data and builds the training graph)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.rasa.train", "--config", "config.yml",
         "--domain", "domain.yml", "--data", "data", "--out", str(tmp_path), "--dry-run"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )  # fmt: skip
    console = (result.stdout + result.stderr).splitlines()
    assert any("Validating utterances" in line for line in console), console[-20:]
    assert [line for line in console if WARNING_LINE.search(line) or "Traceback" in line] == []
