"""The REST channel answers a response with a text and a `custom` payload as one
message (the help centre's article: text for any client, `custom.article` for a card),
and every other response as Rasa does."""

from __future__ import annotations

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.channels.rest import QueueOutputChannel

from bot.channels.rest import one_message_per_response

CARD = {"article": {"id": "record-meeting", "url": "https://help.example.com/en/record"}}


def sent(*responses: dict) -> list[dict]:
    collector = CollectingOutputChannel()
    output = one_message_per_response(collector)
    for response in responses:
        asyncio.run(output.send_response("rest:a", dict(response)))
    return collector.messages  # what Rasa's route answers with


def test_text_and_custom_are_one_message() -> None:
    text = "Record a meeting\nStart it from the meeting window.\nhttps://help.example.com/en/record"
    assert sent({"text": text, "custom": CARD}) == [
        {"recipient_id": "rest:a", "text": text, "custom": CARD}
    ]


def test_other_responses_are_as_rasa_sends_them() -> None:
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    assert sent({"text": "Did this help?", "buttons": buttons}, {"text": "one\n\ntwo"}) == [
        {"recipient_id": "rest:a", "text": "Did this help?", "buttons": buttons},
        {"recipient_id": "rest:a", "text": "one"},
        {"recipient_id": "rest:a", "text": "two"},
    ]
    assert sent({"custom": CARD}) == [{"recipient_id": "rest:a", "custom": CARD}]


def test_a_streamed_request_keeps_rasas_queue() -> None:
    queue = QueueOutputChannel()
    assert one_message_per_response(queue) is queue
