"""The product catalogue (`bot/catalogue.yml`, path in CATALOGUE_FILE): which products
exist, how customers write their names, and how the replies name them.

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
    aliases: tuple[str, ...]  # folded, every language


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


class Catalogue:
    def __init__(self, products: list[Product]) -> None:
        from bot.nlu.entity_rules import fold

        self.products = {p.code: p for p in products}
        self._by_key: dict[str, str] = {}
        self._words: dict[str, int] = {}  # a key's most words, as the catalogue writes it
        for product in products:
            for alias in product.aliases:
                key = squeeze(fold(alias))
                self._by_key.setdefault(key, product.code)
                self._words[key] = max(self._words.get(key, 0), len(WORD.findall(fold(alias))))
        names = sorted({fold(a) for p in products for a in p.aliases}, key=len, reverse=True)
        flexible = [r"[\s-]*".join(map(re.escape, re.split(r"[\s-]+", n))) for n in names]
        self._exact = re.compile(r"(?<![\w-])(?:" + "|".join(flexible) + r")(?![\w-])")
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
        """The product a name (exact, or with one typo) stands for. It may be split
        into one word more than the catalogue writes it ("goto meeting" for
        "gotomeeting"), not more: "log me in" is no "logmein"."""
        key, words = squeeze(folded_name), len(WORD.findall(folded_name))
        candidates = [key] if key in self._by_key else []
        candidates += [
            c for c in self._fuzzy.get((key[:1], len(key)), ()) if within_one_edit(key, c)
        ]
        for candidate in candidates:
            if words <= self._words[candidate] + 1:
                return self._by_key[candidate]
        return None

    def find(self, folded: str) -> Iterator[tuple[str, int, int]]:
        """(code, start, end) of the names in a folded text, left to right; spans may
        overlap between the exact and the typo pass (the caller keeps the first)."""
        for match in self._exact.finditer(folded):
            yield self._by_key[squeeze(match.group(0))], match.start(), match.end()
        if len(folded) > FUZZY_MAX_TEXT:
            return
        words = list(WORD.finditer(folded))
        for i in range(len(words)):
            # the longest window first: "goto meetng" before "goto"
            for j in range(min(len(words), i + MAX_WORDS), i, -1):
                window = folded[words[i].start() : words[j - 1].end()]
                if not re.fullmatch(r"[a-z0-9\s'-]+", window):
                    continue  # a name never spans punctuation
                key = squeeze(window)
                if len(key) < FUZZY_MIN_LENGTH:
                    break
                code = self.code_of(window)
                if code is not None:
                    yield code, words[i].start(), words[j - 1].end()
                    break


def _aliases(code: str, entry: dict) -> tuple[str, ...]:
    aliases = entry.get("aliases") or {}
    if not isinstance(aliases, dict):
        raise CatalogueError(f"{code}: 'aliases' must map languages to lists")
    names = [str(a) for values in aliases.values() for a in (values or [])]
    return tuple(dict.fromkeys([str(entry["name"]), *names]))


def parse_catalogue(data: dict) -> Catalogue:
    products = []
    for code, entry in (data.get("products") or {}).items():
        if not isinstance(entry, dict) or "name" not in entry:
            raise CatalogueError(f"{code}: every product needs a 'name'")
        kind = entry.get("kind", "plan")
        if kind not in KINDS:
            raise CatalogueError(f"{code}: 'kind' must be one of {', '.join(KINDS)}")
        plan = entry.get("plan")
        products.append(Product(str(code), str(entry["name"]), kind, plan, _aliases(code, entry)))
    catalogue = Catalogue(products)
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
    from bot.settings import get_settings

    return load_catalogue(get_settings().catalogue_file)
