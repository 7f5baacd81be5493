"""The `api_url` credential shared by our platform channels (tests point it at a local
server; unset, each channel keeps its platform's real API URL)."""

from __future__ import annotations

from typing import Any


class ApiUrlFromCredentials:
    """Mixin for an input channel: `api_url` from credentials, else the class default.

    Put it before Rasa's input class, whose `from_credentials` builds the channel.
    """

    api_url: str

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> Any:
        channel = super().from_credentials(credentials)  # type: ignore[misc]
        channel.api_url = (credentials or {}).get("api_url") or cls.api_url
        return channel
