"""Mentions in channels, follow-ups in the bot's threads, and direct messages (with uploads)."""

from __future__ import annotations

import logging

from bot.slack.answering import Turn, answer_turn, remember_thread
from bot.slack.audience import Surface
from bot.slack.delivery import delivering
from bot.slack.failures import post_failure
from bot.slack.history import plain_text, thread_history
from bot.slack.routing import Identity, Route, route_event
from bot.slack.services import AdvisorBot
from bot.slack.uploads import ingest_shared_files, refusal_text

log = logging.getLogger(__name__)

GREETING = (
    "Hi <@{user}>! Ask me about moving AI initiatives from proof of concept to production, "
    "e.g. _what is missing before Claims Triage Assistant can go live?_ or _which initiatives are stalled?_"
)


def register(app, bot: AdvisorBot) -> None:
    @app.event("app_mention")
    def on_app_mention(body, event, context, client, set_status):
        with delivering(bot, body):
            handle_mention(bot, event, Identity.of(context), client, set_status)

    @app.event("message")
    def on_message(body, event, context, client, set_status, say_stream):
        with delivering(bot, body):
            handle_message(bot, event, Identity.of(context), client, set_status, say_stream)


def handle_mention(bot: AdvisorBot, event: dict, me: Identity, client, set_status=None) -> None:
    """A mention in a channel: answer in its thread, for the channel, with the thread's earlier turns."""
    if route_event(event, me, bot.threads) is not Route.MENTION:
        return
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts") or ts
    question = plain_text(event.get("text"))
    if not question:
        remember_thread(bot, channel, thread_ts)
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=GREETING.format(user=event.get("user")))
        return
    history = _history(client, channel, thread_ts, ts, me) if event.get("thread_ts") else []
    turn = Turn(
        channel_id=channel,
        user_id=event.get("user", ""),
        thread_ts=thread_ts,
        question=question,
        surface=Surface.CONVERSATION,  # app_mention carries no channel type; a DM is never one
        history=history,
    )
    answer_turn(bot, client, turn, set_status=set_status)


def handle_message(bot: AdvisorBot, event: dict, me: Identity, client, set_status=None, say_stream=None) -> None:
    """Every message event: DMs are answered, channel replies only in threads the bot answered in."""
    route = route_event(event, me, bot.threads)
    if route is Route.DIRECT:
        handle_direct_message(bot, event, me, client, set_status, say_stream)
    elif route is Route.FOLLOW_UP:
        handle_follow_up(bot, event, me, client, set_status)


def handle_follow_up(bot: AdvisorBot, event: dict, me: Identity, client, set_status=None) -> None:
    """A reply in a thread the bot answered in: a follow-up without a new mention, for the channel."""
    question = plain_text(event.get("text"))
    if not question:
        return
    channel, thread_ts, ts = event["channel"], event["thread_ts"], event["ts"]
    turn = Turn(
        channel_id=channel,
        user_id=event.get("user", ""),
        thread_ts=thread_ts,
        question=question,
        surface=Surface.CONVERSATION,
        history=_history(client, channel, thread_ts, ts, me),
    )
    answer_turn(bot, client, turn, set_status=set_status)


def handle_direct_message(bot: AdvisorBot, event: dict, me: Identity, client, set_status=None, say_stream=None) -> None:
    """A DM (or the agent pane): uploads from admins are ingested; text is answered in the thread."""
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
    turn = Turn(
        channel_id=channel,
        user_id=user,
        thread_ts=thread_ts,
        question=question,
        surface=Surface.DIRECT,
        history=_history(client, channel, thread_ts, ts, me) if event.get("thread_ts") else [],
        stream=True,
    )
    answer_turn(bot, client, turn, set_status=set_status, say_stream=say_stream)


def _history(client, channel: str, thread_ts: str, before_ts: str, me: Identity) -> list[str]:
    """The thread's earlier questions; none when the thread cannot be read (answer without context)."""
    try:
        return thread_history(client, channel, thread_ts, before_ts, me.bot_user_id, me.bot_id)
    except Exception as exc:
        log.warning("could not read thread %s in %s (is channels:history granted?): %s", thread_ts, channel, exc)
        return []


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
