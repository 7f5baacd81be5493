"""Train the model with Rasa's own `rasa train`, on a console that shows only what
needs a look (`python -m bot train` runs this; `make run` trains on a first start).

Rasa's dependencies warn about each other while Rasa is imported, and Rasa's data
validation repeats notices about our data that tests check (bot/rasa/dependency_warnings.py).
Rasa installs its warning filters in `main()`, in front of any set before, so ours are
installed both before its imports and again right after its own.
"""

from __future__ import annotations

import sys
from typing import Any

from bot.rasa.dependency_warnings import quiet_training_notices


def main(argv: list[str] | None = None) -> None:
    quiet_training_notices()  # the warnings raised while Rasa's modules are imported
    import rasa.__main__ as rasa_cli

    rasa_setup = rasa_cli.configure_logging_and_warnings

    def configure_then_quiet(*args: Any, **kwargs: Any) -> None:
        rasa_setup(*args, **kwargs)
        quiet_training_notices()

    rasa_cli.configure_logging_and_warnings = configure_then_quiet
    sys.argv = ["rasa", "train", *(sys.argv[1:] if argv is None else argv)]
    rasa_cli.main()


if __name__ == "__main__":
    main()
