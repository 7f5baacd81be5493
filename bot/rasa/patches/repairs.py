"""Rasa 3.6 behaviour a customer would notice, repaired in the Rasa server process
(installed by the registry, bot/rasa/patches/registry.py).

- "/faq" typed as a message (Rasa's `/intent` shortcut) has the FAQ intent but no FAQ
  key, and `utter_faq` raised a KeyError: the customer got no reply at all. It now
  gets the reply to a message not understood.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rasa.core.actions.action import ActionRetrieveResponse
    from rasa.shared.core.events import Event

NOT_UNDERSTOOD = "utter_default"  # the reply of the nlu_fallback rule (data/rules.yml)


def answer_faq_without_a_key() -> None:
    """`utter_faq` on a message with no FAQ key says it was not understood."""
    from rasa.core.actions.action import ActionBotResponse, ActionRetrieveResponse
    from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME

    run = ActionRetrieveResponse.run

    async def run_or_not_understood(
        self: ActionRetrieveResponse, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> list[Event]:
        latest = tracker.latest_message
        if latest is not None and RESPONSE_SELECTOR_PROPERTY_NAME not in latest.parse_data:
            reply = ActionBotResponse(NOT_UNDERSTOOD)
            return await reply.run(output_channel, nlg, tracker, domain)
        return await run(self, output_channel, nlg, tracker, domain)

    ActionRetrieveResponse.run = run_or_not_understood
