"""Short answers typed where a button was offered, which the classifier cannot read:
a 1-5 rating ("4", "4/5", "4 stelle", "⭐⭐⭐⭐"), a thumb (👍 👎), a typed skip
("skip", "Salta!", "je passe") and a stop ("cancel", "annulla"), in any language.
Whole messages only.

Text channels (SMS, WhatsApp) have no buttons, and on the widget a customer may type
instead of tapping: these are what the buttons of the satisfaction question and the
handoff form's *Skip* would have sent. Plain Python, tested without Rasa; the
component `bot.nlu.components.TypedAnswerClassifier` gives the intent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlu.folding import fold

# The intent of a satisfaction answer (its buttons send /satisfaction{...}) and the
# entity of its rating; the entity is named as the slot it fills
# (bot.services.insights.outcomes.RATING_SLOT: a test checks they agree).
SATISFACTION_INTENT = "satisfaction"
RATING_ENTITY = "satisfaction_rating"
AFFIRM_INTENT, DENY_INTENT = "affirm", "deny"

# A typed skip, whatever the conversation's language (the buttons send /deny and
# /talk_to_human). Whole messages only, folded: "Salta!", "passer", "skip all".
SKIP_ONE_WORDS = frozenset({
    "skip", "skip it", "skip this", "next", "pass", "no idea", "i don't know",
    "salta", "saltala", "saltare", "passa", "avanti", "prossima", "non lo so", "boh",
    "passer", "passe", "je passe", "suivant", "suivante", "je ne sais pas", "aucune idee",
})  # fmt: skip
SKIP_ALL_WORDS = frozenset({
    "skip all", "skip all questions", "skip them all", "skip everything",
    "salta tutto", "salta tutte", "salta tutte le domande", "saltale tutte",
    "passer tout", "tout passer", "passer toutes les questions", "je passe tout",
})  # fmt: skip
SKIP_ONE, SKIP_ALL = "one", "all"
# "Stop asking me": a question a customer no longer wants to answer (the reset email).
# Whole messages only, folded; the classifier reads "cancel" as cancelling a subscription.
STOP_WORDS = frozenset({
    "cancel", "cancel it", "cancel that", "stop", "stop it", "quit", "exit", "abort",
    "never mind", "nevermind", "forget it", "leave it", "no thanks", "no thank you",
    "annulla", "annullare", "annulla tutto", "basta", "esci", "lascia perdere",
    "lascia stare", "non importa", "no grazie", "lasciamo perdere", "fermati",
    "annuler", "annule", "annulez", "arrete", "arretez", "laisse tomber",
    "laissez tomber", "oublie", "oubliez", "tant pis", "non merci", "quitter", "peu importe",
})  # fmt: skip

# "4", "4/5", "4 su 5", "4 sur 5", "4 out of 5", "4 stars", "4 stelle", "4 étoiles",
# "voto 4", "note : 4", "rating 4", "4!" (folded: accents and case removed)
RATING = re.compile(
    r"(?:(?:voto|note|rating|score)\s*:?\s*)?(?P<n>[1-5])"
    r"(?:\s*(?:/|su|sur|out of|of)\s*5)?"
    r"(?:\s*(?:stars?|stelle|stella|etoiles?))?"
    r"\s*[.!]*"
)
STARS = re.compile(r"(?:[⭐★]\ufe0f?\s*){1,5}")
KEYCAP = re.compile(r"(?P<n>[1-5])\ufe0f?\u20e3")
SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")
THUMBS = {"👍": True, "👎": False}


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]+", " ", fold(text).replace("’", "'")).split())


def typed_skip(text: str) -> str | None:
    """SKIP_ONE or SKIP_ALL when the whole message is a skip word in any language."""
    words = _words(text)
    if words in SKIP_ALL_WORDS:
        return SKIP_ALL
    return SKIP_ONE if words in SKIP_ONE_WORDS else None


def typed_stop(text: str) -> bool:
    """Whether the whole message asks to stop, in any language ("Annulla!", "arrête")."""
    return _words(text) in STOP_WORDS


def typed_rating(text: str) -> int | None:
    """The 1-5 of a message that is only a rating, else None ("45", "4 euro", "6": None)."""
    text = text.strip()
    if len(text) > 40:
        return None
    stars = STARS.fullmatch(text)
    if stars:
        return sum(text.count(star) for star in "⭐★")
    match = KEYCAP.fullmatch(text) or RATING.fullmatch(fold(text).strip())
    return int(match.group("n")) if match else None


def typed_thumb(text: str) -> bool | None:
    """True for a thumbs-up alone (any skin tone), False for a thumbs-down, else None."""
    return THUMBS.get(SKIN_TONES.sub("", text.strip()))


@dataclass(frozen=True)
class TypedAnswer:
    intent: str
    rating: int | None = None  # the RATING_ENTITY's value


def typed_answer(text: str, classified_intent: str | None) -> TypedAnswer | None:
    """The intent (and rating) of a typed short answer, or None to keep the classifier's.

    A rating is a satisfaction answer; a thumb is a yes or a no; a skip word is a
    satisfaction answer without a value (the question is skipped), unless the
    classifier read it as a no ("no idea", "je ne sais pas" are learnt as deny).
    """
    rating = typed_rating(text)
    if rating is not None:
        return TypedAnswer(SATISFACTION_INTENT, rating)
    thumb = typed_thumb(text)
    if thumb is not None:
        return TypedAnswer(AFFIRM_INTENT if thumb else DENY_INTENT)
    if typed_skip(text) and classified_intent != DENY_INTENT:
        return TypedAnswer(SATISFACTION_INTENT)
    return None
