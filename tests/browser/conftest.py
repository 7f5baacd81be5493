"""Fixtures every browser test module shares."""

from __future__ import annotations

import pytest

from tests.browser.support import build_widget, missing_tools
from tests.support.environment import require_service


@pytest.fixture(scope="module")
def browser_tools() -> None:
    """chromium and node are here (else skip, or fail under REQUIRE_SERVICES), and the
    widget is built."""
    problem = missing_tools()
    if problem:
        require_service("browser tests", problem)
    build_widget()
