"""The desk's Insights page in a real browser (Debian's chromium through playwright-core,
driven by insights.test.mjs): a supervisor sees the charts, a plain agent is refused.
Screenshots in reports/browser/. Skipped with a printed reason when node, chromium or
web/node_modules are missing, unless REQUIRE_SERVICES=1."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from tests.browser.support import ROOT, build_widget, missing_tools
from tests.support.environment import require_service
from tests.support.servers import Assistant, Desk

pytestmark = pytest.mark.slow

DRIVER = ROOT / "tests" / "browser" / "insights.test.mjs"
SCREENSHOTS = ROOT / "reports" / "browser"


def test_a_supervisor_sees_the_charts_and_a_plain_agent_is_refused(
    assistant: Assistant, desk: Desk, supervisor: Desk
) -> None:
    problem = missing_tools()
    if problem:
        require_service("browser tests", problem)
    build_widget()  # web/dist/insights.js too
    for text, language in (("hello", "en"), ("xxxxx yyyy", "it"), ("bonjour", "fr")):
        assistant.send(f"insights-page-{uuid.uuid4().hex[:8]}", text, language=language)
    result = subprocess.run(
        ["node", str(DRIVER), "--desk", desk.url,
         "--supervisor", f"{supervisor.agent}:{supervisor.password}",
         "--agent", f"{desk.agent}:{desk.password}", "--out", str(SCREENSHOTS)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert (SCREENSHOTS / "insights-supervisor.png").stat().st_size > 10_000
