"""Rule-based entity extraction: email, account ID, card's last four, one-time
code, product, username and a requested language.

Plain Python over the message text (no Rasa), so it is tested on its own; the Rasa
component in `bot.nlu.components` wraps it. A full card number (13-19 digits, with
or without separators: `card_number_spans`) is never extracted: its digits are not
even considered for `card_last4` or `otp_code`, and `has_card_number` lets the
assistant warn. Redaction, log and tracker scrubbing and the ticket transcript use
these same rules, so what the NLU reads as a card number or a code is what they hide.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate

from bot.nlu.catalogue import Mention, get_catalogue
from bot.nlu.folding import fold

EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
ACCOUNT_ID = re.compile(r"(?<![\w-])ac[- ]?(\d{6})(?![\w-])", re.IGNORECASE)
# What people type between the digits of a card number or a code: spaces (several,
# non-breaking, tabs), dashes, dots, slashes, underscores. A run of up to 3 of them.
SEPARATOR = r"[\s._/\-\u2010-\u2015\u2212]"
SEPARATORS = re.compile(f"{SEPARATOR}+")
# Digit groups joined by separator runs; a card number is 13-19 digits of one chain
# (`card_number_spans`). Separators and digits never overlap: matching is linear.
DIGIT_CHAIN = re.compile(rf"\d+(?:{SEPARATOR}{{1,3}}\d+)*")
DIGITS = re.compile(r"\d+")
CARD_DIGITS = range(13, 20)
MIN_GROUP = 3  # other separators: groups of 3+ digits (never a date's or a phone's pairs)
# A one-time code: six digits, maybe split 3+3 by a separator run ("482-913").
SIX_DIGITS = re.compile(
    rf"(?<![\d.,/\-_])(?<!\d\s)\d{{3}}{SEPARATOR}{{0,3}}\d{{3}}(?!(?:{SEPARATOR}|,){{0,3}}\d)"
)
FOUR_DIGITS = re.compile(r"(?<![\d.,/:€$£-])\d{4}(?![\d]|[.,/:]\d)")

# Words that make a lone 4-digit number the card's last four.
CARD_CONTEXT = re.compile(
    r"\b(card|carta|carte|cb|visa|mastercard|master card|amex|bancomat|ending|ends|end in|"
    r"last (four|4)|last digits|ultim[eio]|finisce|termina|cifre|derni[eè]re?s?|"
    r"chiffres|termine|finit|digits)\b",
    re.IGNORECASE,
)

# Lexicons are matched on lowercase, accent-free text; longest first. Product names
# come from the product catalogue (bot/catalogue.yml, bot/nlu/catalogue.py).
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "it": ("italiano", "italiana", "italian", "italien", "italienne"),
    "fr": ("francese", "francais", "francaise", "french", "franch"),
    "en": ("inglese", "anglais", "anglaise", "english", "englisch"),
}

# "my username is mario_r", "nome utente: elenag", "je me connecte avec sam_t42"
USERNAME_AFTER_CUE = re.compile(
    r"\b(?:username|user name|user id|userid|login name|nome utente|identifiant|"
    r"nom d'utilisateur|pseudo|log in as|login as|logged in as)"
    r"(?:'s|\s+(?:is|was|should be|e|è|est|c'est|dovrebbe essere|sarebbe|era))?"
    r"\s*[:=?]?\s*[\"'«]?(?P<name>[^\W\d_][\w.-]{2,31})",
    re.IGNORECASE,
)
USERNAME_CUE = re.compile(
    r"\b(?:username|user name|user id|userid|login|utente|identifiant|utilisateur|pseudo|"
    r"log in|logg?o|connecte|accedo)\b",
    re.IGNORECASE,
)
# A handle: letters with "_" or "." inside ("mario_r", "grace.o", "chris.evans.uk")
HANDLE = re.compile(r"(?<![\w@.-])[A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)+(?![\w@-])")
# Letters then digits ("djones01"): a username only next to a username cue, or alone.
LETTERS_DIGITS = re.compile(r"(?<![\w@.-])[A-Za-z]{2,}[0-9]{1,4}(?![\w@.-])")
NOT_HANDLES = re.compile(r"\.(?:com|net|org|io|html?|php|pdf|jpg|png)$", re.IGNORECASE)
NOT_USERNAMES = frozenset(
    {"is", "e", "est", "was", "name", "and", "et", "the", "le", "la", "il", "lo", "mon",
     "mio", "my", "non", "not", "pas", "page", "pagina", "email", "mail", "password",
     "with", "con", "avec", "per", "pour", "for", "che", "que", "what", "quel", "quale",
     "forgotten", "dimenticato", "oublie", "lost", "perso", "perdu", "again", "deja",
     "please", "help", "aiuto", "aide", "did", "do", "client", "cliente", "should"}
)  # fmt: skip


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int


class TakenSpans:
    """The characters entities already use, as sorted, merged ranges.

    Checking a match is a binary search: a 100,000-character message can hold
    20,000 four-digit groups, and comparing each with every span taken before took
    minutes of the server's time per message.
    """

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []  # sorted too: the ranges are disjoint

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start)
        if i > 0 and self._ends[i - 1] > start:
            return True
        return i < len(self._starts) and self._starts[i] < end

    def add(self, start: int, end: int) -> None:
        if start >= end:
            return
        first = bisect_left(self._ends, start)  # ranges touching [start, end] merge
        last = bisect_right(self._starts, end)
        if first < last:
            start = min(start, self._starts[first])
            end = max(end, self._ends[last - 1])
        self._starts[first:last] = [start]
        self._ends[first:last] = [end]

    def spans(self) -> list[tuple[int, int]]:
        return list(zip(self._starts, self._ends, strict=True))


def _lexicon(
    folded: str,
    lexicon: dict[str, tuple[str, ...]],
    entity: str,
    text: str,
    taken: TakenSpans,
) -> list[Entity]:
    found: list[Entity] = []
    phrases = sorted(
        ((word, value) for value, words in lexicon.items() for word in words),
        key=lambda pair: -len(pair[0]),
    )
    for word, value in phrases:
        for match in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", folded):
            if not taken.overlaps(match.start(), match.end()):
                taken.add(match.start(), match.end())
                found.append(Entity(entity, value, match.start(), match.end()))
    return found


def _products(folded: str, taken: TakenSpans) -> list[Entity]:
    """Products named by their name or an alias; a common word that means a product
    ("webinar") is no entity (the catalogue's `words`: see `product_mentions`)."""
    found = []
    for mention in product_mentions(folded):
        if not taken.overlaps(mention.start, mention.end):
            taken.add(mention.start, mention.end)
            if mention.named:
                found.append(Entity("product", mention.code, mention.start, mention.end))
    return found


def product_mentions(folded: str) -> list[Mention]:
    """Every product a folded text names or means, spans disjoint, left to right;
    other companies' products are skipped ("zoom meeting" is no meeting of ours)."""
    catalogue = get_catalogue()
    taken = TakenSpans()
    for span in catalogue.elsewhere(folded):
        taken.add(*span)
    found = []
    for mention in catalogue.find(folded):
        if not taken.overlaps(mention.start, mention.end):
            taken.add(mention.start, mention.end)
            found.append(mention)
    return sorted(found, key=lambda m: m.start)


def luhn_valid(digits: str) -> bool:
    """The checksum every payment card number passes (and 9 in 10 other numbers fail)."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _chain_cards(chain: re.Match[str], spans: TakenSpans) -> None:
    """Add to `spans` every run of consecutive digit groups of `chain` that is a card.

    Prefix sums make each run's test constant time: a 100,000-character chain of
    digits is read in well under a second.
    """
    typed = chain.group()
    groups = [m.span() for m in DIGITS.finditer(typed)]
    digits = "".join(typed[start:end] for start, end in groups)
    if len(digits) < CARD_DIGITS[0]:
        return
    offsets = list(accumulate((end - start for start, end in groups), initial=0))
    # counts before each group: gaps that are not one space or dash, groups too short
    odd = list(accumulate((typed[e : groups[i + 1][0]] not in (" ", "-") for i, (_, e) in
                           enumerate(groups[:-1])), initial=0))  # fmt: skip
    short = list(accumulate((end - start < MIN_GROUP for start, end in groups), initial=0))
    for first in range(len(groups)):
        # the longest run from `first` that is a card; shorter ones add nothing to it
        last = bisect_right(offsets, offsets[first] + CARD_DIGITS[-1]) - 2
        while last >= first and offsets[last + 1] - offsets[first] >= CARD_DIGITS[0]:
            plain = odd[last] == odd[first]
            if plain or (
                short[last + 1] == short[first]
                and luhn_valid(digits[offsets[first] : offsets[last + 1]])
            ):
                spans.add(chain.start() + groups[first][0], chain.start() + groups[last][1])
                break
            last -= 1


def card_number_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` holds full card numbers: sorted, disjoint (start, end) spans.

    Any run of consecutive digit groups with 13-19 digits: typed the classic way (no
    separator, or one space or dash between digits; whatever its checksum), or with
    other separators when its groups have 3+ digits and it passes the Luhn check (so
    that dates, phone numbers and references stay readable).
    """
    spans = TakenSpans()
    for chain in DIGIT_CHAIN.finditer(text):
        if chain.end() - chain.start() >= CARD_DIGITS[0]:  # else too few digits
            _chain_cards(chain, spans)
    return spans.spans()


def has_card_number(text: str) -> bool:
    return bool(card_number_spans(text))


def without_separators(typed: str) -> str:
    """A code as typed ("482-913", "482 913") as its digits."""
    return SEPARATORS.sub("", typed)


def extract_entities(text: str, *, with_language: bool = True) -> list[Entity]:
    """All entities in `text`, sorted by position; spans never overlap."""
    taken = TakenSpans()
    entities: list[Entity] = []
    folded = fold(text)

    # A full card number blocks every digit rule: we ask for the last four only and
    # never keep anything taken from a full number (not even a year next to it), nor
    # an "email" or account ID that contains one.
    cards = card_number_spans(text)
    card_number_sent = bool(cards)
    for span in cards:
        taken.add(*span)

    for match in EMAIL.finditer(text):
        if not taken.overlaps(*match.span()):
            taken.add(*match.span())
            entities.append(Entity("email", match.group(0).lower(), *match.span()))
    for match in ACCOUNT_ID.finditer(text):
        if not taken.overlaps(*match.span()):
            taken.add(*match.span())
            entities.append(Entity("account_id", f"AC-{match.group(1)}", *match.span()))

    for match in SIX_DIGITS.finditer(text):
        if not taken.overlaps(*match.span()):
            taken.add(*match.span())
            code = without_separators(match.group(0))
            entities.append(Entity("otp_code", code, *match.span()))

    only_number = re.fullmatch(r"\W*\d{4}\W*", text) is not None
    if not card_number_sent and (only_number or CARD_CONTEXT.search(folded)):
        for match in FOUR_DIGITS.finditer(text):
            if not taken.overlaps(*match.span()):
                taken.add(*match.span())
                entities.append(Entity("card_last4", match.group(0), *match.span()))

    for span in get_catalogue().elsewhere(folded):
        taken.add(*span)  # another company's product: none of ours, no username either
    entities += _products(folded, taken)
    if with_language:
        entities += _lexicon(folded, LANGUAGE_WORDS, "target_language", text, taken)

    entities += _usernames(text, taken)
    return sorted(entities, key=lambda e: e.start)


def _usernames(text: str, taken: TakenSpans) -> list[Entity]:
    candidates = [(m.start("name"), m.group("name")) for m in USERNAME_AFTER_CUE.finditer(text)]
    candidates += [(m.start(), m.group(0)) for m in HANDLE.finditer(text)]
    alone = re.fullmatch(r"\s*\S+\s*", text) is not None
    if alone or USERNAME_CUE.search(text):
        candidates += [(m.start(), m.group(0)) for m in LETTERS_DIGITS.finditer(text)]
    found = []
    for start, name in sorted(candidates):
        name = name.rstrip(".-")
        end = start + len(name)
        if fold(name) in NOT_USERNAMES or NOT_HANDLES.search(name) or taken.overlaps(start, end):
            continue
        taken.add(start, end)
        found.append(Entity("username", name, start, end))
    return found
