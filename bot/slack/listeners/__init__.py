"""Slack listeners, one module per kind, each with ``register(app, bot)``."""

from __future__ import annotations

from bot.slack.listeners import actions, commands, events, home


def register_all(app, bot) -> None:
    for kind in (events, commands, actions, home):
        kind.register(app, bot)
