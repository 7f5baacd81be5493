"""Screenshots from the customer (issue #25), in a real browser: the customer uploads a
PNG during a live chat, keyboard only, and the agent sees it on the desk; a file that is
no image and one over 5 MB are refused with a clear message in the widget
(screenshots.test.mjs, two browser contexts).

Skipped with a printed reason when node, chromium or web/node_modules are missing,
unless REQUIRE_SERVICES=1."""

from __future__ import annotations

import secrets
import string
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from bot.services.screenshots.images import MAX_BYTES
from tests.browser.support import (
    ROOT,
    TICKET_WAIT,
    agent_wait_request,
    run_driver,
)
from tests.support.desk_client import open_widget_ticket
from tests.support.servers import Assistant, Desk, run_site

pytestmark = pytest.mark.slow

DRIVER = ROOT / "tests" / "browser" / "screenshots.test.mjs"
SCREENSHOTS = ROOT / "reports" / "browser"


def files(directory: Path) -> dict[str, Path]:
    """A real PNG, a text file named like one, and a PNG-looking file over the limit."""
    shot = Image.new("RGB", (400, 300), "white")
    draw = ImageDraw.Draw(shot)
    draw.rectangle((20, 20, 200, 120), fill="#1d4ed8")
    draw.text((30, 150), "Error 0x80070005", fill="black")
    made = {
        "png": directory / "errore.png",
        "not-image": directory / "note.png",
        "oversize": directory / "enorme.png",
    }
    shot.save(made["png"])
    made["not-image"].write_text("<html><script>alert(1)</script></html>", encoding="utf-8")
    made["oversize"].write_bytes(made["png"].read_bytes() + b"\0" * MAX_BYTES)
    return made


def test_the_agent_sees_the_customers_screenshot_and_bad_files_are_refused(
    browser_tools: None,
    assistant: Assistant,
    desk: Desk,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    workdir = tmp_path_factory.mktemp("screenshots-site")
    marker = "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))
    problems: list[str] = []

    def on_line(line: str) -> None:
        request = agent_wait_request(line, TICKET_WAIT)
        if request is None:
            return
        try:
            reason = f"vorrei mandare uno screenshot ({request['marker']})"
            open_widget_ticket(assistant.env, request["session_id"], reason=reason)
        except Exception as error:  # reported below: the driver then times out waiting
            problems.append(repr(error))

    made = files(workdir)
    for site in run_site(assistant.env, workdir, int(assistant.env["RASA_PORT"])):
        status, output = run_driver(
            [
                "--site", site, "--desk", desk.url,
                "--agent", f"{desk.agent}:{desk.password}", "--marker", marker,
                *(arg for name, path in made.items() for arg in (f"--{name}", str(path))),
                "--out", str(SCREENSHOTS),
            ],
            on_line,
            timeout=600,
            driver=DRIVER,
        )  # fmt: skip
        print(output)
        assert not problems, problems
        assert status == 0, f"the browser run failed:\n{output[-4000:]}"
        assert "all screenshot checks passed" in output
