"""The App Home tab: the portfolio at a glance, within the viewing user's visibility."""

from __future__ import annotations

import logging

from advisor.errors import AdvisorError
from bot.slack.failures import failure_text
from bot.slack.services import AdvisorBot
from bot.slack.views import error_blocks, home_blocks

log = logging.getLogger(__name__)


def register(app, bot: AdvisorBot) -> None:
    @app.event("app_home_opened")
    def on_app_home_opened(event, client):
        handle_home_opened(bot, event, client)


def handle_home_opened(bot: AdvisorBot, event: dict, client) -> None:
    if event.get("tab", "home") != "home":
        return  # the Messages tab is the DM: nothing to publish
    user = event["user"]
    try:
        summary = bot.advisor.portfolio_summary(bot.requester(user, None))
        blocks = home_blocks(summary, bot.advisor.framework)
    except Exception as exc:
        if not isinstance(exc, AdvisorError):
            log.exception("home tab failed")
        blocks = error_blocks(f"{failure_text(exc)} Reopen this tab to try again.")
    client.views_publish(user_id=user, view={"type": "home", "blocks": blocks})
