"""Only other packages' deprecation notices are silenced; ours still show."""

from __future__ import annotations

import warnings

from bot.dependency_warnings import quiet_dependency_warnings


def test_our_own_deprecations_still_show() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_dependency_warnings()
        warnings.warn_explicit("ours", DeprecationWarning, "bot/x.py", 1, module="bot.x")
        warnings.warn_explicit("theirs", DeprecationWarning, "y.py", 1, module="sanic_cors.y")
    assert [str(w.message) for w in caught] == ["ours"]
