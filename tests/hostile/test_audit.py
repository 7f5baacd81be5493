"""The dependency audit's verdicts (scripts/audit.py), on the reports pip-audit and
npm audit print: an unreviewed advisory fails, a reviewed one passes, and a database
that cannot be reached is said out loud (and fails with AUDIT_OFFLINE=fail)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.support.environment import ROOT

spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit.py")
assert spec and spec.loader
audit = importlib.util.module_from_spec(spec)
sys.modules["audit"] = audit  # dataclasses look their module up
spec.loader.exec_module(audit)

AIOHTTP_SMUGGLING = {
    "id": "GHSA-8495-4g3g-x7pr", "fix_versions": ["3.10.11"], "aliases": ["CVE-2024-52304"],
    "description": "The Python parser parses newlines in chunk extensions incorrectly",
}  # fmt: skip
UNKNOWN = {"id": "PYSEC-2099-1", "fix_versions": ["9.9"], "aliases": ["CVE-2099-0001"]}


def pip_report(*vulns: dict, skipped: int = 0) -> dict:
    dependencies = [{"name": "aiohttp", "version": "3.9.5", "vulns": list(vulns)}]
    dependencies += [{"name": "yarl", "version": "1.25.1", "vulns": []}] * 3
    dependencies += [
        {"name": f"p{i}", "skip_reason": "Dependency not found on PyPI and could not be audited"}
        for i in range(skipped)
    ]
    return {"dependencies": dependencies, "fixes": []}


@pytest.fixture(scope="module")
def known() -> set[str]:
    return audit.known_ids(audit.load_known())


def test_every_listed_advisory_says_why(known: set[str]) -> None:
    entries = audit.load_known()
    assert entries and all(e["why"].strip() and e.get("applies") for e in entries)
    assert "GHSA-8495-4g3g-x7pr" in known


def test_a_reviewed_advisory_passes(known: set[str]) -> None:
    findings = [audit.python_findings(pip_report(AIOHTTP_SMUGGLING))]
    status, text = audit.verdict(findings, known, offline_fails=True)
    assert status == 0, text
    assert "1 advisories, 1 reviewed" in text


def test_an_advisory_not_in_the_list_fails(known: set[str]) -> None:
    findings = [audit.python_findings(pip_report(AIOHTTP_SMUGGLING, UNKNOWN))]
    status, text = audit.verdict(findings, known, offline_fails=False)
    assert status == 1
    assert "NEW ADVISORY" in text and "PYSEC-2099-1" in text


def test_an_alias_is_enough_to_match(known: set[str]) -> None:
    by_cve = {"id": "PYSEC-2024-999", "aliases": ["CVE-2024-52304"]}
    status, _ = audit.verdict([audit.python_findings(pip_report(by_cve))], known, True)
    assert status == 0


def test_all_packages_skipped_means_the_database_was_not_reached(known: set[str]) -> None:
    # what pip-audit prints here: every lookup 404s, "No known vulnerabilities found", exit 0
    findings = [audit.python_findings(pip_report(skipped=20))]
    assert findings[0].unreachable
    status, text = audit.verdict(findings, known, offline_fails=False)
    assert status == 0 and "DEPENDENCIES NOT AUDITED" in text
    assert audit.verdict(findings, known, offline_fails=True)[0] == 1


def test_npm_advisories_are_matched_by_their_ghsa(known: set[str]) -> None:
    report = {
        "vulnerabilities": {
            "ws": {
                "via": [
                    {
                        "source": 1098392,
                        "url": "https://github.com/advisories/GHSA-3h5v-q93c-6h6q",
                        "range": ">=8.0.0 <8.17.1",
                    }
                ]
            },
            "engine.io-client": {"via": ["ws"]},
        }
    }
    findings = audit.npm_findings(report)
    assert [a.ids for a in findings.advisories] == [frozenset({"GHSA-3h5v-q93c-6h6q"})]
    assert audit.verdict([findings], known, offline_fails=True)[0] == 1  # not reviewed


def test_an_unreachable_npm_registry_is_reported() -> None:
    report = {"message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
              "statusCode": 405}  # fmt: skip
    findings = audit.npm_findings(report)
    assert findings.unreachable and "405" in findings.unreachable


def test_a_tool_that_breaks_fails_the_audit(known: set[str]) -> None:
    broken = audit.tool_trouble("pip-audit", "ERROR: package x has duplicate requirements")
    assert broken.failed and not broken.unreachable
    assert audit.verdict([broken], known, offline_fails=False)[0] == 1
    offline = audit.tool_trouble("pip-audit", "requests.exceptions.ConnectionError: Max retries")
    assert offline.unreachable and audit.verdict([offline], known, offline_fails=False)[0] == 0
