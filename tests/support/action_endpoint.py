"""A real local HTTP action endpoint that answers every action call with `body`
and records which actions Rasa called and over which connections (for tests of the
Rasa server's hot path)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web

from tests.support.servers import free_port


class ActionEndpoint:
    def __init__(self) -> None:
        self.body: Any = {"events": [], "responses": []}
        self.calls: list[str] = []
        self.connections: list[object] = []  # the caller's address of each call
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        threading.Thread(target=self._serve, args=(started,), daemon=True).start()
        started.wait(10)

    def _serve(self, started: threading.Event) -> None:
        async def answer(request: web.Request) -> web.Response:
            self.calls.append((await request.json()).get("next_action"))
            self.connections.append(
                request.transport and request.transport.get_extra_info("peername")
            )
            return web.json_response(self.body)

        app = web.Application()
        app.router.add_post("/webhook", answer)
        runner = web.AppRunner(app)
        self.loop.run_until_complete(runner.setup())
        self.loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        started.set()
        self.loop.run_forever()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
