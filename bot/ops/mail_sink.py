"""A local SMTP sink for `make run-prod` without an SMTP server: mail is accepted and discarded.

`python -m bot run-prod` starts it (bound to 127.0.0.1) when DEMO is off and SMTP_HOST
is not set, so the mail worker has somewhere to deliver and the profile still runs. It
keeps nothing: each mail is announced with its recipient masked, never its body (codes,
reset links).
"""

from __future__ import annotations

import argparse
import signal
import socket
import threading
import time
from collections.abc import Sequence
from typing import Any

from bot.services.privacy.redaction import mask_email

HOST = "127.0.0.1"
LABEL = "LOCAL MAIL SINK"


class DiscardingHandler:
    """aiosmtpd handler: accept, say so with the recipients masked, keep nothing."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        recipients = ", ".join(mask_email(address) for address in envelope.rcpt_tos)
        print(f"{LABEL}: discarded a mail to {recipients} (not delivered)", flush=True)
        return "250 Discarded by the local mail sink"


def wait_for(port: int, seconds: float = 60.0) -> bool:
    """True once the sink accepts connections (the mail worker checks SMTP at start)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def main(argv: Sequence[str] | None = None) -> int:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser(prog="python -m bot.ops.mail_sink")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--port", type=int, help="run the sink on this loopback port")
    which.add_argument("--wait-for", type=int, metavar="PORT", help="wait until it runs")
    args = parser.parse_args(argv)
    if args.wait_for:
        return 0 if wait_for(args.wait_for) else 1
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    controller = Controller(DiscardingHandler(), hostname=HOST, port=args.port)
    controller.start()
    print(f"{LABEL} on {HOST}:{args.port}: mails are discarded, nobody receives them", flush=True)
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
