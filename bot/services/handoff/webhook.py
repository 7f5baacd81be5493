"""POST each new handoff ticket to a helpdesk (Zendesk, Freshdesk, Zammad, Chatwoot...).

The body is JSON; `X-Support-Signature: sha256=<hex>` is the HMAC-SHA256 of the
exact body under WEBHOOK_SECRET, and `X-Support-Delivery` identifies the delivery
(same value on retries). Delivery runs in a background thread with bounded retries
and exponential backoff, so a slow or failing helpdesk never holds up the chat.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Support-Signature"
DELIVERY_HEADER = "X-Support-Delivery"
TIMEOUT_SECONDS = 5.0


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_is_valid(secret: str, body: bytes, header: str | None) -> bool:
    """For receivers (and tests): constant-time check of the signature header."""
    return header is not None and hmac.compare_digest(sign(secret, body), header)


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    attempts: int


def deliver(
    url: str,
    secret: str,
    payload: dict[str, Any],
    *,
    max_attempts: int,
    first_backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryResult:
    """POST until a 2xx answer or `max_attempts`; waits 0.5 s, 1 s, 2 s... between tries.

    4xx answers other than 408/429 are not retried: the receiver refuses this payload.
    """
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, body),
        DELIVERY_HEADER: uuid.uuid4().hex,
    }
    for attempt in range(1, max_attempts + 1):
        try:
            response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
            if response.ok:
                return DeliveryResult(True, attempt)
            retry = response.status_code >= 500 or response.status_code in (408, 429)
            logger.warning("webhook answered %s (attempt %d)", response.status_code, attempt)
            if not retry:
                return DeliveryResult(False, attempt)
        except requests.RequestException as error:
            logger.warning("webhook unreachable (attempt %d): %s", attempt, type(error).__name__)
        if attempt < max_attempts:
            sleep(first_backoff * 2 ** (attempt - 1))
    return DeliveryResult(False, max_attempts)


def deliver_in_background(
    url: str,
    secret: str,
    payload: dict[str, Any],
    *,
    max_attempts: int,
    on_done: Callable[[DeliveryResult], None],
    first_backoff: float = 0.5,
) -> threading.Thread:
    """Start `deliver` in a daemon thread; `on_done` records the result."""

    def run() -> None:
        result = deliver(
            url, secret, payload, max_attempts=max_attempts, first_backoff=first_backoff
        )
        try:
            on_done(result)
        except Exception:  # recording must not kill the thread silently
            logger.exception("could not record the webhook result")

    thread = threading.Thread(target=run, name="handoff-webhook", daemon=True)
    thread.start()
    return thread
