"""Whose rights apply to what the bot posts: decided here, once, from who can read the message.

In a channel, a private channel, a group DM or a thread of one of them, everyone in the channel
reads the answer, so the channel is the audience: a restricted record or document is used only
when the channel itself is in its ``allowed`` list. The asker's own rights apply only where the
asker alone reads the answer: an ephemeral reply, the App Home tab and a 1:1 DM with the bot.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel

from advisor.access import Requester

PRIVATE_ANSWER_NOTE = (
    "Part of what I know about this is restricted, so this answer uses only what everyone here may "
    "see. Message me directly for a private answer."
)
SHARE_REFUSED = (
    "I can't share this here: part of it comes from material that not everyone in this channel may "
    "see. It stays private to you."
)


class Surface(Enum):
    CONVERSATION = "conversation"  # a channel, private channel or group DM, or a thread in one
    DIRECT = "direct"  # a 1:1 DM with the bot (and its agent pane)
    EPHEMERAL = "ephemeral"  # a reply only the user sees, in whatever channel
    APP_HOME = "app_home"  # the user's Home tab


def surface_of_message(event: dict) -> Surface:
    """Where a message event's answer is read: only an ``im`` is the asker's alone."""
    return Surface.DIRECT if event.get("channel_type") == "im" else Surface.CONVERSATION


def rights(surface: Surface, user_id: str | None, channel_id: str | None) -> Requester:
    """The Requester whose visibility applies to a message posted on ``surface``."""
    if surface is Surface.CONVERSATION:
        return Requester(channel_id=channel_id)
    if surface is Surface.APP_HOME:
        return Requester(user_id=user_id)
    return Requester(user_id=user_id, channel_id=channel_id)


def asker_rights(user_id: str | None, channel_id: str | None) -> Requester:
    """What the asker could see in a private reply, to tell whether the audience's answer lacks something."""
    return rights(Surface.EPHEMERAL, user_id, channel_id)


def same_material(shared: BaseModel | None, private: BaseModel | None) -> bool:
    """Whether two results (answers, assessments, summaries) rest on the same records and sources.

    The wording of an answer is left out: a language model may phrase the same facts differently.
    """
    if shared is None or private is None:
        return shared is private
    return _material(shared) == _material(private)


def _material(result: BaseModel) -> dict:
    return result.model_dump(mode="json", exclude={"text", "timings_ms", "question"})
