"""Start the Rasa server with its HTTP API switched on and protected by a JWT.

Run by `python -m bot serve rasa` (which sets the environment endpoints.yml reads).
The JWT secret is derived here from SECRET_KEY instead of being passed as a
`rasa run --jwt-secret` argument, where every local user could read it in `ps`.
Channel webhooks (/webhooks/...) and socket.io stay open, as channels need;
/conversations/..., /model/... and /status need `Authorization: Bearer <JWT>`.
Browsers may call it only from ALLOWED_ORIGINS (CORS), and `/` answers a neutral
"ok" (readiness checks poll it) while `/version` is not found, however the path is
spelled, and error bodies (401s among them) lose Rasa's `version` and `help` keys:
nothing tells anyone which software runs here. A token the JWT library cannot read
(`alg: none`, an unknown algorithm) is a 401 like any other bad token, not a 500.
Request bodies are limited to MAX_REQUEST_BYTES (bot/channels/limits.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from bot.channels.limits import MAX_REQUEST_BYTES
from bot.channels.routes import handler_name
from bot.config.keys import rasa_jwt_secret
from bot.config.settings import get_settings
from bot.rasa.dependency_warnings import quiet_dependency_warnings
from bot.rasa.patches.hot_path import close_kept_sessions
from bot.rasa.patches.registry import install_all

JWT_METHOD = "HS256"
HEALTH_TEXT = "ok"
HEALTH_HANDLER = "hello"  # Rasa's `/`, which names its release
HIDDEN_HANDLERS = frozenset({"version"})  # Rasa's `/version`
HIDDEN_ERROR_KEYS = ("version", "help")  # Rasa's release, and a link to its documentation
SOCKETIO_PATH = "/socket.io"  # Rasa's default socketio_path (credentials.yml keeps it)
# Connections waiting to be accepted. Rasa's default (100) made a peak of 500 customers
# arriving together fail with "connection reset" (make bench-load, realistic x500)
# while the server was only slow; the kernel caps it at net.core.somaxconn.
LISTEN_BACKLOG = 1024


async def _edges(request: Any) -> Any:
    """Request middleware: `/` says only that the server is up; `/version` is not found;
    socket.io answers its own CORS (its server checks Origin against ALLOWED_ORIGINS,
    see bot/channels/socketio.py), so Rasa's CORS must not add a second header."""
    from sanic import response
    from sanic_cors.core import SANIC_CORS_EVALUATED

    # by the handler the router chose: `/version/` and `//version` reach it too
    if handler_name(request) == HEALTH_HANDLER:
        return response.text(HEALTH_TEXT)
    if handler_name(request) in HIDDEN_HANDLERS:
        return response.text("Not Found", status=404)
    if request.path.startswith(SOCKETIO_PATH):
        setattr(request.ctx, SANIC_CORS_EVALUATED, True)
    return None


def _error_body(error: Any) -> Any:
    """Rasa's error response (ErrorResponse) without what names the software."""
    from sanic import response

    body = {k: v for k, v in error.error_info.items() if k not in HIDDEN_ERROR_KEYS}
    return response.json(body, status=error.status)


def _unreadable_token(_request: Any, _error: Exception) -> Any:
    """A token PyJWT refuses with an error sanic-jwt does not catch (InvalidAlgorithmError
    for `alg: none`, ...): the 401 of any other bad token."""
    from rasa.server import ErrorResponse

    return _error_body(ErrorResponse(401, "NotAuthenticated", "User is not authenticated."))


async def _hide_version(app: Any, _loop: Any) -> None:
    from jwt.exceptions import InvalidTokenError
    from rasa.server import ErrorResponse

    # first in the chain, before Rasa's own routes answer with their version string
    app.request_middleware.appendleft(_edges)
    app.error_handler.add(ErrorResponse, lambda _request, error: _error_body(error))
    app.error_handler.add(InvalidTokenError, _unreadable_token)
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES  # read by each new connection


def one_blas_thread() -> None:
    """The event loop is one thread: OpenBLAS's thread per core only spun on the sentence
    encoder's small products and took the second core from the other processes."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.rasa.server")
    parser.add_argument("--model", required=True)
    parser.add_argument("--endpoints", required=True)
    parser.add_argument("--credentials", required=True)
    args = parser.parse_args(argv)

    import rasa.api
    from rasa.constants import ENV_SANIC_BACKLOG
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    settings = get_settings()
    os.environ.setdefault(ENV_SANIC_BACKLOG, str(LISTEN_BACKLOG))  # read by rasa.api.run
    log_level = getattr(logging, settings.log_level)
    configure_logging_and_warnings(log_level)
    quiet_dependency_warnings()  # after Rasa's own filters
    configure_structlog(log_level)
    one_blas_thread()
    install_all()  # after Rasa configured its logging: one patch scrubs it
    rasa.api.run(
        model=args.model,
        endpoints=args.endpoints,
        credentials=args.credentials,
        interface=settings.listen_host,
        port=settings.rasa_port,
        cors=list(settings.allowed_origins),
        enable_api=True,
        jwt_secret=rasa_jwt_secret(settings),
        jwt_method=JWT_METHOD,
        server_listeners=[
            (_hide_version, "before_server_start"),
            (close_kept_sessions, "after_server_stop"),
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
