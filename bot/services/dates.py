"""Dates as people read them, in the conversation's language."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_timezone_location

from bot.config.settings import FALLBACK_LANGUAGE

# British English puts the day first ("14 March 2027"), like the Italian and French
# replies, so the three languages read the same way.
LOCALES: dict[str, str] = {"it": "it_IT", "fr": "fr_FR", "en": "en_GB"}


def format_date(value: date, language: str) -> str:
    """`value` in the long format of `language`: "14 marzo 2027", "14 mars 2027"."""
    locale = LOCALES.get(language, LOCALES[FALLBACK_LANGUAGE])
    return babel_format_date(value, format="long", locale=locale)


TIMEZONE_KEY = "timezone"  # the customer's IANA time zone, in a message's metadata
MAX_ZONE_CHARS = 64  # the longest IANA name is 32


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def known_timezone(value: Any) -> str | None:
    """`value` when it is an IANA time zone name ("Europe/Paris"), else None: what a
    client sends is checked against the list, never opened as a path."""
    if isinstance(value, str) and len(value) <= MAX_ZONE_CHARS and value in _zones():
        return value
    return None


def format_moment(moment_utc: datetime, language: str, zone: str, pattern: str) -> str:
    """Naive UTC `moment_utc` as a clock in `zone`, with a CLDR `pattern` of `language`."""
    locale = LOCALES.get(language, LOCALES[FALLBACK_LANGUAGE])
    aware = moment_utc.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone))
    return babel_format_datetime(aware, pattern, locale=locale)


def zone_city(zone: str, language: str) -> str:
    """The city of an IANA zone in `language`: Europe/Rome -> "Roma", "Rome"."""
    locale = LOCALES.get(language, LOCALES[FALLBACK_LANGUAGE])
    return str(get_timezone_location(ZoneInfo(zone), locale=locale, return_city=True))
