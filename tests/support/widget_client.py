"""A customer's chat widget, as tests see it: a socket.io client that connects, asks
for a session as the widget does and collects the bot's messages."""

from __future__ import annotations

import contextlib
import queue
import threading

import socketio

from tests.support.replies import identify

REPLY_TIMEOUT = 30.0
QUIET = 3.0  # seconds in which a reply meant for this widget would have arrived


class WidgetClient:
    def __init__(self, rasa_url: str, request: dict | None = None, language: str = "en") -> None:
        self.language = language  # the page's language, sent with every message
        self.received: queue.Queue[dict] = queue.Queue()
        self.confirmed: queue.Queue[object] = queue.Queue()
        self.waiting: queue.Queue[dict] = queue.Queue()  # the place in the queue, as pushed
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.received.put)
        self.client.on("session_confirm", self.confirmed.put)
        self.client.on("waiting", self.waiting.put)
        self.client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"])
        self.client.emit("session_request", request or {})  # {}: a new visitor
        confirmation = self.confirmed.get(timeout=REPLY_TIMEOUT)
        if not isinstance(confirmation, dict):  # Rasa's own answer: the bare session id
            confirmation = {"session_id": confirmation}
        self.confirmation = confirmation
        self.session_id = str(confirmation["session_id"])
        self.secret = str(confirmation.get("session_secret") or "")

    def say(self, text: str, **extra: object) -> None:
        message = {"message": text, "metadata": {"language": self.language}, **extra}
        self.client.emit("user_uttered", message)

    def call(self, event: str, data: object) -> object:
        """The server's acknowledgement of `event` (what the handler returned)."""
        return self.client.call(event, data, timeout=REPLY_TIMEOUT)

    def missed(self, after: int = 0) -> list[dict]:
        """The widget's catch-up: the messages numbered above `after`, as the server
        answers `missed_messages`."""
        answer = self.call("missed_messages", {"after": after})
        assert isinstance(answer, dict) and "messages" in answer, answer
        return answer["messages"]

    def next(self) -> dict:
        return self.received.get(timeout=REPLY_TIMEOUT)

    def turn(self) -> list[dict]:
        """Every message of the reply in progress (a turn may send several)."""
        messages = [self.next()]
        while True:
            try:
                messages.append(self.received.get(timeout=QUIET))
            except queue.Empty:
                return messages

    def reply(self) -> str:
        """The name of the next response received."""
        name, _ = identify(self.next()["text"]) or ("?", "")
        return name

    def replies_until(self, response: str) -> list[str]:
        """Names of the responses received, up to and including `response`."""
        names = []
        while True:
            message = self.next()
            text = message.get("text")
            name = identify(text)[0] if text else f"custom:{message.get('custom')}"
            names.append(name)
            if name == response:
                return names

    def next_waiting(self, timeout: float = REPLY_TIMEOUT) -> dict:
        """The next `waiting` state the server pushed."""
        return self.waiting.get(timeout=timeout)

    def nothing_received(self) -> bool:
        try:
            self.received.get(timeout=QUIET)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        # the close packet goes at once; joining the long-poll reader takes up to the
        # ping interval (25 s), so that part runs in the background. The server may
        # have closed the connection itself (an oversized packet).
        def disconnect() -> None:
            with contextlib.suppress(Exception):
                self.client.disconnect()

        threading.Thread(target=disconnect, daemon=True).start()
