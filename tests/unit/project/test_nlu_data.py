"""The held-out sets stay held out: no example of `tests/nlu/*.yml`,
`tests/nlu/realworld/*.yml`, the near-domain set `tests/nlu/nearby/*.yml` or the
help-centre questions `tests/help/questions/*.yml` appears in the training data
(`data/nlu/`), compared case- and space-folded with the entity markup removed.
`make eval`'s scores mean something only while this holds. The held-out texts are
read here only to compare them; a failure names the training example to rewrite,
never a held-out one."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.support.environment import ROOT

# [text](entity), [text]{"entity": ...}: Rasa's markup around an entity's text
ENTITY_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def folded(text: str) -> str:
    return " ".join(ENTITY_MARKUP.sub(r"\1", text).casefold().split())


def examples(paths: list[Path]) -> dict[str, Path]:
    """Folded example text -> the file it is in."""
    found: dict[str, Path] = {}
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.setdefault(folded(line[2:]), path)
    return found


def listed_texts(paths: list[Path], key: str) -> dict[str, Path]:
    """Folded text -> file, for the sets written as a list of {text, ...} under `key`."""
    found: dict[str, Path] = {}
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get(key) or []:
            found.setdefault(folded(str(item["text"])), path)
    return found


def test_no_held_out_example_is_in_the_training_data() -> None:
    training = examples(sorted((ROOT / "data" / "nlu").rglob("*.yml")))
    held_out = {
        **examples(
            sorted((ROOT / "tests" / "nlu").glob("*.yml"))
            + sorted((ROOT / "tests" / "nlu" / "realworld").glob("*.yml"))
        ),
        **listed_texts(sorted((ROOT / "tests" / "nlu" / "nearby").glob("*.yml")), "messages"),
        **listed_texts(sorted((ROOT / "tests" / "help" / "questions").glob("*.yml")), "questions"),
    }
    assert training and held_out
    shared = sorted(
        f"{training[text].relative_to(ROOT)}: {text!r}" for text in training.keys() & held_out
    )
    assert not shared, "training examples also in a held-out set:\n" + "\n".join(shared)


def test_the_markup_is_removed_before_comparing() -> None:
    assert folded("cancel  [GoTo Meeting](product) NOW") == "cancel goto meeting now"
    assert folded('in [French]{"entity": "target_language", "value": "fr"}') == "in french"
