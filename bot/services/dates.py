"""Dates as people read them, in the conversation's language."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date as babel_format_date

from bot.config.settings import FALLBACK_LANGUAGE

# British English puts the day first ("14 March 2027"), like the Italian and French
# replies, so the three languages read the same way.
LOCALES: dict[str, str] = {"it": "it_IT", "fr": "fr_FR", "en": "en_GB"}


def format_date(value: date, language: str) -> str:
    """`value` in the long format of `language`: "14 marzo 2027", "14 mars 2027"."""
    locale = LOCALES.get(language, LOCALES[FALLBACK_LANGUAGE])
    return babel_format_date(value, format="long", locale=locale)
