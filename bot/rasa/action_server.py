"""The action server: rasa_sdk's app, reachable only by our Rasa server.

Run by `python -m bot serve actions`. rasa_sdk's own entry point listens on
0.0.0.0 (it reads SANIC_HOST, not our settings) and runs any action for anyone who
POSTs a tracker, so a forged tracker could write a desk ticket. Here the server
binds LISTEN_HOST and every call but /health must carry
`Authorization: Bearer <token>`, the token derived from SECRET_KEY (bot/config/keys.py).
Rasa sends it from endpoints.yml (`${ACTION_SERVER_TOKEN}`, set in Rasa's
environment by `bot.ops.cli.rasa_environment`), so it is never on a command line.
"""

from __future__ import annotations

import hmac
import logging
import sys

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config.keys import action_server_token
from bot.config.settings import Settings, get_settings
from bot.rasa.dependency_warnings import quiet_dependency_warnings

ACTIONS_PACKAGE = "actions"
OPEN_PATHS = frozenset({"/health"})  # answers {"status": "ok"} and nothing else
TOKEN_VARIABLE = "ACTION_SERVER_TOKEN"  # endpoints.yml reads it in Rasa's environment


def authorization_header(token: str) -> str:
    return f"Bearer {token}"


def build_app(settings: Settings) -> Sanic:
    """rasa_sdk's app (actions from `actions/`), refusing calls without the token."""
    from rasa_sdk.endpoint import create_app

    app = create_app(ACTIONS_PACKAGE, cors_origins=None)  # only Rasa calls it: no CORS
    expected = authorization_header(action_server_token(settings)).encode()

    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    app.register_middleware(require_token, "request")
    return app


def main() -> int:
    from rasa_sdk import utils

    from bot.services.help_centre.live_search import warm_up  # the search's imports: here only

    settings = get_settings()
    utils.configure_colored_logging(settings.log_level)
    utils.update_sanic_log_level()
    quiet_dependency_warnings()
    app = build_app(settings)
    warm_up()  # the help centre's index and encoder, before the first customer needs them
    logging.getLogger(__name__).info(
        "action server on http://%s:%s", settings.listen_host, settings.action_port
    )
    app.run(
        settings.listen_host,
        settings.action_port,
        workers=utils.number_of_sanic_workers(),
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
