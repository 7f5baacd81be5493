"""Dependency audit: pip-audit over the pinned requirements, npm audit over web/.

Every advisory reported for a pinned version must be listed, with why it does not
apply (or why no upgrade is allowed), in security/advisories.yml; an unlisted one
fails. When an advisory database cannot be reached, the audit says so in one loud
block; it fails only with AUDIT_OFFLINE=fail (see security/advisories.md: on this
project's CI machine neither database is reachable, so failing would make every run
red without anything in the project to fix).

    python scripts/audit.py --pip-audit .venv-audit/bin/pip-audit
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
KNOWN_FILE = ROOT / "security" / "advisories.yml"
REQUIREMENTS = ("requirements.txt", "requirements-audit.txt")
GHSA = re.compile(r"GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}")


@dataclass(frozen=True)
class Advisory:
    ecosystem: str  # "python" or "npm"
    package: str
    version: str
    ids: frozenset[str]  # the advisory's id and its aliases (CVE, GHSA, PYSEC)

    def label(self) -> str:
        return f"{self.ecosystem} {self.package} {self.version}: {', '.join(sorted(self.ids))}"


@dataclass
class Findings:
    """What one tool reported; `unreachable` says why it could not audit (None: it did)."""

    tool: str
    advisories: list[Advisory] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unreachable: str | None = None
    failed: str | None = None  # the tool itself failed (our mistake): always fails


def python_findings(report: Mapping[str, Any]) -> Findings:
    """pip-audit's JSON report. Dependencies it could not look up are `skipped`; when
    most were, the advisory database was not reachable (pip-audit itself still says
    "No known vulnerabilities found" and exits 0)."""
    findings = Findings("pip-audit")
    dependencies = report.get("dependencies") or []
    for dependency in dependencies:
        if dependency.get("skip_reason"):
            findings.skipped.append(f"{dependency.get('name')}: {dependency['skip_reason']}")
            continue
        for vuln in dependency.get("vulns") or []:
            ids = frozenset([vuln["id"], *(vuln.get("aliases") or [])])
            findings.advisories.append(
                Advisory("python", dependency["name"].lower(), dependency["version"], ids)
            )
    if not dependencies or len(findings.skipped) * 2 > len(dependencies):
        findings.unreachable = (
            f"{len(findings.skipped)} of {len(dependencies)} pinned packages could not be "
            "looked up (PyPI's per-version JSON API, which carries the advisories, is "
            "not reachable from here)"
        )
    return findings


def npm_findings(report: Mapping[str, Any]) -> Findings:
    """npm audit's JSON report (npm 7+): advisories are named by their GHSA URL."""
    findings = Findings("npm audit")
    if "vulnerabilities" not in report:
        error = report.get("error") or {}
        summary = error.get("summary") if isinstance(error, dict) else str(error)
        findings.unreachable = (
            f"the npm registry's advisory endpoint answered: {report.get('message') or summary}"
        )
        return findings
    for name, entry in (report.get("vulnerabilities") or {}).items():
        for via in entry.get("via") or []:
            if isinstance(via, dict):  # a string names another vulnerable package
                ids = frozenset(GHSA.findall(via.get("url", ""))) or frozenset(
                    [str(via.get("source"))]
                )
                findings.advisories.append(Advisory("npm", name, str(via.get("range", "")), ids))
    return findings


def load_known(path: Path = KNOWN_FILE) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = [*(data.get("python") or []), *(data.get("npm") or [])]
    for entry in entries:
        missing = {"id", "package", "why"} - set(entry)
        if missing:
            raise SystemExit(f"{path.name}: entry {entry.get('id')} lacks {sorted(missing)}")
    return entries


def known_ids(entries: Iterable[Mapping[str, Any]]) -> set[str]:
    return {i for e in entries for i in (e["id"], *(e.get("aliases") or []))}


def unlisted(findings: Iterable[Findings], known: set[str]) -> list[Advisory]:
    return [a for f in findings for a in f.advisories if not a.ids & known]


def verdict(findings: list[Findings], known: set[str], offline_fails: bool) -> tuple[int, str]:
    """(exit status, report text)."""
    lines: list[str] = []
    new = unlisted(findings, known)
    for f in findings:
        if f.failed:
            lines.append(f"AUDIT FAILED: {f.tool}: {f.failed}")
        elif f.unreachable:
            lines += [
                "#" * 78,
                f"# DEPENDENCIES NOT AUDITED by {f.tool}: its advisory database is unreachable",
                f"#   {f.unreachable}",
                "#   Known advisories are listed in security/advisories.yml (reviewed by hand).",
                "#" * 78,
            ]
        else:
            reviewed = len([a for a in f.advisories if a.ids & known])
            lines.append(f"{f.tool}: {len(f.advisories)} advisories, {reviewed} reviewed")
    for advisory in new:
        lines.append(f"NEW ADVISORY, not in security/advisories.yml: {advisory.label()}")
    status = 1 if new or any(f.failed for f in findings) else 0
    if any(f.unreachable for f in findings) and offline_fails:
        lines.append("AUDIT_OFFLINE=fail: an unreachable advisory database fails the audit")
        status = 1
    return status, "\n".join(lines)


NETWORK_TROUBLE = re.compile(
    r"ConnectionError|ServiceError|Max retries|Name or service not known|timed? ?out|"
    r"ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT",
    re.IGNORECASE,
)


def tool_trouble(tool: str, stderr: str) -> Findings:
    """A tool that printed no report: the network (unreachable) or our mistake (failed)."""
    last = (stderr.strip().splitlines() or ["no output"])[-1][:300]
    if NETWORK_TROUBLE.search(stderr):
        return Findings(tool, unreachable=last)
    return Findings(tool, failed=last)


def run_pip_audit(pip_audit: str, requirements: Path) -> Findings:
    command = [pip_audit, "--no-deps", "--disable-pip", "--vulnerability-service", "pypi",
               "--format", "json", "--progress-spinner", "off"]  # fmt: skip
    command += ["-r", str(requirements)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    try:
        findings = python_findings(json.loads(result.stdout))
    except ValueError:
        findings = tool_trouble("pip-audit", result.stderr)
    findings.tool = f"pip-audit {requirements.name}"
    return findings


def run_npm_audit(web: Path = ROOT / "web") -> Findings:
    result = subprocess.run(
        ["npm", "audit", "--json", "--package-lock-only"],
        cwd=web, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    try:
        return npm_findings(json.loads(result.stdout))
    except ValueError:
        return tool_trouble("npm audit", result.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip-audit", default="pip-audit", help="the pip-audit executable")
    args = parser.parse_args(argv)
    known = known_ids(load_known())
    findings = [run_pip_audit(args.pip_audit, ROOT / name) for name in REQUIREMENTS]
    findings.append(run_npm_audit())
    offline_fails = os.environ.get("AUDIT_OFFLINE", "warn") == "fail"
    status, text = verdict(findings, known, offline_fails)
    print(text, flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
