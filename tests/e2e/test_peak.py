"""A peak of customers arriving together is queued, not refused: the Rasa server's
listening socket accepts a long queue (bot/rasa/server.py LISTEN_BACKLOG; Rasa's 100
reset connections in make bench-load's 500-conversation run)."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import urlsplit

import pytest

from bot.rasa.server import LISTEN_BACKLOG
from tests.support.servers import Assistant

pytestmark = pytest.mark.slow


def test_the_rasa_server_queues_a_peak_of_connections(assistant: Assistant) -> None:
    if shutil.which("ss") is None:
        pytest.skip("ss (iproute2) is not installed")
    port = urlsplit(assistant.rasa_url).port
    listing = subprocess.run(
        ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout.split()
    # State Recv-Q Send-Q ...: for a listening socket Send-Q is its accept queue's length
    assert listing[0] == "LISTEN"
    assert int(listing[2]) == LISTEN_BACKLOG
