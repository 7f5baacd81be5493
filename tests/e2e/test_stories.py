"""Rasa conversation tests (test stories) in Italian, French and English:
chit-chat and FAQ (test_<lang>.yml), and the account flows (test_<lang>_account.yml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.environment import ROOT
from tests.support.servers import Assistant

pytestmark = pytest.mark.slow


STORY_FILES = sorted(p.name for p in (ROOT / "tests" / "stories").glob("test_*.yml"))


@pytest.mark.parametrize("story_file", STORY_FILES)
def test_stories_pass_without_prediction_errors(
    story_file: str, model_path: Path, assistant: Assistant, tmp_path: Path
) -> None:
    # the running action server of `assistant` serves the custom actions
    result = subprocess.run(
        [
            sys.executable, "-m", "rasa", "test", "core",
            "--model", str(model_path),
            "--stories", f"tests/stories/{story_file}",
            "--endpoints", "endpoints.yml",
            "--out", str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT, env=assistant.env, capture_output=True, text=True, timeout=600,
        check=False,
    )  # fmt: skip
    failed = (
        (tmp_path / "failed_test_stories.yml").read_text()
        if (tmp_path / "failed_test_stories.yml").exists()
        else ""
    )
    assert result.returncode == 0, failed or result.stdout[-3000:] + result.stderr[-3000:]
