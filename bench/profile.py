"""A py-spy profile of a running server, summarised as its top frames.

py-spy samples the process from outside (it needs root, or ptrace rights). The raw
output is one line per distinct stack: `frame;frame;...;frame COUNT`. We report
where the CPU goes two ways: by package (share of samples whose stack passes through
it: `jsonschema`, `sqlalchemy`, ...) and by function (share of samples where the
function is on the stack, without frames that are on nearly every stack), and
by the innermost frame (self time).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PY_SPY = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "py-spy"
FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^:]+)(?::\d+)?\)$")
PACKAGES = (
    "jsonschema", "sqlalchemy", "tensorflow", "keras", "sklearn", "spacy", "lingua",
    "rasa/core/tracker_store", "rasa/core/processor", "rasa/core/policies",
    "rasa/nlu", "rasa/core/actions", "rasa/core/lock_store", "aiohttp", "sanic",
    "psycopg2", "redis", "bot/nlu", "bot/language", "json", "copy",
)  # fmt: skip
# A worker thread waiting for work (the tracker store's database calls run in a pool):
# py-spy samples it in the queue's wait, which is no CPU of the server's
IDLE_LEAVES = (("_worker", "concurrent/futures/thread.py"),)
EVENT_LOOP = ("run_forever", "_run_once", "_run", "<module>", "run", "main", "serve")


@dataclass
class Recording:
    output: Path
    thread: threading.Thread
    errors: list[str] = field(default_factory=list)


def record_profile(pid: int, delay_s: float, seconds: float, output: Path) -> Recording | None:
    """Sample `pid` for `seconds`, starting after `delay_s`, in the background."""
    executable = str(PY_SPY) if PY_SPY.exists() else shutil.which("py-spy")
    if executable is None:
        print("  py-spy is not installed: no profile", flush=True)
        return None
    recording = Recording(output, threading.Thread(daemon=True))

    def run() -> None:
        threading.Event().wait(delay_s)
        result = subprocess.run(
            [executable, "record", "--pid", str(pid), "--duration", str(int(seconds)),
             "--rate", "100", "--format", "raw", "--nonblocking", "--output", str(output)],
            capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode != 0:
            recording.errors.append(result.stderr.strip()[-500:])

    recording.thread = threading.Thread(target=run, daemon=True)
    recording.thread.start()
    return recording


def parse_stacks(text: str) -> list[tuple[list[tuple[str, str]], int]]:
    stacks = []
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = []
        for raw in stack.split(";"):
            match = FRAME.match(raw.strip())
            frames.append((match["function"], match["file"]) if match else (raw.strip(), ""))
        stacks.append((frames, int(count)))
    return stacks


def is_idle(frames: list[tuple[str, str]]) -> bool:
    if not frames:
        return False
    function, file = frames[-1]
    return any(function == idle and file.endswith(path) for idle, path in IDLE_LEAVES)


def summarise(text: str, top: int = 15) -> dict:
    stacks = [(frames, count) for frames, count in parse_stacks(text) if not is_idle(frames)]
    total = sum(count for _, count in stacks)
    if not total:
        return {"samples": 0, "packages": {}, "functions": []}
    packages: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for frames, count in stacks:
        if frames:
            leaf_function, leaf_file = frames[-1]
            leaves[f"{leaf_function} ({short_path(leaf_file)})"] += count
        files = {file for _, file in frames}
        for package in PACKAGES:
            if any(in_package(file, package) for file in files):
                packages[package] += count
        seen = set()
        for function, file in frames:
            if function in EVENT_LOOP:
                continue
            name = f"{function} ({short_path(file)})"
            if name not in seen:
                seen.add(name)
                functions[name] += count
    return {
        "samples": total,
        "packages": {p: round(100 * c / total, 1) for p, c in packages.most_common()},
        # frames on (nearly) every stack are the server's own plumbing: left out
        "functions": [
            (f, round(100 * c / total, 1)) for f, c in functions.most_common() if c / total < 0.9
        ][:top],
        "self": [(f, round(100 * c / total, 1)) for f, c in leaves.most_common(top)],
    }


def in_package(file: str, package: str) -> bool:
    # py-spy shortens site-packages paths ("sqlalchemy/engine/base.py")
    return any(
        file.startswith(f"{package}{end}") or f"/{package}{end}" in file for end in ("/", ".py")
    )


def short_path(file: str) -> str:
    for marker in ("site-packages/", "/wt/", "/main/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def profile_summary(recording: Recording | None) -> dict | None:
    if recording is None:
        return None
    recording.thread.join(timeout=120)
    if recording.errors or not recording.output.exists():
        print(f"  py-spy failed: {recording.errors}", flush=True)
        return None
    summary = summarise(recording.output.read_text(encoding="utf-8", errors="replace"))
    recording.output.unlink()
    return summary
