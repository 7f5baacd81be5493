"""The helpdesk webhook against a real local HTTP server: signed, retried with
backoff, bounded, and never in the way of the conversation."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from bot.services.handoff.webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    deliver,
    deliver_in_background,
    signature_is_valid,
)
from tests.support.helpdesk import Helpdesk

SECRET = "a-webhook-secret-of-some-length"
PAYLOAD = {"event": "handoff.ticket_created", "ticket": {"id": 7, "summary": "résilier"}}


@pytest.fixture
def helpdesk(request: pytest.FixtureRequest) -> Iterator[Helpdesk]:
    server = Helpdesk(**getattr(request, "param", {}))
    yield server
    server.close()


@pytest.mark.parametrize("helpdesk", [{"failures": 2}], indirect=True)
def test_a_failing_helpdesk_gets_the_ticket_after_retries_with_backoff(helpdesk: Helpdesk) -> None:
    result = deliver(helpdesk.url, SECRET, PAYLOAD, max_attempts=4, first_backoff=0.1)
    assert result.delivered and result.attempts == 3
    headers, body, _ = helpdesk.received[-1]
    assert json.loads(body) == PAYLOAD
    assert signature_is_valid(SECRET, body, headers[SIGNATURE_HEADER])
    assert not signature_is_valid("another-secret", body, headers[SIGNATURE_HEADER])
    # the same delivery id on every try, so the helpdesk can drop duplicates
    assert len({h[DELIVERY_HEADER] for h, _, _ in helpdesk.received}) == 1
    gaps = [b[2] - a[2] for a, b in zip(helpdesk.received, helpdesk.received[1:], strict=False)]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2  # exponential backoff


@pytest.mark.parametrize("helpdesk", [{"failures": 100}], indirect=True)
def test_retries_are_bounded(helpdesk: Helpdesk) -> None:
    result = deliver(helpdesk.url, SECRET, PAYLOAD, max_attempts=3, first_backoff=0.01)
    assert not result.delivered and result.attempts == 3
    assert len(helpdesk.received) == 3


@pytest.mark.parametrize("helpdesk", [{"failures": 100, "status": 400}], indirect=True)
def test_a_refused_payload_is_not_retried(helpdesk: Helpdesk) -> None:
    result = deliver(helpdesk.url, SECRET, PAYLOAD, max_attempts=4, first_backoff=0.01)
    assert not result.delivered and len(helpdesk.received) == 1


def test_an_unreachable_helpdesk_fails_without_raising() -> None:
    server = Helpdesk()
    url = server.url
    server.close()  # nothing listens there now
    result = deliver(url, SECRET, PAYLOAD, max_attempts=2, first_backoff=0.01)
    assert not result.delivered and result.attempts == 2


@pytest.mark.parametrize("helpdesk", [{"delay": 1.5}], indirect=True)
def test_delivery_in_background_does_not_block_the_caller(helpdesk: Helpdesk) -> None:
    results = []
    started = time.monotonic()
    thread = deliver_in_background(
        helpdesk.url, SECRET, PAYLOAD, max_attempts=2, on_done=results.append
    )
    assert time.monotonic() - started < 0.5  # the conversation goes on at once
    thread.join(timeout=10)
    assert results and results[0].delivered
