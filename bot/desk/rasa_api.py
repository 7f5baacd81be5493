"""The few calls the desk makes to Rasa's HTTP API, with a short-lived admin JWT."""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import quote

import aiohttp
import jwt

from bot.config.keys import rasa_jwt_secret
from bot.config.settings import Settings
from bot.rasa.server import JWT_METHOD
from bot.services.satisfaction import ASK_ACTION, HANDBACK_RESPONSE

logger = logging.getLogger(__name__)

TOKEN_SECONDS = 300


class RasaError(Exception):
    """Rasa answered with an error or could not be reached."""


class RasaClient:
    def __init__(self, settings: Settings, base_url: str | None = None) -> None:
        self._base = (base_url or settings.rasa_api_url).rstrip("/")
        self._secret = rasa_jwt_secret(settings)
        self._http: aiohttp.ClientSession | None = None

    def _token(self) -> str:
        payload = {
            "user": {"username": "agent-desk", "role": "admin"},
            "exp": int(time.time()) + TOKEN_SECONDS,
        }
        return jwt.encode(payload, self._secret, algorithm=JWT_METHOD)

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        headers = {"Authorization": f"Bearer {self._token()}"}
        try:
            async with self._http.request(
                method, self._base + path, headers=headers, **kwargs
            ) as response:
                if response.status >= 400:
                    raise RasaError(f"Rasa answered {response.status} to {method} {path}")
                return await response.json()
        except aiohttp.ClientError as error:
            raise RasaError(f"Rasa unreachable: {type(error).__name__}") from error

    @staticmethod
    def _conversation(conversation_id: str) -> str:
        return "/conversations/" + quote(conversation_id, safe="")

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        return await self._request("GET", self._conversation(conversation_id) + "/tracker")

    async def append(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        """Add events; bot messages among them are sent to the user's latest channel."""
        await self._request(
            "POST",
            self._conversation(conversation_id) + "/tracker/events",
            params={"output_channel": "latest", "execute_side_effects": "true"},
            json=events,
        )

    async def execute(self, conversation_id: str, action: str) -> None:
        """Run an action (a response in the user's language) on the latest channel."""
        await self._request(
            "POST",
            self._conversation(conversation_id) + "/execute",
            params={"output_channel": "latest"},
            json={"name": action},
        )

    async def hand_to_agent(
        self, conversation_id: str, agent_name: str, banner: dict[str, Any] | None = None
    ) -> None:
        """Pause the bot, name the agent, tell the customer that a person joined: once.
        `banner`: the widget's bot-event data, for the widget only, whose banner says it
        (with the name, in the widget's language); other channels get the text."""
        await self.append(
            conversation_id,
            [{"event": "pause"}, {"event": "slot", "name": "agent_name", "value": agent_name}],
        )
        if banner:
            await self.append(conversation_id, [{"event": "bot", **banner}])
        else:
            await self.execute(conversation_id, "utter_agent_joined")

    async def return_to_bot(
        self, conversation_id: str, banner: dict[str, Any] | None = None
    ) -> None:
        """Resume the bot, say so, ask whether the person helped (the satisfaction
        question), and make the customer's next message a normal turn."""
        await self.append(
            conversation_id,
            [{"event": "resume"}, {"event": "slot", "name": "agent_name", "value": None}],
        )
        if banner:
            await self.append(conversation_id, [{"event": "bot", **banner}])
        await self.execute(conversation_id, HANDBACK_RESPONSE)
        try:
            await self.execute(conversation_id, ASK_ACTION)
        except RasaError as error:  # the question is optional; the hand-back is not
            logger.warning("satisfaction question after the hand-back not asked: %s", error)
        # while paused, Rasa logged messages without listening, and rules only match
        # after action_listen
        await self.append(conversation_id, [{"event": "action", "name": "action_listen"}])

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
