"""The app's agent (assistant) pane: a greeting and suggested prompts when a user opens it.

Messages typed in the pane arrive as DM thread messages and are answered by the DM handler,
which shows the thinking status and streams the answer.
"""

from __future__ import annotations

import logging

from advisor.portfolio.assessment import PortfolioSummary
from bot.slack.services import AdvisorBot

log = logging.getLogger(__name__)

WELCOME = (
    "Hi <@{user}>! I help move AI initiatives from proof of concept to production. Ask about one "
    "initiative, the whole portfolio, or how to scale; every answer cites its sources."
)
PROMPTS_TITLE = "Try asking"


def register(app, bot: AdvisorBot) -> None:
    @app.event("assistant_thread_started")
    def on_assistant_thread_started(event, client):
        handle_thread_started(bot, event, client)

    @app.event("assistant_thread_context_changed")
    def on_assistant_thread_context_changed(event):
        return None  # the answer depends on who asks and where, not on the channel being viewed


def suggested_prompts(summary: PortfolioSummary | None) -> list[dict[str, str]]:
    """Next phase, risks, missing infrastructure, portfolio status: about a real initiative when one is visible."""
    example = None
    if summary is not None and summary.initiatives:
        example = (summary.stalled or summary.initiatives)[0].name
    name = example or "our most advanced initiative"
    return [
        {"title": "Next phase", "message": f"What does {name} need to reach its next phase?"},
        {"title": "Risks", "message": f"What are the risks of {name}?"},
        {"title": "Missing infrastructure", "message": f"What infrastructure is missing before {name} can go live?"},
        {"title": "Portfolio status", "message": "How is the AI portfolio doing, and which initiatives are stalled?"},
    ]


def handle_thread_started(bot: AdvisorBot, event: dict, client) -> None:
    thread = event.get("assistant_thread", {})
    channel, thread_ts, user = thread.get("channel_id"), thread.get("thread_ts"), thread.get("user_id")
    summary = None
    try:
        summary = bot.advisor.portfolio_summary(bot.requester(user, channel))
    except Exception as exc:  # prompts still work without a named example
        log.warning("no portfolio for suggested prompts: %s", exc)
    client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=WELCOME.format(user=user))
    try:
        client.assistant_threads_setSuggestedPrompts(
            channel_id=channel, thread_ts=thread_ts, title=PROMPTS_TITLE, prompts=suggested_prompts(summary)
        )
    except Exception as exc:  # the greeting is there; prompts are a nicety
        log.warning("could not set suggested prompts: %s", exc)
