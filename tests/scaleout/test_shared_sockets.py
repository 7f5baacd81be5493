"""An agent's message reaches the widget whichever Rasa server the desk calls.

The widget's socket is on server A; the desk's call (Rasa's API, output_channel=latest,
as bot/desk/rasa_api.py makes it) goes to server B. Without a shared socket.io
manager B has no such socket and the message is lost.
"""

from __future__ import annotations

import queue
import secrets
from urllib.parse import quote

import requests
import socketio

from tests.scaleout.conftest import Cluster

WAIT = 30.0


def test_agent_message_through_server_b_reaches_the_widget_on_server_a(cluster: Cluster) -> None:
    received: queue.Queue[dict] = queue.Queue()
    confirmed: queue.Queue[dict] = queue.Queue()
    widget = socketio.Client(reconnection=False)
    widget.on("bot_uttered", received.put)
    widget.on("session_confirm", confirmed.put)
    origin = f"http://localhost:{cluster.env['SITE_PORT']}"
    widget.connect(
        cluster.servers[0], socketio_path="/socket.io", transports=["polling"],
        headers={"Origin": origin},
    )  # fmt: skip
    try:
        widget.emit("session_request", {"session_secret": secrets.token_urlsafe(32)})
        conversation = confirmed.get(timeout=WAIT)["session_id"]
        widget.emit("user_uttered", {"message": "hello"})
        assert received.get(timeout=WAIT).get("text")  # the bot's greeting, from server A
        while not received.empty():
            received.get_nowait()

        answer = requests.post(
            f"{cluster.servers[1]}/conversations/{quote(conversation, safe=':')}/tracker/events",
            params={"output_channel": "latest", "execute_side_effects": "true"},
            json=[{"event": "bot", "text": "Marie here, how can I help?"}],
            headers=cluster.api_headers(),
            timeout=30,
        )
        answer.raise_for_status()
        assert received.get(timeout=WAIT)["text"] == "Marie here, how can I help?"
    finally:
        widget.disconnect()
