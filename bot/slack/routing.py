"""Which Events API events the bot acts on, decided once for the ledger and the listeners.

Only these are claimed in the event ledger (one row each): the other message events (channel
chatter, edits, other bots, replies in threads the bot never answered in) cost nothing, not even
a call to Slack. Whether a thread is the bot's is remembered in the database (``BotThreads``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from advisor.events import BotThreads
from bot.slack.history import mentions

ANSWERED_SUBTYPES = (None, "file_share", "thread_broadcast")


class Route(Enum):
    MENTION = "mention"  # @advisor in a channel: answered in its thread
    DIRECT = "direct"  # a DM or the agent pane: answered (or ingested) in the DM
    FOLLOW_UP = "follow_up"  # a reply in a channel thread the bot answered in


@dataclass
class Identity:
    """Who the bot is in this workspace (from auth.test, via bolt's context)."""

    bot_user_id: str | None
    bot_id: str | None

    @classmethod
    def of(cls, context) -> Identity:
        return cls(bot_user_id=context.get("bot_user_id"), bot_id=context.get("bot_id"))


def route_event(event: dict, me: Identity, threads: BotThreads) -> Route | None:
    """How the bot answers ``event``, or None when it is not for the bot."""
    if event.get("bot_id") or (me.bot_user_id and event.get("user") == me.bot_user_id):
        return None  # never answer a bot (ourselves included): no bot-to-bot loops
    if event.get("type") == "app_mention":
        return Route.MENTION
    if event.get("type") != "message" or event.get("subtype") not in ANSWERED_SUBTYPES:
        return None  # edits, deletions, joins...
    if event.get("channel_type") == "im":
        return Route.DIRECT
    thread_ts = event.get("thread_ts")
    if not thread_ts or thread_ts == event.get("ts") or mentions(event.get("text"), me.bot_user_id):
        return None  # top-level chatter; a mention is answered through its app_mention event
    return Route.FOLLOW_UP if threads.knows(event.get("channel", ""), thread_ts) else None
