"""When the team is back, for the out-of-hours reply: the language team's next opening
(bot/policy.yml `support_hours`), in the customer's time zone when their widget sent
it, else in the team's own (then named by its city), in the conversation's language."""

from __future__ import annotations

from datetime import datetime

from bot.config.policy import SupportHours
from bot.services.dates import format_moment, known_timezone, zone_city

# CLDR patterns: "lunedì 14 dicembre alle 09:00", "lundi 14 décembre à 09:00"
WHEN = {
    "it": "EEEE d MMMM 'alle' HH:mm",
    "fr": "EEEE d MMMM 'à' HH:mm",
    "en": "EEEE d MMMM 'at' HH:mm",
}
SENTENCE = {
    "it": "Il nostro team torna disponibile {when} ({zone}).",
    "fr": "Notre équipe sera de retour {when} ({zone}).",
    "en": "Our team is back on {when} ({zone}).",
}
YOUR_TIME = {"it": "ora locale", "fr": "heure locale", "en": "your time"}
TEAM_TIME = {"it": "ora di {city}", "fr": "heure de {city}", "en": "{city} time"}


def team_back_sentence(
    hours: SupportHours, now_utc: datetime, language: str, customer_zone: object = None
) -> str:
    """ "Our team is back on Monday 14 December at 09:00 (your time)." and the like."""
    language = language if language in SENTENCE else "en"
    zone = known_timezone(customer_zone)
    if zone is None:
        zone = hours.timezone
        label = TEAM_TIME[language].format(city=zone_city(zone, language))
    else:
        label = YOUR_TIME[language]
    when = format_moment(hours.next_opening(now_utc), language, zone, WHEN[language])
    return SENTENCE[language].format(when=when, zone=label)
