from __future__ import annotations

from pathlib import Path

from bot.services.help_centre.articles import load_articles
from tests.support.help_centre import RECORD_EN, article, write_help_centre


def test_an_article_is_read_with_its_front_matter_and_split_into_passages(tmp_path: Path) -> None:
    write_help_centre(tmp_path, {"en/record-a-meeting.md": RECORD_EN})
    loaded = load_articles(tmp_path)
    assert loaded.errors == []
    (record,) = loaded.articles
    assert (record.id, record.language, record.topic) == ("record-meeting", "en", "record-meeting")
    assert record.url == "https://help.example.com/en/record-meeting"
    # the introduction is under the title, each heading starts a passage
    assert [p.heading for p in record.passages] == [
        "Record a meeting",
        "Where recordings are saved",
    ]
    assert record.passages[1].sentences[:2] == (
        "A recording is saved in your online account or as a file on your computer.",
        "Online recordings take a while to process.",
    )


def test_passages_are_plain_sentences_without_markdown(tmp_path: Path) -> None:
    body = (
        "Use **the share control** and pick a [window](https://example.com/w).\n\n"
        "## Steps\n\n1. Join the meeting;\n2. Click `Share`\n\n"
        "This article is demo content.\n"
    )
    write_help_centre(tmp_path, {"en/share.md": article("share", "en", "Share", body, demo=True)})
    (share,) = load_articles(tmp_path).articles
    sentences = [s for p in share.passages for s in p.sentences]
    assert sentences == [
        "Use the share control and pick a window.",
        "Join the meeting.",
        "Click Share.",
    ]  # list items are sentences; a demo article's closing notice is no answer


def test_a_malformed_file_is_one_line_and_the_others_still_load(tmp_path: Path) -> None:
    write_help_centre(
        tmp_path,
        {
            "en/record-a-meeting.md": RECORD_EN,
            "en/no-front-matter.md": "# Just a heading\n\nSome text.\n",
            "en/bad-yaml.md": "---\nid: [unclosed\n---\n\nText.\n",
            "en/no-topic.md": RECORD_EN.replace("topic: record-meeting\n", "").replace(
                "id: record-meeting", "id: other"
            ),
            "it/wrong-folder.md": RECORD_EN.replace("id: record-meeting", "id: third"),
        },
    )
    loaded = load_articles(tmp_path)
    assert [a.id for a in loaded.articles] == ["record-meeting"]
    assert sorted(loaded.errors) == [
        "en/bad-yaml.md: the front matter is not valid YAML (line 2)",
        "en/no-front-matter.md: no front matter (a '---' line, the fields, a '---' line)",
        "en/no-topic.md: no topic in the front matter",
        "it/wrong-folder.md: language 'en' in the folder of 'it'",
    ]


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    loaded = load_articles(tmp_path / "nowhere")
    assert loaded.articles == []
    assert loaded.errors == [f"{tmp_path / 'nowhere'}: the help centre folder does not exist"]
