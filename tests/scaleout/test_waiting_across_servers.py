"""The place in the queue reaches a customer's sockets on every Rasa server, once.

Each server pushes `waiting` only to the sockets it holds (bot/channels/widget_state.py):
with the shared socket.io manager, an emit to the room from both servers would reach
every socket twice. One conversation, a socket on each of two servers, a ticket
written to the shared database: each socket gets its place once.
"""

from __future__ import annotations

import contextlib
import queue
import secrets

import socketio

from tests.scaleout.conftest import Cluster
from tests.support.desk_client import open_widget_ticket

WAIT = 30.0
QUIET = 6.0  # three rounds of each server's 2-second look


def test_each_server_tells_its_own_sockets_their_place_once(cluster: Cluster) -> None:
    secret = secrets.token_urlsafe(32)
    origin = f"http://localhost:{cluster.env['SITE_PORT']}"
    sockets, pushed, conversations = [], [], []
    try:
        for server in cluster.servers:
            waiting: queue.Queue[dict] = queue.Queue()
            confirmed: queue.Queue[dict] = queue.Queue()
            client = socketio.Client(reconnection=False)
            client.on("waiting", waiting.put)
            client.on("session_confirm", confirmed.put)
            client.connect(
                server, socketio_path="/socket.io", transports=["polling"],
                headers={"Origin": origin},
            )  # fmt: skip
            sockets.append(client)
            client.emit("session_request", {"session_secret": secret})
            conversations.append(confirmed.get(timeout=WAIT)["session_id"])
            assert waiting.get(timeout=WAIT)["position"] == 0  # on joining: not waiting
            pushed.append(waiting)
        assert conversations[0] == conversations[1]

        open_widget_ticket(cluster.env, conversations[0])
        for waiting in pushed:
            state = waiting.get(timeout=WAIT)
            assert state["position"] >= 1
            # another push may only be a change (another team's test moving the queue),
            # never the same state again from the other server
            with contextlib.suppress(queue.Empty):
                while True:
                    later = waiting.get(timeout=QUIET)
                    assert later != state, f"the same place pushed twice: {later}"
                    state = later
    finally:
        for client in sockets:
            client.disconnect()
