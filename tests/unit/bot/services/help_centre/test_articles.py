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


def with_questions(text: str, questions: str) -> str:
    """An article file's text with `questions:` (raw YAML) added to its front matter."""
    return text.replace("demo: false\n", f"demo: false\nquestions:{questions}\n", 1)


def test_questions_in_the_front_matter_are_read_as_one_line_each(tmp_path: Path) -> None:
    asked = "\n- Where is my recording?\n- '  recording   missing  '"
    write_help_centre(tmp_path, {"en/record.md": with_questions(RECORD_EN, asked)})
    loaded = load_articles(tmp_path)
    assert loaded.errors == []
    assert loaded.articles[0].questions == ("Where is my recording?", "recording missing")


def test_bad_questions_are_one_clear_line_each(tmp_path: Path) -> None:
    bad = {
        "en/text.md": " where is my recording?",
        "en/mapping.md": "\n  first: where is my recording?",
        "en/numbers.md": "\n- 12\n- where?",
        "en/empty.md": "\n- where?\n- ''",
        "en/long.md": "\n- " + "why " * 80,
        "en/many.md": "".join(f"\n- question {n}" for n in range(51)),
    }
    files = {
        name: with_questions(RECORD_EN.replace("id: record-meeting", f"id: {name}"), questions)
        for name, questions in bad.items()
    }
    write_help_centre(tmp_path, files)
    loaded = load_articles(tmp_path)
    assert loaded.articles == []
    not_a_list = "questions is not a list of texts (one '- question' per line)"
    assert sorted(loaded.errors) == [
        "en/empty.md: question 2 is empty or over 300 characters",
        "en/long.md: question 1 is empty or over 300 characters",
        "en/many.md: 51 questions, over the 50 an article may have",
        f"en/mapping.md: {not_a_list}",
        f"en/numbers.md: {not_a_list}",
        f"en/text.md: {not_a_list}",
    ]
