"""Words as the NLU compares them: the blank spaCy pipeline of a language with its
lookup lemmas (spacy-lookups-data), folded (lowercase, no accents).

Plain Python, no Rasa: the tokenizer of the NLU pipeline and the help-centre search
read words the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.nlu.folding import fold

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Lemma:
    text: str
    start: int
    lemma: str  # folded
    is_stop: bool  # a stop word of the language (spaCy's list)


def without_surrogates(text: str) -> str:
    """The text with lone surrogates (JSON can carry "\\ud800") as U+FFFD, same length:
    spaCy cannot hash them and failed the whole message, so the bot stayed silent."""
    return LONE_SURROGATE.sub("\ufffd", text)


@cache
def pipeline(language: str) -> Any:
    """The blank pipeline of `language` with lookup lemmas, built once per process."""
    import spacy

    nlp = spacy.blank(language)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def lemmas(text: str, language: str) -> list[Lemma]:
    """The words of `text` (no spaces, no punctuation) with their folded lemmas."""
    doc = pipeline(language)(without_surrogates(text))
    return [
        Lemma(t.text, t.idx, fold(t.lemma_ or t.text), bool(t.is_stop))
        for t in doc
        if t.text.strip() and not t.is_punct
    ]
