"""A Slack thread as conversation turns: what was asked before."""

from __future__ import annotations

import re

MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
SPECIAL = re.compile(r"<[#!][^>]*>")
MAX_PAGES = 5
MAX_TURNS = 10


def plain_text(slack_text: str | None) -> str:
    """What a user typed, without mentions and Slack's markup: links become their label."""
    text = MENTION.sub(" ", slack_text or "")
    text = LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = SPECIAL.sub(" ", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def mentions(slack_text: str | None, user_id: str | None) -> bool:
    return bool(user_id) and f"<@{user_id}" in (slack_text or "")


def thread_messages(client, channel_id: str, thread_ts: str) -> list[dict]:
    """Every message of a thread, oldest first (conversations.replies, a few pages at most)."""
    messages: list[dict] = []
    cursor = None
    for _ in range(MAX_PAGES):
        response = client.conversations_replies(channel=channel_id, ts=thread_ts, limit=200, cursor=cursor)
        messages += response.get("messages", [])
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return messages


def is_from_bot(message: dict, bot_user_id: str | None, bot_id: str | None) -> bool:
    return bool((bot_user_id and message.get("user") == bot_user_id) or (bot_id and message.get("bot_id") == bot_id))


def earlier_questions(messages: list[dict], before_ts: str, bot_user_id: str | None, bot_id: str | None) -> list[str]:
    """The people's messages before ``before_ts``, oldest first: the conversation's earlier turns."""
    turns = []
    for message in messages:
        if float(message.get("ts", "0")) >= float(before_ts):
            continue
        if (
            is_from_bot(message, bot_user_id, bot_id)
            or message.get("bot_id")
            or message.get("subtype") not in (None, "thread_broadcast", "file_share")
        ):
            continue
        text = plain_text(message.get("text"))
        if text:
            turns.append(text)
    return turns[-MAX_TURNS:]


def thread_history(
    client, channel_id: str, thread_ts: str, before_ts: str, bot_user_id: str | None, bot_id: str | None
) -> list[str]:
    return earlier_questions(thread_messages(client, channel_id, thread_ts), before_ts, bot_user_id, bot_id)
