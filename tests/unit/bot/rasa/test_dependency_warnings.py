"""Only other packages' deprecation notices are silenced; ours still show."""

from __future__ import annotations

import warnings

from bot.rasa.dependency_warnings import quiet_dependency_warnings, quiet_training_notices


def test_our_own_deprecations_still_show() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_dependency_warnings()
        warnings.warn_explicit("ours", DeprecationWarning, "bot/x.py", 1, module="bot.x")
        warnings.warn_explicit("theirs", DeprecationWarning, "y.py", 1, module="sanic_cors.y")
    assert [str(w.message) for w in caught] == ["ours"]


def test_a_training_run_shows_no_known_notice_but_any_other() -> None:
    """What `python -m bot train` prints: Rasa's notices that tests check elsewhere go,
    a new notice about our data still shows."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_training_notices()
        new_notice = "The utterance 'utter_new' is used but not defined."
        for message in (
            "The utterance 'utter_verified' is not used in any story or rule.",
            "The following duplicated intents have been found across multiple domain "
            "files: faq\n  More info at https://rasa.com/docs/rasa/domain",
            new_notice,
        ):
            warnings.warn_explicit(message, UserWarning, "rasa/shared/utils/io.py", 100)
    assert [str(w.message) for w in caught] == [new_notice]
