"""Start the Rasa server with its HTTP API switched on and protected by a JWT.

Run by `python -m bot serve rasa` (which sets the environment endpoints.yml reads).
The JWT secret is derived here from SECRET_KEY instead of being passed as a
`rasa run --jwt-secret` argument, where every local user could read it in `ps`.
Channel webhooks (/webhooks/...) and socket.io stay open, as channels need;
/conversations/..., /model/... and /status need `Authorization: Bearer <JWT>`.
"""

from __future__ import annotations

import argparse
import logging
import sys

from bot.keys import rasa_jwt_secret
from bot.rasa_hot_path import install_hot_path
from bot.settings import get_settings

JWT_METHOD = "HS256"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.rasa_server")
    parser.add_argument("--model", required=True)
    parser.add_argument("--endpoints", required=True)
    parser.add_argument("--credentials", required=True)
    args = parser.parse_args(argv)

    import rasa.api
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    settings = get_settings()
    log_level = getattr(logging, settings.log_level)
    configure_logging_and_warnings(log_level)
    configure_structlog(log_level)
    install_hot_path()  # validation compiled once, conversation state in process
    rasa.api.run(
        model=args.model,
        endpoints=args.endpoints,
        credentials=args.credentials,
        interface=settings.listen_host,
        port=settings.rasa_port,
        cors="*",
        enable_api=True,
        jwt_secret=rasa_jwt_secret(settings),
        jwt_method=JWT_METHOD,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
