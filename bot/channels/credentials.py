"""Which channels of `credentials.yml` are on: those whose variables are all set.

`credentials.yml` lists every channel with `${VAR}` placeholders. Rasa refuses to
start when a `${VAR}` is unset, so `python -m bot serve rasa` gives Rasa a copy
that keeps only the channels whose `${VAR}`s are all set (non-empty):

    ${VAR}              required: the channel is off while VAR is unset
    ${VAR:-default}     optional: VAR when set, otherwise the default (as in a shell)

A channel in NEEDED_OUTSIDE_DEMO is on outside demo mode only when its variable
is set; in demo mode it is on without it (REST: open in the demo, token-protected
otherwise).

The copy keeps the `${VAR}` placeholders, which Rasa expands from its environment,
so no token is written to disk. Sections are found line by line: a line starting at
column 0 with `name:` opens a channel's section (YAML's top-level keys); comments and
blank lines at column 0 belong to the section that follows them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from bot.config.settings import VAR_DIR

# channel -> the variable it cannot do without outside demo mode (DEMO=true)
NEEDED_OUTSIDE_DEMO = {"bot.channels.rest.RestInput": "REST_TOKEN"}
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
SECTION_START = re.compile(r"^([^\s#][^:]*):")


def _sections(template: str) -> dict[str, list[str]]:
    """Top-level key -> its lines (leading comments, the key line, indented lines)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    pending: list[str] = []  # blank lines and column-0 comments: they belong to what follows
    for line in template.splitlines():
        start = SECTION_START.match(line)
        if start:
            current = sections.setdefault(start.group(1).strip(), [])
        elif current is None or not line.startswith((" ", "\t")):
            pending.append(line)
            continue
        current.extend([*pending, line])
        pending = []
    return sections


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def active_credentials(
    template: Path, environ: Mapping[str, str], demo: bool = False
) -> dict[str, str]:
    """Channel key -> its YAML text, for the channels whose required variables are set
    (and, outside demo mode, the NEEDED_OUTSIDE_DEMO ones).

    In the text, an optional `${VAR:-default}` becomes `${VAR}` when VAR is set, else
    the default.
    """

    def expand_optional(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if default is None:
            return match.group(0)
        return f"${{{name}}}" if environ.get(name) else default

    active: dict[str, str] = {}
    for key, lines in _sections(template.read_text(encoding="utf-8")).items():
        values = [line for line in lines if not _is_comment(line)]
        required = [
            match.group(1)
            for line in values
            for match in VARIABLE.finditer(line)
            if match.group(2) is None
        ]
        if not demo and key in NEEDED_OUTSIDE_DEMO:
            required.append(NEEDED_OUTSIDE_DEMO[key])
        if all(environ.get(name) for name in required):
            text = [line if _is_comment(line) else VARIABLE.sub(expand_optional, line)
                    for line in lines]  # fmt: skip
            active[key] = "\n".join(text).strip("\n") + "\n"
    return active


def channel_label(key: str) -> str:
    """`bot.channels.telegram.TelegramInput` -> `telegram`; `rest` -> `rest`."""
    parts = key.split(".")
    return parts[-2] if len(parts) > 1 else key


def write_active_credentials(
    template: Path, environ: Mapping[str, str], out_dir: Path = VAR_DIR, *, demo: bool = False
) -> Path:
    """Write the active channels to `out_dir`, print their names, return the file's path.

    The file is named after its content, so servers started from this directory with
    different channels (tests, a second instance) never read each other's file.
    """
    active = active_credentials(template, environ, demo)
    header = f"# Generated from {template.name} by bot/channels/credentials.py: do not edit.\n"
    content = "\n".join([header, *active.values()])
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:12]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"credentials-{digest}.yml"
    if not path.exists():
        partial = out_dir / f".{path.name}.{os.getpid()}.tmp"
        partial.write_text(content, encoding="utf-8")
        os.replace(partial, path)  # atomic: another server never reads half a file
    print("channels: " + ", ".join(channel_label(key) for key in active), flush=True)
    return path
