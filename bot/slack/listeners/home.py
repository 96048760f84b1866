"""App Home: the Home tab (the portfolio at a glance) and the Messages tab (the agent's DM).

Both are read by the user alone, so the user's own visibility applies (``Surface.APP_HOME``).
Admins also see the chat model's token usage of the last days, per day and per user.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from advisor.errors import AdvisorError
from advisor.feedback import UsageStore
from bot.slack.audience import Surface, rights
from bot.slack.failures import failure_text
from bot.slack.listeners.assistant import handle_messages_tab
from bot.slack.services import AdvisorBot
from bot.slack.views import USAGE_DAYS, error_blocks, home_blocks, usage_blocks

log = logging.getLogger(__name__)


def register(app, bot: AdvisorBot) -> None:
    @app.event("app_home_opened")
    def on_app_home_opened(event, client, set_suggested_prompts):
        if event.get("tab") == "messages":
            handle_messages_tab(bot, event, client, set_suggested_prompts)
        else:
            handle_home_opened(bot, event, client)


def handle_home_opened(bot: AdvisorBot, event: dict, client) -> None:
    user = event["user"]
    try:
        summary = bot.advisor.portfolio_summary(rights(Surface.APP_HOME, user, None))
        blocks = home_blocks(summary, bot.advisor.framework)
        if bot.is_admin(user):
            since = datetime.now(UTC).date() - timedelta(days=USAGE_DAYS - 1)
            blocks = (blocks + usage_blocks(UsageStore(bot.advisor.engine).report(since)))[:100]
    except Exception as exc:
        if not isinstance(exc, AdvisorError):
            log.exception("home tab failed")
        blocks = error_blocks(f"{failure_text(exc)} Reopen this tab to try again.")
    client.views_publish(user_id=user, view={"type": "home", "blocks": blocks})
