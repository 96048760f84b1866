"""Mentions in channels, follow-ups in the bot's threads, and direct messages (with uploads)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.slack.answering import Turn, answer_turn
from bot.slack.failures import post_failure
from bot.slack.history import bot_took_part, earlier_questions, mentions, plain_text, thread_history, thread_messages
from bot.slack.services import AdvisorBot
from bot.slack.uploads import ingest_shared_files, refusal_text

log = logging.getLogger(__name__)

GREETING = (
    "Hi <@{user}>! Ask me about moving AI initiatives from proof of concept to production, "
    "e.g. _what is missing before Claims Triage Assistant can go live?_ or _which initiatives are stalled?_"
)
ANSWERED_SUBTYPES = (None, "file_share", "thread_broadcast")


@dataclass
class Identity:
    """Who the bot is in this workspace (from auth.test, via bolt's context)."""

    bot_user_id: str | None
    bot_id: str | None


def register(app, bot: AdvisorBot) -> None:
    @app.event("app_mention")
    def on_app_mention(event, context, client, set_status, say_stream):
        handle_mention(bot, event, _identity(context), client, set_status)

    @app.event("message")
    def on_message(event, context, client, set_status, say_stream):
        handle_message(bot, event, _identity(context), client, set_status, say_stream)


def _identity(context) -> Identity:
    return Identity(bot_user_id=context.get("bot_user_id"), bot_id=context.get("bot_id"))


def handle_mention(bot: AdvisorBot, event: dict, me: Identity, client, set_status=None) -> None:
    """A mention in a channel: answer in its thread, with the thread's earlier turns as context."""
    if event.get("bot_id"):
        return  # another bot mentioning us: never start a bot-to-bot loop
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts") or ts
    question = plain_text(event.get("text"))
    if not question:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=GREETING.format(user=event.get("user")))
        return
    try:
        history = (
            thread_history(client, channel, thread_ts, ts, me.bot_user_id, me.bot_id) if event.get("thread_ts") else []
        )
    except Exception as exc:  # answer without context rather than not at all
        log.warning("could not read thread %s: %s", thread_ts, exc)
        history = []
    turn = Turn(
        channel_id=channel, user_id=event.get("user", ""), thread_ts=thread_ts, question=question, history=history
    )
    answer_turn(bot, client, turn, set_status=set_status)


def handle_message(bot: AdvisorBot, event: dict, me: Identity, client, set_status=None, say_stream=None) -> None:
    """Every message event: DMs are answered, channel replies only in threads the bot is part of."""
    if event.get("bot_id") or event.get("subtype") not in ANSWERED_SUBTYPES:
        return  # other bots, edits, deletions, joins...
    if event.get("channel_type") == "im":
        handle_direct_message(bot, event, me, client, set_status, say_stream)
    elif event.get("thread_ts") and event.get("thread_ts") != event.get("ts"):
        handle_thread_reply(bot, event, me, client, set_status)
    # a top-level channel message without a mention is not for the bot


def handle_thread_reply(bot: AdvisorBot, event: dict, me: Identity, client, set_status=None) -> None:
    """A reply in a channel thread: a follow-up when the bot answered there, without a new mention."""
    if mentions(event.get("text"), me.bot_user_id):
        return  # the app_mention event answers this one
    channel, thread_ts, ts = event["channel"], event["thread_ts"], event["ts"]
    try:
        messages = thread_messages(client, channel, thread_ts)
    except Exception as exc:  # cannot tell whether this thread is ours: do not post into a stranger's thread
        log.error("could not read thread %s in %s (is channels:history granted?): %s", thread_ts, channel, exc)
        return
    if not bot_took_part(messages, me.bot_user_id, me.bot_id):
        return
    question = plain_text(event.get("text"))
    if not question:
        return
    turn = Turn(
        channel_id=channel,
        user_id=event.get("user", ""),
        thread_ts=thread_ts,
        question=question,
        history=earlier_questions(messages, ts, me.bot_user_id, me.bot_id),
    )
    answer_turn(bot, client, turn, set_status=set_status)


def handle_direct_message(bot: AdvisorBot, event: dict, me: Identity, client, set_status=None, say_stream=None) -> None:
    """A DM (or the assistant pane): uploads from admins are ingested; text is answered in the thread."""
    channel, ts, user = event["channel"], event["ts"], event.get("user", "")
    thread_ts = event.get("thread_ts") or ts
    question = plain_text(event.get("text"))
    if event.get("files"):
        handle_upload(bot, event, client, thread_ts)
        if bot.is_admin(user) or not question:
            return
    if not question:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=GREETING.format(user=user))
        return
    history = []
    if event.get("thread_ts"):
        try:
            history = thread_history(client, channel, thread_ts, ts, me.bot_user_id, me.bot_id)
        except Exception as exc:
            log.warning("could not read DM thread %s: %s", thread_ts, exc)
    turn = Turn(channel_id=channel, user_id=user, thread_ts=thread_ts, question=question, history=history, stream=True)
    answer_turn(bot, client, turn, set_status=set_status, say_stream=say_stream)


def handle_upload(bot: AdvisorBot, event: dict, client, thread_ts: str) -> None:
    """Files in a DM: an admin's are ingested; anyone else gets a polite refusal."""
    channel, user, files = event["channel"], event.get("user", ""), event.get("files", [])
    if not bot.is_admin(user):
        names = [f.get("name") or f.get("id", "file") for f in files]
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=refusal_text(bot, user, names))
        return
    try:
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=f":inbox_tray: Ingesting {len(files)} file{'s' if len(files) != 1 else ''}…",
        )
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=ingest_shared_files(bot, client, files))
    except Exception as exc:
        post_failure(client, channel, thread_ts, exc)
