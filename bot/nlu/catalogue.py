"""The product catalogue (`bot/catalogue.yml`, path in CATALOGUE_FILE): which products
exist, how customers write their names (and the common words that mean them), and
how the replies name them.

Names are matched on folded text (lowercase, no accents); spaces and hyphens inside
a name are optional ("GoToMeeting", "go-to meeting"), and one typo is forgiven in a
name of six letters or more when its first letter is right ("webinr", "gotomeetng").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.nlu.folding import fold

KINDS = ("plan", "add_on", "tool")
FUZZY_MIN_LENGTH = 6  # shorter names have too many one-letter neighbours
FUZZY_MAX_TEXT = 2000  # typo search is for chat-length messages, not pasted logs
MAX_WORDS = 4  # the longest name, in words, that typo search tries
WORD = re.compile(r"[a-z0-9]+")


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    kind: str
    plan: str | None
    aliases: tuple[str, ...]  # its name and other names, every language
    words: tuple[str, ...] = ()  # common words that mean it without naming it


@dataclass(frozen=True)
class Mention:
    code: str
    start: int
    end: int
    named: bool  # by a name or alias (the `product` entity), not a common word


def squeeze(folded: str) -> str:
    """A name without its spaces, hyphens and apostrophes: the key it is matched by."""
    return re.sub(r"[^a-z0-9]", "", folded)


def within_one_edit(a: str, b: str) -> bool:
    """Whether one insertion, deletion, substitution or swap of neighbours turns a into b."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]


def _names_pattern(names: list[str]) -> re.Pattern[str]:
    """One regex for folded names, longest first; inner spaces and hyphens optional."""
    ordered = sorted(set(names), key=len, reverse=True)
    flexible = [r"[\s-]*".join(map(re.escape, re.split(r"[\s-]+", n))) for n in ordered]
    return re.compile(r"(?<![\w-])(?:" + "|".join(flexible) + r")(?![\w-])")


class Catalogue:
    def __init__(self, products: list[Product], elsewhere: list[str] | None = None) -> None:

        self.products = {p.code: p for p in products}
        # other companies' products: a placeholder for the intent model, no entity
        self._elsewhere = _names_pattern([fold(n) for n in elsewhere]) if elsewhere else None
        self._by_key: dict[str, str] = {}
        self._named: set[str] = set()  # keys of names and aliases, not of common words
        self._words: dict[str, int] = {}  # a key's most words, as the catalogue writes it
        for product in products:
            for phrase in (*product.aliases, *product.words):
                key = squeeze(fold(phrase))
                self._by_key.setdefault(key, product.code)
                self._words[key] = max(self._words.get(key, 0), len(WORD.findall(fold(phrase))))
            self._named |= {squeeze(fold(alias)) for alias in product.aliases}
        self._exact = _names_pattern(
            [fold(phrase) for p in products for phrase in (*p.aliases, *p.words)]
        )
        # typo candidates by (first letter, length): a window compares with a handful
        self._fuzzy: dict[tuple[str, int], list[str]] = {}
        for key in self._by_key:
            if len(key) >= FUZZY_MIN_LENGTH:
                for length in (len(key) - 1, len(key), len(key) + 1):
                    self._fuzzy.setdefault((key[0], length), []).append(key)

    def __contains__(self, code: object) -> bool:
        return code in self.products

    def name(self, code: str) -> str:
        """How the replies name a product (its code if the catalogue lacks it)."""
        product = self.products.get(code)
        return product.name if product else code

    def codes(self, kind: str) -> list[str]:
        return [p.code for p in self.products.values() if p.kind == kind]

    def code_of(self, folded_name: str) -> str | None:
        """The product a name or word (exact, or with one typo) stands for."""
        key = self._key_of(folded_name)
        return self._by_key[key] if key else None

    def _key_of(self, folded: str) -> str | None:
        # A name may be split into one word more than the catalogue writes it
        # ("goto meeting" for "gotomeeting"), not more: "log me in" is no "logmein".
        key, words = squeeze(folded), len(WORD.findall(folded))
        candidates = [key] if key in self._by_key else []
        candidates += [
            c for c in self._fuzzy.get((key[:1], len(key)), ()) if within_one_edit(key, c)
        ]
        return next((c for c in candidates if words <= self._words[c] + 1), None)

    def elsewhere(self, folded: str) -> list[tuple[int, int]]:
        """Spans of other companies' products in a folded text."""
        if self._elsewhere is None:
            return []
        return [match.span() for match in self._elsewhere.finditer(folded)]

    def find(self, folded: str) -> Iterator[Mention]:
        """The products a folded text names or means, left to right; spans may overlap
        between the exact and the typo pass (the caller keeps the first)."""
        for match in self._exact.finditer(folded):
            key = squeeze(match.group(0))
            yield Mention(self._by_key[key], match.start(), match.end(), key in self._named)
        if len(folded) > FUZZY_MAX_TEXT:
            return
        words = list(WORD.finditer(folded))
        for i in range(len(words)):
            # the longest window first: "goto meetng" before "goto"
            for j in range(min(len(words), i + MAX_WORDS), i, -1):
                window = folded[words[i].start() : words[j - 1].end()]
                if not re.fullmatch(r"[a-z0-9\s'-]+", window):
                    continue  # a name never spans punctuation
                if len(squeeze(window)) < FUZZY_MIN_LENGTH:
                    break
                fuzzy_key = self._key_of(window)
                if fuzzy_key is not None:
                    start, end = words[i].start(), words[j - 1].end()
                    yield Mention(self._by_key[fuzzy_key], start, end, fuzzy_key in self._named)
                    break


def _per_language(code: str, entry: dict, field: str) -> list[str]:
    phrases = entry.get(field) or {}
    if not isinstance(phrases, dict):
        raise CatalogueError(f"{code}: '{field}' must map languages to lists")
    return [str(p) for values in phrases.values() for p in (values or [])]


def parse_catalogue(data: dict) -> Catalogue:
    products = []
    for code, entry in (data.get("products") or {}).items():
        if not isinstance(entry, dict) or "name" not in entry:
            raise CatalogueError(f"{code}: every product needs a 'name'")
        kind = entry.get("kind", "plan")
        if kind not in KINDS:
            raise CatalogueError(f"{code}: 'kind' must be one of {', '.join(KINDS)}")
        plan = entry.get("plan")
        aliases = tuple(dict.fromkeys([str(entry["name"]), *_per_language(code, entry, "aliases")]))
        words = tuple(_per_language(code, entry, "words"))
        products.append(Product(str(code), str(entry["name"]), kind, plan, aliases, words))
    elsewhere = data.get("elsewhere") or []
    if not isinstance(elsewhere, list):
        raise CatalogueError("'elsewhere' must list names")
    catalogue = Catalogue(products, [str(name) for name in elsewhere])
    for product in products:
        if product.plan is not None and product.plan not in catalogue:
            raise CatalogueError(f"{product.code}: plan '{product.plan}' is not in the catalogue")
    return catalogue


@lru_cache(maxsize=4)
def load_catalogue(path: Path) -> Catalogue:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise CatalogueError(f"cannot read {path}: {error}") from None
    return parse_catalogue(data)


def get_catalogue() -> Catalogue:
    """The catalogue of CATALOGUE_FILE (read once per path)."""
    from bot.config.settings import get_settings

    return load_catalogue(get_settings().catalogue_file)
