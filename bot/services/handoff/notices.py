"""What a customer on a channel without the widget's banners reads when their ticket
goes back to the queue (a transfer to a named agent reuses utter_agent_joined)."""

from __future__ import annotations

from bot.config.settings import FALLBACK_LANGUAGE

BACK_IN_QUEUE = {
    "it": "La tua richiesta è di nuovo in coda: un'altra persona del nostro team entrerà "
    "a breve in questa chat. Resta pure qui, i tuoi messaggi le arriveranno.",
    "fr": "Votre demande est de nouveau dans la file : un autre membre de notre équipe "
    "va rejoindre cette conversation sous peu. Restez ici, vos messages lui parviendront.",
    "en": "Your request is back in the queue: another person from our team will join "
    "this chat shortly. Stay here; your messages will reach them.",
}


def back_in_queue(language: str) -> str:
    return BACK_IN_QUEUE.get(language, BACK_IN_QUEUE[FALLBACK_LANGUAGE])
