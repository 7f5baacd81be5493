"""The stored index follows the content: reused while the articles are the same,
built again when one changes or is added (no intent model involved)."""

from __future__ import annotations

from pathlib import Path

from bot.services.help_centre.index import INDEX_FILE, content_words, load_or_build
from bot.services.help_centre.search import HelpSearch
from tests.support.help_centre import PASSWORD_EN, RECORD_EN, REFUND_EN, write_help_centre


def test_the_stored_index_is_reused_until_an_article_changes(tmp_path: Path) -> None:
    help_dir = write_help_centre(tmp_path / "help", {"en/record.md": RECORD_EN})
    index_dir = tmp_path / "index"
    first, built = load_or_build(help_dir, index_dir)
    assert built and (index_dir / INDEX_FILE).is_file()
    again, built = load_or_build(help_dir, index_dir)
    assert not built and again.content_hash == first.content_hash
    assert [a.title for a in again.articles] == ["Record a meeting"]

    (help_dir / "en/record.md").write_text(
        RECORD_EN.replace("Record a meeting", "Recording meetings"), encoding="utf-8"
    )
    changed, built = load_or_build(help_dir, index_dir)
    assert built and [a.title for a in changed.articles] == ["Recording meetings"]


def test_an_added_article_is_found_after_the_rebuild(tmp_path: Path) -> None:
    help_dir = write_help_centre(
        tmp_path / "help", {"en/record.md": RECORD_EN, "en/refunds.md": REFUND_EN}
    )
    load_or_build(help_dir, tmp_path / "index")
    write_help_centre(help_dir, {"en/password.md": PASSWORD_EN})
    index, built = load_or_build(help_dir, tmp_path / "index")
    assert built
    (best, *_) = HelpSearch(index).search("I forgot my password, how do I reset it?", "en")
    assert best.article.id == "reset-password"


def test_an_unreadable_stored_index_is_built_again(tmp_path: Path) -> None:
    help_dir = write_help_centre(tmp_path / "help", {"en/record.md": RECORD_EN})
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / INDEX_FILE).write_bytes(b"not an index")
    index, built = load_or_build(help_dir, tmp_path / "index")
    assert built and len(index.articles) == 1


def test_stop_words_that_tell_questions_apart_are_kept_for_bm25() -> None:
    # spaCy's lists drop "dopo"/"after"/"après" and "registrazione": "what happens after
    # I cancel" and "cancel before the end" would share every other word
    assert content_words("cosa succede dopo la registrazione?", "it") == [
        "succedere",
        "dopo",
        "registrazione",
    ]
    assert "apres" in content_words("que se passe-t-il après la résiliation ?", "fr")
    assert content_words("what happens after I cancel the call", "en") == [
        "happen",
        "after",
        "cancel",
        "call",
    ]
