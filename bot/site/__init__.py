"""The demo support site: help-centre page with the chat widget, reset-password page,
and the embedded demo's mail outbox (see `bot.site.app`)."""

from __future__ import annotations

from bot.site.app import build_app, run

__all__ = ["build_app", "run"]
