"""Running the browser driver (widget.test.mjs) and talking to it while it runs.

The driver prints one line per event; `run_driver` hands each line to a callback,
so a test can act when the driver waits for something from outside, such as
`WAITING_FOR_AGENT {"session_id": ..., "agent": ...}` (test_widget.py answers it
from the agent desk).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
DRIVER = Path(__file__).resolve().parent / "widget.test.mjs"
CHROMIUM = Path("/usr/bin/chromium")
PLAYWRIGHT = WEB / "node_modules" / "playwright-core" / "package.json"
AGENT_WAIT = "WAITING_FOR_AGENT "
TICKET_WAIT = "WAITING_FOR_TICKET "  # delivery.test.mjs: write the conversation's ticket


def missing_tools() -> str | None:
    """What the browser tests lack on this machine (and how to get it), or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if not PLAYWRIGHT.exists():
        return "web/node_modules is missing (make web, or npm ci --prefix web)"
    return None


def build_widget() -> None:
    """Bundle web/src into web/dist/widget.js (esbuild takes well under a second)."""
    subprocess.run(
        ["npm", "run", "--silent", "build", "--prefix", str(WEB)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


def run_driver(
    args: list[str],
    on_line: Callable[[str], None] | None = None,
    timeout: float = 900,
    driver: Path = DRIVER,
) -> tuple[int, str]:
    """Run the node `driver` (the widget's by default) with `args`; return its exit
    status and its whole output."""
    process = subprocess.Popen(
        ["node", str(driver), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # a hung browser must not hang the test run: kill the driver at the deadline
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    lines: list[str] = []
    started = time.monotonic()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if on_line is not None:
                on_line(line.rstrip("\n"))
        status = process.wait()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
    if time.monotonic() - started >= timeout:
        lines.append(f"killed after {timeout:.0f} s\n")
    return status, "".join(lines)


def agent_wait_request(line: str, prefix: str = AGENT_WAIT) -> dict | None:
    """The driver's WAITING_FOR_AGENT (or other `prefix`) request on this line, if it is one."""
    if not line.startswith(prefix):
        return None
    return json.loads(line[len(prefix) :])
