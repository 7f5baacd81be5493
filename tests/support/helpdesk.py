"""A real local HTTP server standing in for a helpdesk that receives ticket webhooks."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Helpdesk:
    """A real HTTP server that fails the first `failures` requests with `status`
    (or, with `fail_every_first`, the first try of every delivery)."""

    def __init__(
        self,
        failures: int = 0,
        status: int = 503,
        delay: float = 0.0,
        fail_every_first: bool = False,
    ) -> None:
        self.failures, self.status, self.delay = failures, status, delay
        self.fail_every_first = fail_every_first
        self.received: list[tuple[dict[str, str], bytes, float]] = []
        self.deliveries: set[str] = set()
        helpdesk = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                helpdesk.received.append((dict(self.headers), body, time.monotonic()))
                time.sleep(helpdesk.delay)
                failing = len(helpdesk.received) <= helpdesk.failures
                delivery = self.headers.get("X-Support-Delivery", "")
                if helpdesk.fail_every_first and delivery not in helpdesk.deliveries:
                    helpdesk.deliveries.add(delivery)
                    failing = True
                self.send_response(helpdesk.status if failing else 200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/support"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
