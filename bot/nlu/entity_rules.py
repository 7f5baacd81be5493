"""Rule-based entity extraction: email, account ID, card's last four, one-time
code, product, username and a requested language.

Plain Python over the message text (no Rasa), so it is tested on its own; the Rasa
component in `bot.nlu.components` wraps it. A full card number (13-19 digits, with
or without spaces or dashes) is never extracted: its digits are not even considered
for `card_last4` or `otp_code`, and `has_card_number` lets the assistant warn.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
ACCOUNT_ID = re.compile(r"(?<![\w-])ac[- ]?(\d{6})(?![\w-])", re.IGNORECASE)
CARD_NUMBER = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")
SIX_DIGITS = re.compile(r"(?<![\d.,/-])\d{6}(?![\d.,/]?\d)")
FOUR_DIGITS = re.compile(r"(?<![\d.,/:€$£-])\d{4}(?![\d]|[.,/:]\d)")

# Words that make a lone 4-digit number the card's last four.
CARD_CONTEXT = re.compile(
    r"\b(card|carta|carte|cb|visa|mastercard|master card|amex|bancomat|ending|ends|end in|"
    r"last (four|4)|last digits|ultim[eio]|finisce|termina|cifre|derni[eè]re?s?|"
    r"chiffres|termine|digits|numbers)\b",
    re.IGNORECASE,
)

# Lexicons are matched on lowercase, accent-free text; longest first.
PRODUCT_WORDS: dict[str, tuple[str, ...]] = {
    "toll_free": (
        "toll-free", "toll free", "tollfree", "freephone", "free phone",
        "numero verde", "numeri verdi", "numeri gratuiti", "numero gratuito",
        "numeri toll free", "numero vert", "numeros verts", "numeros gratuits",
        "numero gratuit", "800 numbers", "dial-in numbers", "dial in numbers",
    ),
    "webinar": ("webinars", "webinar", "webinaires", "webinaire", "webinari"),
    "training": ("trainings", "training", "formazione", "formations", "formation"),
    "meetings": (
        "meetings", "meeting", "riunioni", "riunione", "reunions", "reunion",
        "videoconferenza", "videoconferenze", "visioconference", "visio",
    ),
}  # fmt: skip

LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "it": ("italiano", "italiana", "italian", "italien", "italienne"),
    "fr": ("francese", "francais", "francaise", "french", "franch"),
    "en": ("inglese", "anglais", "english", "englisch"),
}

USERNAME_CUE = re.compile(
    r"\b(?:username|user name|user id|userid|user|utente|nome utente|login|"
    r"identifiant|nom d'utilisateur|pseudo|nickname)\b"
    r"(?:\s+(?:is|e|è|est|was|era|c'est|:))?\s*[:=]?\s*"
    r"[\"'«]?(?P<name>[A-Za-z][A-Za-z0-9_.-]{2,31})",
    re.IGNORECASE,
)
# A lone handle such as "mario_r" or "j.dupont84" sent on its own.
LONE_HANDLE = re.compile(r"^\s*(?P<name>[A-Za-z][A-Za-z0-9]*[_.][A-Za-z0-9_.]*[A-Za-z0-9])\s*$")
NOT_USERNAMES = frozenset(
    {"is", "e", "est", "was", "name", "and", "et", "the", "le", "il", "mon", "mio", "my",
     "non", "not", "pas", "page", "pagina", "email", "mail", "password", "with", "con",
     "avec", "per", "pour", "for", "che", "que", "what", "quel", "quale", "cual"}
)  # fmt: skip


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int


def fold(text: str) -> str:
    """Lowercase without accents, same length as the input (offsets stay valid)."""
    folded = []
    for char in text.lower():
        base = unicodedata.normalize("NFD", char)[0]
        folded.append(base if len(base) == 1 else char)
    return "".join(folded)


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < t_end and t_start < end for t_start, t_end in taken)


def _lexicon(
    folded: str,
    lexicon: dict[str, tuple[str, ...]],
    entity: str,
    text: str,
    taken: list[tuple[int, int]],
) -> list[Entity]:
    found: list[Entity] = []
    phrases = sorted(
        ((word, value) for value, words in lexicon.items() for word in words),
        key=lambda pair: -len(pair[0]),
    )
    for word, value in phrases:
        for match in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", folded):
            if not _overlaps(match.start(), match.end(), taken):
                taken.append((match.start(), match.end()))
                found.append(Entity(entity, value, match.start(), match.end()))
    return found


def has_card_number(text: str) -> bool:
    return CARD_NUMBER.search(text) is not None


def extract_entities(text: str, *, with_language: bool = True) -> list[Entity]:
    """All entities in `text`, sorted by position; spans never overlap."""
    taken: list[tuple[int, int]] = []
    entities: list[Entity] = []

    for match in EMAIL.finditer(text):
        taken.append(match.span())
        entities.append(Entity("email", match.group(0).lower(), *match.span()))
    for match in ACCOUNT_ID.finditer(text):
        if not _overlaps(*match.span(), taken):
            taken.append(match.span())
            entities.append(Entity("account_id", f"AC-{match.group(1)}", *match.span()))
    # a full card number blocks its digits from every other rule
    taken.extend(m.span() for m in CARD_NUMBER.finditer(text))

    for match in SIX_DIGITS.finditer(text):
        if not _overlaps(*match.span(), taken):
            taken.append(match.span())
            entities.append(Entity("otp_code", match.group(0), *match.span()))

    only_number = re.fullmatch(r"\W*\d{4}\W*", text) is not None
    if only_number or CARD_CONTEXT.search(fold(text)):
        for match in FOUR_DIGITS.finditer(text):
            if not _overlaps(*match.span(), taken):
                taken.append(match.span())
                entities.append(Entity("card_last4", match.group(0), *match.span()))

    folded = fold(text)
    entities += _lexicon(folded, PRODUCT_WORDS, "product", text, taken)
    if with_language:
        entities += _lexicon(folded, LANGUAGE_WORDS, "target_language", text, taken)

    for match in [*USERNAME_CUE.finditer(text), *LONE_HANDLE.finditer(text)]:
        name = match.group("name").rstrip(".")
        start = match.start("name")
        end = start + len(name)
        if name.lower() in NOT_USERNAMES or _overlaps(start, end, taken):
            continue
        taken.append((start, end))
        entities.append(Entity("username", name, start, end))

    return sorted(entities, key=lambda e: e.start)
