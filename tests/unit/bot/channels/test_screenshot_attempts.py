"""The screenshot upload's per-conversation window (bot/channels/screenshot_upload.py):
ATTEMPTS tries per WINDOW_SECONDS, each conversation counted apart, tries forgotten
once the window has passed."""

from __future__ import annotations

from bot.channels.screenshot_upload import AttemptWindow


def test_a_conversation_gets_its_tries_then_waits_for_the_window() -> None:
    window = AttemptWindow(limit=3, seconds=60)
    assert [window.take("a", at) for at in (0, 1, 2, 3)] == [True, True, True, False]
    assert window.take("b", 3)  # another conversation is counted apart
    assert not window.take("a", 59)
    assert window.take("a", 60.5)  # the try at 0 has left the window
    assert window.take("a", 61.5)  # and the one at 1
    assert not window.take("a", 61.9)  # 2, 60.5 and 61.5 are in it
