"""The site's words in Italian, French and English (the widget has its own)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.config.settings import FALLBACK_LANGUAGE
from bot.services.identity.passwords import (
    HAS_EMAIL,
    MIN_LENGTH,
    MISMATCH,
    TOO_EASY,
    TOO_LONG,
    TOO_SHORT,
)

LANGUAGE_NAMES = {"it": "Italiano", "fr": "Français", "en": "English"}

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "site_name": "Example Meetings · Help centre",
        "skip": "Skip to the content",
        "language": "Language",
        "home_title": "How can we help?",
        "home_intro": (
            "Meetings, webinars and trainings for your team. Search the articles below, "
            "or chat with our assistant: it answers in English, Italian and French, "
            "and puts you through to a person when you need one."
        ),
        "chat_hint": "The chat button is at the bottom right of the page.",
        "articles": "Popular articles",
        "a_login": "I can't log in",
        "a_login_body": (
            "Reset your password, check the email you sign in with, clear your browser's "
            "cache, and use Chrome, Firefox, Edge or Safari 16+."
        ),
        "a_status": "Is my account active?",
        "a_status_body": (
            "The assistant can check it for you after a one-time code sent to your "
            "registered email."
        ),
        "a_cancel": "Cancel or change a subscription",
        "a_cancel_body": (
            "Billing administrators can cancel monthly and annual plans online; contracts "
            "need notice."
        ),
        "demo": "Demo",
        "demo_outbox": (
            "This demo does not send real mail: reset links and one-time codes land in the outbox."
        ),
        "outbox_link": "Open the demo outbox",
        "outbox_title": "Demo outbox",
        "outbox_intro": (
            "Mails the assistant would have sent (MAIL_BACKEND=outbox), newest first. "
            "Use them to try the password reset and the account checks."
        ),
        "outbox_empty": "The outbox is empty. Ask the assistant to reset a password first.",
        "outbox_to": "To",
        "outbox_subject": "Subject",
        "outbox_when": "Sent (UTC)",
        "back_home": "Back to the help centre",
        "reset_title": "Choose a new password",
        "reset_intro": "Type your new password twice. Use at least {min} characters.",
        "new_password": "New password",
        "confirm_password": "New password, again",
        "reset_submit": "Change my password",
        "reset_invalid": (
            "This link is not valid: it may have expired or been used already. "
            "Ask the assistant for a new one."
        ),
        "reset_done": "Your password has been changed. You can now sign in with it.",
        "reset_expired_form": "This form has expired. Please open the link from your email again.",
        TOO_SHORT: "The password is too short: use at least {min} characters.",
        TOO_LONG: "The password is too long.",
        MISMATCH: "The two passwords are not the same.",
        TOO_EASY: (
            "This password is too easy to guess. Avoid common passwords and words, repeated "
            "characters, sequences like 12345 or abcde, and keyboard rows like qwerty; a few "
            "unrelated words make a good one."
        ),
        HAS_EMAIL: "The password must not contain your email address or its first part.",
    },
    "it": {
        "site_name": "Example Meetings · Centro assistenza",
        "skip": "Vai al contenuto",
        "language": "Lingua",
        "home_title": "Come possiamo aiutarti?",
        "home_intro": (
            "Riunioni, webinar e formazioni per il tuo team. Consulta gli articoli qui sotto "
            "oppure scrivi al nostro assistente: risponde in italiano, francese e inglese, "
            "e ti mette in contatto con una persona quando serve."
        ),
        "chat_hint": "Il pulsante della chat è in basso a destra nella pagina.",
        "articles": "Articoli più letti",
        "a_login": "Non riesco ad accedere",
        "a_login_body": (
            "Reimposta la password, controlla l'email con cui accedi, svuota la cache del "
            "browser e usa Chrome, Firefox, Edge o Safari 16 e successivi."
        ),
        "a_status": "Il mio account è attivo?",
        "a_status_body": (
            "L'assistente può controllarlo per te dopo un codice monouso inviato alla tua "
            "email registrata."
        ),
        "a_cancel": "Disdire o cambiare un abbonamento",
        "a_cancel_body": (
            "Gli amministratori della fatturazione possono disdire online i piani mensili e "
            "annuali; i contratti richiedono un preavviso."
        ),
        "demo": "Demo",
        "demo_outbox": (
            "Questa demo non invia email vere: i link di reimpostazione e i codici monouso "
            "finiscono nella posta in uscita."
        ),
        "outbox_link": "Apri la posta in uscita della demo",
        "outbox_title": "Posta in uscita della demo",
        "outbox_intro": (
            "Le email che l'assistente avrebbe inviato (MAIL_BACKEND=outbox), dalla più "
            "recente. Usale per provare la reimpostazione della password e i controlli "
            "dell'account."
        ),
        "outbox_empty": (
            "La posta in uscita è vuota. Chiedi prima all'assistente di reimpostare una password."
        ),
        "outbox_to": "A",
        "outbox_subject": "Oggetto",
        "outbox_when": "Inviata (UTC)",
        "back_home": "Torna al centro assistenza",
        "reset_title": "Scegli una nuova password",
        "reset_intro": "Scrivi due volte la nuova password. Usa almeno {min} caratteri.",
        "new_password": "Nuova password",
        "confirm_password": "Ripeti la nuova password",
        "reset_submit": "Cambia la password",
        "reset_invalid": (
            "Questo link non è valido: potrebbe essere scaduto o già stato usato. "
            "Chiedine uno nuovo all'assistente."
        ),
        "reset_done": "La password è stata cambiata. Ora puoi accedere con la nuova password.",
        "reset_expired_form": (
            "Questo modulo è scaduto. Apri di nuovo il link che hai ricevuto per email."
        ),
        TOO_SHORT: "La password è troppo corta: usa almeno {min} caratteri.",
        TOO_LONG: "La password è troppo lunga.",
        MISMATCH: "Le due password non coincidono.",
        TOO_EASY: (
            "Questa password è troppo facile da indovinare. Evita password e parole comuni, "
            "caratteri ripetuti, sequenze come 12345 o abcde e righe della tastiera come "
            "qwerty; qualche parola senza legame tra loro ne fa una buona."
        ),
        HAS_EMAIL: ("La password non deve contenere il tuo indirizzo email né la sua prima parte."),
    },
    "fr": {
        "site_name": "Example Meetings · Centre d'aide",
        "skip": "Aller au contenu",
        "language": "Langue",
        "home_title": "Comment pouvons-nous vous aider ?",
        "home_intro": (
            "Réunions, webinaires et formations pour votre équipe. Parcourez les articles "
            "ci-dessous ou écrivez à notre assistant : il répond en français, en italien et "
            "en anglais, et vous met en relation avec un conseiller si besoin."
        ),
        "chat_hint": "Le bouton de discussion est en bas à droite de la page.",
        "articles": "Articles les plus consultés",
        "a_login": "Je n'arrive pas à me connecter",
        "a_login_body": (
            "Réinitialisez votre mot de passe, vérifiez l'adresse e-mail de connexion, videz "
            "le cache du navigateur et utilisez Chrome, Firefox, Edge ou Safari 16+."
        ),
        "a_status": "Mon compte est-il actif ?",
        "a_status_body": (
            "L'assistant peut le vérifier pour vous après un code à usage unique envoyé à "
            "votre adresse e-mail enregistrée."
        ),
        "a_cancel": "Résilier ou modifier un abonnement",
        "a_cancel_body": (
            "Les administrateurs de facturation peuvent résilier en ligne les formules "
            "mensuelles et annuelles ; les contrats demandent un préavis."
        ),
        "demo": "Démo",
        "demo_outbox": (
            "Cette démo n'envoie pas de vrais e-mails : les liens de réinitialisation et les "
            "codes à usage unique arrivent dans la boîte d'envoi."
        ),
        "outbox_link": "Ouvrir la boîte d'envoi de la démo",
        "outbox_title": "Boîte d'envoi de la démo",
        "outbox_intro": (
            "Les e-mails que l'assistant aurait envoyés (MAIL_BACKEND=outbox), du plus récent "
            "au plus ancien. Servez-vous-en pour essayer la réinitialisation du mot de passe "
            "et les vérifications de compte."
        ),
        "outbox_empty": (
            "La boîte d'envoi est vide. Demandez d'abord à l'assistant de réinitialiser un "
            "mot de passe."
        ),
        "outbox_to": "À",
        "outbox_subject": "Objet",
        "outbox_when": "Envoyé (UTC)",
        "back_home": "Retour au centre d'aide",
        "reset_title": "Choisissez un nouveau mot de passe",
        "reset_intro": (
            "Saisissez deux fois votre nouveau mot de passe. Utilisez au moins {min} caractères."
        ),
        "new_password": "Nouveau mot de passe",
        "confirm_password": "Nouveau mot de passe, à nouveau",
        "reset_submit": "Changer mon mot de passe",
        "reset_invalid": (
            "Ce lien n'est pas valide : il a peut-être expiré ou déjà été utilisé. "
            "Demandez-en un nouveau à l'assistant."
        ),
        "reset_done": (
            "Votre mot de passe a été modifié. Vous pouvez maintenant vous connecter avec."
        ),
        "reset_expired_form": ("Ce formulaire a expiré. Ouvrez à nouveau le lien reçu par e-mail."),
        TOO_SHORT: "Le mot de passe est trop court : utilisez au moins {min} caractères.",
        TOO_LONG: "Le mot de passe est trop long.",
        MISMATCH: "Les deux mots de passe ne sont pas identiques.",
        TOO_EASY: (
            "Ce mot de passe est trop facile à deviner. Évitez les mots de passe et les mots "
            "courants, les caractères répétés, les suites comme 12345 ou abcde et les rangées "
            "du clavier comme azerty ; quelques mots sans rapport entre eux en font un bon."
        ),
        HAS_EMAIL: (
            "Le mot de passe ne doit pas contenir votre adresse e-mail ni sa première partie."
        ),
    },
}


def text(language: str, key: str) -> str:
    """The page text `key` in `language` (English if missing), with {min} filled in."""
    table = TEXTS.get(language, TEXTS[FALLBACK_LANGUAGE])
    return table.get(key, TEXTS[FALLBACK_LANGUAGE][key]).replace("{min}", str(MIN_LENGTH))
