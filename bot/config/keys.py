"""Keys derived from the one server secret (SECRET_KEY), one per purpose.

Deriving instead of reusing means a leaked desk-session key says nothing about
the Rasa API key or the audit keys.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.config.settings import Settings, get_settings

RASA_API = "rasa-api-jwt"
AUDIT = "audit-subject-keys"
DESK_SESSIONS = "desk-sessions"
ACTION_SERVER = "action-server-token"
SEALED_SLOTS = "sealed-slot-values"
WIDGET_SESSIONS = "widget-sessions"  # socket.io conversation IDs from the widget's secret


def derive_key(purpose: str, settings: Settings | None = None) -> bytes:
    secret = (settings or get_settings()).secret_key.encode()
    return hmac.new(secret, f"support-assistant:{purpose}".encode(), hashlib.sha256).digest()


def rasa_jwt_secret(settings: Settings | None = None) -> str:
    """The HS256 secret Rasa's HTTP API checks (`rasa run --jwt-secret`)."""
    return derive_key(RASA_API, settings).hex()


def action_server_token(settings: Settings | None = None) -> str:
    """The shared token Rasa sends to the action server on every call (Authorization)."""
    return derive_key(ACTION_SERVER, settings).hex()
