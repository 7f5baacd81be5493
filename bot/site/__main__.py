"""`python -m bot.site`: serve the support site on SITE_PORT (as `python -m bot serve site`)."""

from __future__ import annotations

import sys

from bot.config.settings import SettingsError, get_settings
from bot.site.app import run


def main() -> int:
    try:
        settings = get_settings()
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    run(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
