""" "I can't log in": read what the customer says happens, and pick the checklist
steps of support policies §1 that fit, most likely first.

The customer's words are matched against short keyword lists in the three
languages (accents and case ignored). The advice never looks the email up:
whether an address has an account is never told.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from bot.nlu.entity_rules import fold


class LoginProblem(str, enum.Enum):
    PASSWORD = "password"
    EMAIL = "email"  # email not recognised / which email
    CREDENTIALS_CHANGED = "credentials_changed"
    USERNAME = "username"
    EMAIL_CONFLICT = "email_conflict"  # owner and collaborator with the same email
    PARTICIPANT = "participant"  # invited to a meeting, webinar or training
    BROWSER = "browser"
    ACCOUNT_STATE = "account_state"  # "no products available", suspended, deactivated
    UNKNOWN = "unknown"


# Checked in this order: the more specific problems first.
KEYWORDS: dict[LoginProblem, tuple[str, ...]] = {
    LoginProblem.EMAIL_CONFLICT: (
        "collaborator",
        "team member",
        "member of another",
        "two accounts",
        "both accounts",
        "collaboratore",
        "membro del team",
        "due account",
        "collaborateur",
        "membre de l'equipe",
        "deux comptes",
    ),
    LoginProblem.PARTICIPANT: (
        "invited",
        "invitation",
        "participant",
        "attendee",
        "join a meeting",
        "join the webinar",
        "invitato",
        "invito",
        "partecipante",
        "invite",
        "participer",
    ),
    LoginProblem.ACCOUNT_STATE: (
        "no products",
        "suspended",
        "deactivated",
        "disabled",
        "admin removed",
        "privileges",
        "nessun prodotto",
        "sospeso",
        "disattivato",
        "privilegi",
        "aucun produit",
        "suspendu",
        "desactive",
        "droits",
    ),
    LoginProblem.BROWSER: (
        "browser",
        "internet explorer",
        "safari",
        "chrome",
        "firefox",
        "edge",
        "blank page",
        "page does not load",
        "won't load",
        "pagina bianca",
        "non si carica",
        "navigateur",
        "page blanche",
        "ne se charge pas",
        "doesn't load",
        "does not load",
        "ne charge pas",
    ),
    LoginProblem.USERNAME: (
        "username",
        "user name",
        "nome utente",
        "nom d'utilisateur",
        "identifiant",
    ),
    LoginProblem.CREDENTIALS_CHANGED: (
        "changed my password",
        "changed my email",
        "recently changed",
        "new password",
        "cambiato la password",
        "cambiato l'email",
        "nuova password",
        "change mon mot de passe",
        "nouveau mot de passe",
        "modifie mon",
    ),
    LoginProblem.PASSWORD: (
        "password",
        "wrong password",
        "incorrect",
        "invalid credentials",
        "password errata",
        "password sbagliata",
        "credenziali",
        "mot de passe",
        "identifiants",
    ),
    LoginProblem.EMAIL: (
        "email",
        "e-mail",
        "mail",
        "address",
        "not recognised",
        "not recognized",
        "not found",
        "does not exist",
        "no account",
        "indirizzo",
        "non riconosciut",
        "non esiste",
        "adresse",
        "introuvable",
        "n'existe pas",
        "inconnu",
    ),
}

# The reply for the customer's problem first, then the rest of §1's checklist.
TIP_RESPONSES: dict[LoginProblem, str] = {
    LoginProblem.PASSWORD: "utter_login_tip_password",
    LoginProblem.EMAIL: "utter_login_tip_email",
    LoginProblem.CREDENTIALS_CHANGED: "utter_login_tip_cache",
    LoginProblem.USERNAME: "utter_login_tip_username",
    LoginProblem.EMAIL_CONFLICT: "utter_login_email_conflict",
    LoginProblem.PARTICIPANT: "utter_login_tip_participant",
    LoginProblem.BROWSER: "utter_login_tip_browser",
    LoginProblem.ACCOUNT_STATE: "utter_login_tip_account_state",
    LoginProblem.UNKNOWN: "utter_login_tip_unknown",
}

COMMON_TYPO_DOMAINS = {
    "gmial.com": "gmail.com", "gmai.com": "gmail.com", "gmail.co": "gmail.com",
    "gnail.com": "gmail.com", "hotmial.com": "hotmail.com", "hotmai.com": "hotmail.com",
    "outlok.com": "outlook.com", "yahooo.com": "yahoo.com", "libero.ti": "libero.it",
    "orange.fe": "orange.fr", "wanadoo.f": "wanadoo.fr",
}  # fmt: skip


def _fold(text: str) -> str:
    """The NLU's accent-free lowercase, with typographic apostrophes made plain."""
    return fold(text).replace("’", "'")


def classify(text: str) -> LoginProblem:
    folded = _fold(text)
    for problem, words in KEYWORDS.items():
        if any(re.search(rf"(?<!\w){re.escape(_fold(w))}", folded) for w in words):
            return problem
    return LoginProblem.UNKNOWN


def typo_suggestion(email: str | None) -> str | None:
    """ "mario@gmial.com" -> "gmail.com": a likely typo in the domain, if any."""
    if not email or "@" not in email:
        return None
    return COMMON_TYPO_DOMAINS.get(email.rsplit("@", 1)[1].strip().lower())


@dataclass(frozen=True)
class LoginAdvice:
    problem: LoginProblem
    responses: list[str]  # domain responses, in order
    typo_domain: str | None = None
    offers_person: bool = False  # the email conflict needs a person (§1)


def advise(text: str, email: str | None, outage: bool) -> LoginAdvice:
    """The replies for what the customer said happens."""
    problem = classify(text)
    typo = typo_suggestion(email)
    if typo and problem in (LoginProblem.UNKNOWN, LoginProblem.PASSWORD):
        problem = LoginProblem.EMAIL
    responses = ["utter_service_incident"] if outage else []
    responses.append(TIP_RESPONSES[problem])
    if typo:
        responses.append("utter_login_email_typo")
    if problem is not LoginProblem.EMAIL_CONFLICT:
        responses.append("utter_login_more_checks")
    return LoginAdvice(problem, responses, typo, problem is LoginProblem.EMAIL_CONFLICT)
