"""Conversation scripts that `bench/load.py` plays against a Rasa server.

One flow, three languages of text (it, fr, en), as customers write them. A turn is a
message, or `EMAIL` / `CODE`: the account's email, and the one-time code read from
the outbox table after the previous turn asked for it. The floor (a bare `rasa init`
assistant) gets scripts over its own intents: greeting, mood, affirm, bot challenge.
"""

from __future__ import annotations

from dataclasses import dataclass

EMAIL = "<email>"
CODE = "<code>"


@dataclass(frozen=True)
class Script:
    name: str
    language: str
    turns: tuple[str, ...]

    @property
    def needs_code(self) -> bool:
        return CODE in self.turns


TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "greeting": {
        "it": ("ciao", "grazie mille", "arrivederci"),
        "fr": ("bonjour", "merci beaucoup", "au revoir"),
        "en": ("hello", "thanks a lot", "bye"),
    },
    "cannot_login": {
        "it": (
            "buongiorno",
            "non riesco ad accedere al mio account",
            "mi dice che la password non è corretta",
            "grazie",
        ),
        "fr": (
            "bonjour",
            "je n'arrive pas à me connecter à mon compte",
            "il me dit que le mot de passe est incorrect",
            "merci",
        ),
        "en": (
            "hi",
            "i can't log in to my account",
            "it says my password is wrong",
            "thanks",
        ),
    },
    "password_reset": {
        "it": ("ho dimenticato la password, me la potete reimpostare?", EMAIL, "grazie"),
        "fr": ("j'ai oublié mon mot de passe, je voudrais le réinitialiser", EMAIL, "merci"),
        "en": ("i forgot my password and need to reset it", EMAIL, "thank you"),
    },
    "account_status": {
        "it": ("ciao", "il mio account è ancora attivo?", EMAIL, CODE, "grazie"),
        "fr": ("bonjour", "est-ce que mon compte est suspendu ou actif ?", EMAIL, CODE, "merci"),
        "en": ("hello", "what is the status of my account?", EMAIL, CODE, "thanks"),
    },
    "faq": {
        "it": (
            "cosa succede ai miei dati dopo la disdetta?",
            "posso avere un rimborso?",
            "quali browser sono supportati?",
        ),
        "fr": (
            "que deviennent mes données après la résiliation ?",
            "est-ce que je peux être remboursé ?",
            "quels navigateurs sont pris en charge ?",
        ),
        "en": (
            "what happens to my data after i cancel my subscription?",
            "can i get a refund?",
            "which browsers are supported?",
        ),
    },
    "person": {
        "it": ("vorrei parlare con un operatore", "vorrei parlare con un operatore"),
        "fr": ("je voudrais parler à un conseiller", "je voudrais parler à un conseiller"),
        "en": ("i want to talk to a person", "i want to talk to a person"),
    },
}

ASSISTANT_SCRIPTS: tuple[Script, ...] = tuple(
    Script(name, language, turns)
    for name, by_language in TEXTS.items()
    for language, turns in by_language.items()
)

FLOOR_SCRIPTS: tuple[Script, ...] = (
    Script("greeting", "en", ("hello", "i am feeling great", "bye")),
    Script("sad", "en", ("hi", "i am very sad", "yes", "goodbye")),
    Script("sad_no", "en", ("hey there", "i feel unhappy", "no", "see you")),
    Script("challenge", "en", ("are you a bot?", "hello", "perfect", "bye")),
)

# Demo accounts whose status check is answered after the code (bot/ops/demo_data.py).
ACCOUNT_EMAILS: tuple[str, ...] = (
    "active@example.com",
    "trial.expired@example.com",
    "sub.expired@example.com",
    "suspended@example.com",
    "limited@example.com",
    "monthly@example.com",
    "tollfree@example.com",
    "contract15@example.com",
)
