"""The agent's DM (the Messages tab of App Home, ``agent_view``): a greeting and suggested prompts.

Under Slack's agent messaging experience, opening the DM sends ``app_home_opened`` with
``tab == "messages"`` (no ``assistant_thread_started``), and suggested prompts are set for the
DM's latest message: ``assistant.threads.setSuggestedPrompts`` without ``thread_ts``, which
Slack's reference says fails silently for agent apps. Messages typed there arrive as DMs and are
answered by the DM handler, which shows the thinking status and streams the answer.
"""

from __future__ import annotations

import logging

from advisor.portfolio.assessment import PortfolioSummary
from bot.slack.answering import remember_thread
from bot.slack.audience import Surface, rights
from bot.slack.services import AdvisorBot

log = logging.getLogger(__name__)

WELCOME = (
    "Hi <@{user}>! I help move AI initiatives from proof of concept to production. Ask about one "
    "initiative, the whole portfolio, or how to scale; every answer cites its sources."
)
PROMPTS_TITLE = "Try asking"
THE_CONVERSATION = ""  # BotThreads key of the DM itself: greeted once


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


def handle_messages_tab(bot: AdvisorBot, event: dict, client, set_suggested_prompts) -> None:
    """Greet on the first visit, then pin prompts that name an initiative this user may see."""
    user, channel = event["user"], event.get("channel", "")
    if channel and not bot.threads.knows(channel, THE_CONVERSATION):
        remember_thread(bot, channel, THE_CONVERSATION)
        client.chat_postMessage(channel=channel, text=WELCOME.format(user=user))
    summary = None
    try:
        summary = bot.advisor.portfolio_summary(rights(Surface.DIRECT, user, channel))
    except Exception as exc:  # prompts still work without a named example
        log.warning("no portfolio for suggested prompts: %s", exc)
    try:
        set_suggested_prompts(prompts=suggested_prompts(summary), title=PROMPTS_TITLE)
    except Exception as exc:  # the greeting is there; prompts are a nicety
        log.warning("could not set suggested prompts: %s", exc)
