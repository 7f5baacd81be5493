"""Rasa's HTTP API as the desk calls it (bot/desk/rasa_api.py): an admin JWT signed with
the key the servers derive, and a bot message appended for the customer's latest channel."""

from __future__ import annotations

import time
from collections.abc import Mapping
from urllib.parse import quote

import jwt
import requests

from bot.config.keys import rasa_jwt_secret
from bot.config.settings import load_settings
from bot.rasa.server import JWT_METHOD


def api_headers(env: Mapping[str, str]) -> dict[str, str]:
    """The Authorization header for servers started with `env`."""
    secret = rasa_jwt_secret(load_settings(environ=dict(env)))
    payload = {"user": {"username": "tests", "role": "admin"}, "exp": int(time.time()) + 300}
    return {"Authorization": f"Bearer {jwt.encode(payload, secret, algorithm=JWT_METHOD)}"}


def send_as_bot(rasa_url: str, env: Mapping[str, str], conversation: str, text: str) -> None:
    """A bot message for the conversation's latest channel, as the desk sends an agent's."""
    response = requests.post(
        f"{rasa_url}/conversations/{quote(conversation, safe=':')}/tracker/events",
        params={"output_channel": "latest", "execute_side_effects": "true"},
        json=[{"event": "bot", "text": text}],
        headers=api_headers(env),
        timeout=30,
    )
    response.raise_for_status()
