"""Texts of the mails the assistant sends: one key per meaning, three languages under it.

Placeholders: `{code}` or `{link}`, and `{minutes}` (validity, from the policy file).
Italian uses "tu" and French "vous", as the assistant's replies do.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.settings import FALLBACK_LANGUAGE, LANGUAGES


@dataclass(frozen=True)
class MailTemplate:
    subject: str
    body: str


VERIFICATION_CODE: dict[str, MailTemplate] = {
    "it": MailTemplate(
        subject="Il tuo codice di verifica",
        body=(
            "Ciao,\n\n"
            "ecco il codice per confermare la tua identità con l'assistenza clienti:\n\n"
            "    {code}\n\n"
            "Scrivilo nella chat con l'assistente. Il codice è valido per {minutes} minuti "
            "e si può usare una sola volta.\n\n"
            "Se non l'hai chiesto tu, ignora questa email e non comunicare il codice "
            "a nessuno, nemmeno a chi dice di lavorare per noi.\n\n"
            "Il team dell'assistenza clienti\n"
        ),
    ),
    "fr": MailTemplate(
        subject="Votre code de vérification",
        body=(
            "Bonjour,\n\n"
            "Voici le code qui permet de confirmer votre identité auprès du service client :\n\n"
            "    {code}\n\n"
            "Saisissez-le dans la conversation avec notre assistant. Il est valable "
            "{minutes} minutes et ne peut servir qu'une seule fois.\n\n"
            "Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail et ne "
            "communiquez ce code à personne, même à quelqu'un qui se présente comme "
            "membre de notre équipe.\n\n"
            "L'équipe du service client\n"
        ),
    ),
    "en": MailTemplate(
        subject="Your verification code",
        body=(
            "Hello,\n\n"
            "Here is the code to confirm your identity with customer support:\n\n"
            "    {code}\n\n"
            "Type it in the chat with our assistant. It is valid for {minutes} minutes "
            "and works only once.\n\n"
            "If you didn't ask for it, ignore this email and don't share the code with "
            "anyone, even someone who says they work for us.\n\n"
            "The customer support team\n"
        ),
    ),
}

PASSWORD_RESET: dict[str, MailTemplate] = {
    "it": MailTemplate(
        subject="Reimposta la tua password",
        body=(
            "Ciao,\n\n"
            "abbiamo ricevuto una richiesta di reimpostare la password del tuo account. "
            "Per sceglierne una nuova, apri questo link:\n\n"
            "{link}\n\n"
            "Il link è valido per {minutes} minuti e funziona una sola volta.\n\n"
            "Se non hai chiesto tu di reimpostare la password, ignora questa email: "
            "la password attuale resta invariata.\n\n"
            "Il team dell'assistenza clienti\n"
        ),
    ),
    "fr": MailTemplate(
        subject="Réinitialisation de votre mot de passe",
        body=(
            "Bonjour,\n\n"
            "Nous avons reçu une demande de réinitialisation du mot de passe de votre "
            "compte. Pour en choisir un nouveau, ouvrez ce lien :\n\n"
            "{link}\n\n"
            "Le lien est valable {minutes} minutes et ne fonctionne qu'une seule fois.\n\n"
            "Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail : votre "
            "mot de passe actuel reste inchangé.\n\n"
            "L'équipe du service client\n"
        ),
    ),
    "en": MailTemplate(
        subject="Reset your password",
        body=(
            "Hello,\n\n"
            "We received a request to reset the password of your account. To choose a "
            "new one, open this link:\n\n"
            "{link}\n\n"
            "The link is valid for {minutes} minutes and works only once.\n\n"
            "If you didn't ask for a reset, ignore this email: your current password "
            "stays as it is.\n\n"
            "The customer support team\n"
        ),
    ),
}


def pick_language(*candidates: str | None) -> str:
    """The first candidate we have texts for, else English."""
    for candidate in candidates:
        if candidate and candidate.lower() in LANGUAGES:
            return candidate.lower()
    return FALLBACK_LANGUAGE


def render(
    templates: dict[str, MailTemplate], language: str, **values: str | int
) -> tuple[str, str]:
    """Subject and body of `templates` in `language` with the placeholders filled."""
    template = templates[pick_language(language)]
    return template.subject.format(**values), template.body.format(**values)
