"""`python -m bot help-centre import`, run for real: a Zendesk export (the fixture in
tests/fixtures/zendesk/) and markdown articles land in HELP_CENTRE_DIR in our format;
a bad file is refused with one line and nothing is written."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config.settings import PROJECT_ROOT
from bot.services.help_centre.article_file import parse

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "zendesk"
PAGE_1 = FIXTURE / "articles-page-1.json"
SAVE = "zendesk-360010000001"


def _import(target: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "help-centre", "import", *map(str, paths)],
        cwd=PROJECT_ROOT, env={**os.environ, "HELP_CENTRE_DIR": str(target)},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _page(tmp_path: Path, articles: list[dict], name: str = "page.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"articles": articles, "next_page": None}), encoding="utf-8")
    return path


def _article(**changes: object) -> dict:
    first = json.loads(PAGE_1.read_text(encoding="utf-8"))["articles"][0]
    return {**copy.deepcopy(first), **changes}


def test_the_zendesk_fixture_is_imported_in_our_format(tmp_path: Path) -> None:
    target = tmp_path / "help"
    result = _import(target, FIXTURE)
    assert result.returncode == 0, result.stderr
    assert "imported 5 article(s)" in result.stdout
    assert "en 2, fr 2, it 1 (5 new, 0 updated, 0 unchanged)" in result.stdout
    assert "article 360010000003 (en-us): a draft" in result.stdout
    assert "article 360010000001: locale 'de' is not it, fr or en" in result.stdout
    assert sorted(_snapshot(target)) == [
        "en/zendesk-360010000001-save-the-whiteboard-of-a-goto-meeting-session.md",
        "en/zendesk-360010000002-share-the-whiteboard-while-you-present.md",
        "fr/zendesk-360010000001-enregistrer-le-tableau-blanc-d-une-reunion.md",
        "fr/zendesk-360010000002-partager-le-tableau-blanc-pendant-une-reunion.md",
        "it/zendesk-360010000001-salvare-la-lavagna-di-una-riunione.md",
    ]
    [italian] = [parse(p.read_text()) for p in (target / "it").glob(f"{SAVE}-*.md")]
    assert (italian.id, italian.language, italian.title) == (
        SAVE,
        "it",
        "Salvare la lavagna di una riunione",
    )
    assert italian.product == "GoTo Meeting"  # a label names it
    assert italian.topic == "imported"  # no label is one of our topics
    assert italian.url.startswith("https://support.example.com/hc/it/articles/360010000001-")
    assert str(italian.updated) == "2026-10-03" and italian.demo is False
    assert "## Come salvarla\n\n1. Apri il pannello Lavagna.\n2. Scegli Salva > " in italian.body
    assert "Solo l'organizzatore e i relatori possono salvare la lavagna" in italian.body
    assert "<" not in italian.body.replace("Salva >", "")  # no tag, no image left
    [english] = [p.read_text() for p in (target / "en").glob(f"{SAVE}-*.md")]
    assert "Pick a folder on your computer & confirm." in english
    assert "See Share the whiteboard." in english  # the link's text, not its address
    assert "analytics" not in english  # the script tag is gone
    [shared] = [parse(p.read_text()) for p in (target / "fr").glob("zendesk-360010000002-*.md")]
    assert shared.topic == "share-screen"  # the label "share-screen"
    assert shared.questions == ("share screen", "whiteboard")  # labels, searched as questions
    assert "- Cliquez sur Partager, puis sur Tableau blanc.\n" in shared.body
    assert "video.example.com" not in shared.body  # the iframe is gone


def test_a_reimport_changes_nothing_and_a_renamed_article_keeps_one_file(tmp_path: Path) -> None:
    target = tmp_path / "help"
    assert _import(target, FIXTURE).returncode == 0
    before = _snapshot(target)
    again = _import(target, FIXTURE / "articles-page-2.json", PAGE_1)
    assert again.returncode == 0, again.stderr
    assert "(0 new, 0 updated, 5 unchanged)" in again.stdout
    assert _snapshot(target) == before
    renamed = _page(tmp_path, [_article(title="Keep the whiteboard after a GoTo Meeting session",
                                        updated_at="2026-11-01T08:00:00Z")])  # fmt: skip
    result = _import(target, renamed)
    assert "(0 new, 1 updated, 0 unchanged)" in result.stdout
    english = sorted(p.name for p in (target / "en").glob(f"{SAVE}-*.md"))
    assert english == [f"{SAVE}-keep-the-whiteboard-after-a-goto-meeting-session.md"]
    assert "updated: 2026-11-01" in (target / "en" / english[0]).read_text()


def test_a_markdown_folder_in_our_format_is_imported(tmp_path: Path) -> None:
    source = tmp_path / "articles"
    (source / "fr").mkdir(parents=True)
    (source / "README.md").write_text("# Our articles\n")
    (source / "fr" / "Tableau Blanc.md").write_text(
        "---\nid: whiteboard\ntitle: Le tableau blanc\nlanguage: fr\ntopic: share-screen\n"
        "url: https://help.example.com/fr/tableau-blanc\nupdated: 2026-11-02\n---\n\n"
        "Le tableau blanc se partage depuis le bouton Partager.\n"
    )
    target = tmp_path / "help"
    result = _import(target, source)
    assert result.returncode == 0, result.stderr
    assert "fr 1 (1 new" in result.stdout
    article = parse((target / "fr" / "tableau-blanc.md").read_text())
    assert (article.id, article.topic, article.product) == ("whiteboard", "share-screen", "all")
    assert article.body == "Le tableau blanc se partage depuis le bouton Partager."
    assert sorted(_snapshot(target)) == ["fr/tableau-blanc.md"]


def test_the_shipped_demo_help_centre_imports_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "help"
    result = _import(target, PROJECT_ROOT / "help")
    assert result.returncode == 0, result.stderr
    assert "en 30, fr 30, it 30 (90 new" in result.stdout
    again = _import(target, target)  # the folder imported into itself: nothing changes
    assert "(0 new, 0 updated, 90 unchanged)" in again.stdout


BAD = {
    "not JSON": ("{'articles': [", "not JSON (line 1"),
    "wrong shape": (json.dumps({"results": []}), 'no "articles" list'),
    "not an object": (json.dumps({"articles": ["a title"]}), "article 1: not an object"),
    "no id": ({"id": None}, "article 1: no id"),
    "id not a number": ({"id": "../../etc/passwd"}, "article 1: id is not a number"),
    "no title": ({"title": " "}, "article 1 (id 360010000001): no title"),
    "no body": ({"body": None}, "article 1 (id 360010000001): no body"),
    "no locale": ({"locale": None}, "article 1 (id 360010000001): no locale"),
    "javascript address": ({"html_url": "javascript:alert(1)"}, "html_url is not an http(s)"),
    "huge body": ({"body": "<p>" + "x" * 1_000_001 + "</p>"}, "over 1,000,000"),
    "bad date": ({"updated_at": "yesterday"}, "updated_at 'yesterday' is not a date"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_file_is_refused_in_one_line_and_nothing_is_written(
    case: str, tmp_path: Path
) -> None:
    content, expected = BAD[case]
    bad = tmp_path / "bad.json"
    bad.write_text(content if isinstance(content, str) else json.dumps(
        {"articles": [_article(**content)]}
    ))  # fmt: skip
    target = tmp_path / "help"
    (target / "it").mkdir(parents=True)
    (target / "it" / "kept.md").write_text("already here\n")
    result = _import(target, FIXTURE, bad)  # good pages first: none of them is written
    assert result.returncode == 2
    assert result.stderr.splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith(f"cannot import {bad}: ")
    assert expected in result.stderr and "nothing was imported" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert _snapshot(target) == {"it/kept.md": b"already here\n"}


def test_each_bad_file_gets_its_line(tmp_path: Path) -> None:
    markdown = tmp_path / "note.md"
    markdown.write_text("Just text, no front matter.\n")
    missing = tmp_path / "missing.json"
    result = _import(tmp_path / "help", markdown, missing, PAGE_1)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"cannot import {markdown}: no front matter (a '---' line, the fields, a '---' line); "
        "nothing was imported",
        f"cannot import {missing}: no such file or folder; nothing was imported",
    ]
    assert not (tmp_path / "help").exists()


def test_hostile_titles_and_bodies_stay_inside_the_help_centre(tmp_path: Path) -> None:
    hostile = _article(
        title="../../../etc/passwd\n---\nid: evil\ndemo: true",
        body='<p onclick="steal()">Hi <a href="javascript:steal()">there</a></p>'
        "<script>steal()</script><scr<script>ipt>alert(1)</script>",
        label_names=["../../x", "refunds"],
    )
    target = tmp_path / "help"
    result = _import(target, _page(tmp_path, [hostile]))
    assert result.returncode == 0, result.stderr
    [written] = [tmp_path / "help" / name for name in _snapshot(target)]
    assert written.parent == target / "en"
    assert written.name == f"{SAVE}-etc-passwd-id-evil-demo-true.md"
    article = parse(written.read_text())
    assert (article.id, article.demo, article.topic) == (SAVE, False, "refunds")
    assert article.title == "../../../etc/passwd --- id: evil demo: true"
    assert "steal" not in article.body and "javascript" not in article.body
    assert article.questions == ("../../x", "refunds")  # labels are text, never a path
    assert article.body.startswith("Hi there")


def test_a_language_folder_that_links_out_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "help"
    target.mkdir()
    (target / "en").symlink_to(outside, target_is_directory=True)
    result = _import(target, FIXTURE)
    assert result.returncode == 2
    assert "a link out of the help centre folder, not followed" in result.stderr
    assert list(outside.iterdir()) == [] and not (target / "it").exists()
