"""Buttons and modals: feedback (helpful / not helpful, then an optional comment) and sharing."""

from __future__ import annotations

import json
import logging
import re

from advisor.errors import NotFoundError
from advisor.feedback import FeedbackEntry
from bot.slack.audience import SHARE_REFUSED, Surface, asker_rights, rights, same_material
from bot.slack.blocks import FEEDBACK_ACTIONS, SHARE_ACTION, unpack_feedback
from bot.slack.failures import failure_text
from bot.slack.listeners.commands import command_messages, command_result, shared_header
from bot.slack.services import AdvisorBot

log = logging.getLogger(__name__)

COMMENT_VIEW = "advisor_feedback_comment"
THANKS = "Thanks for the feedback, it helps me improve."


def register(app, bot: AdvisorBot) -> None:
    @app.action(re.compile("^(" + "|".join(FEEDBACK_ACTIONS) + ")$"))
    def on_feedback(ack, body, action, client):
        ack()
        handle_feedback(bot, body, action, client)

    @app.action(SHARE_ACTION)
    def on_share(ack, body, action, respond):
        ack()
        handle_share(bot, body, action, respond)

    @app.view(COMMENT_VIEW)
    def on_feedback_comment(ack, body, view):
        ack()
        handle_feedback_comment(bot, body, view)


def _channel_of(body: dict) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def handle_feedback(bot: AdvisorBot, body: dict, action: dict, client) -> int | None:
    """Store the rating with the question, answer and sources; then offer a comment box."""
    user, channel = body["user"]["id"], _channel_of(body)
    try:
        rated = unpack_feedback(action.get("value", ""))
        entry = FeedbackEntry(user_id=user, channel_id=channel, rating=FEEDBACK_ACTIONS[action["action_id"]], **rated)
        feedback_id = bot.feedback.add(entry)
    except Exception as exc:
        _tell(client, channel, user, f":warning: I couldn't save your feedback. {failure_text(exc)}")
        return None
    try:
        client.views_open(trigger_id=body["trigger_id"], view=comment_view(feedback_id, entry.rating))
    except Exception as exc:  # no modal (expired trigger...): the rating is saved, just say thanks
        log.info("no comment modal: %s", exc)
        _tell(client, channel, user, THANKS)
    return feedback_id


def comment_view(feedback_id: int, rating: str) -> dict:
    question = "What was missing or wrong?" if rating == "not_helpful" else "Anything to add?"
    return {
        "type": "modal",
        "callback_id": COMMENT_VIEW,
        "private_metadata": json.dumps({"feedback_id": feedback_id}),
        "title": {"type": "plain_text", "text": "Thanks for the feedback"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [
            {
                "type": "input",
                "block_id": "comment",
                "optional": True,
                "label": {"type": "plain_text", "text": f"{question} (optional)"},
                "element": {"type": "plain_text_input", "action_id": "comment", "multiline": True, "max_length": 3000},
            }
        ],
    }


def handle_feedback_comment(bot: AdvisorBot, body: dict, view: dict) -> bool:
    try:
        feedback_id = int(json.loads(view.get("private_metadata") or "{}")["feedback_id"])
        comment = view["state"]["values"]["comment"]["comment"].get("value") or ""
        return bot.feedback.add_comment(feedback_id, body["user"]["id"], comment)
    except Exception as exc:  # the modal is closed by now; the rating itself was saved
        log.warning("could not save a feedback comment: %s", exc)
        return False


def handle_share(bot: AdvisorBot, body: dict, action: dict, respond) -> None:
    """Post what the user saw privately in the channel, for everyone; then drop the private copy.

    The reply is computed again for the channel's audience; if it would differ from what the user
    saw (restricted records or documents the channel may not see), it is not shared.
    """
    user, channel = body["user"]["id"], _channel_of(body)
    try:
        shared = json.loads(action.get("value", ""))
        sub, arg = shared["cmd"], shared["arg"]
        private = command_result(bot, sub, arg, asker_rights(user, channel))
        public = _result_or_none(bot, sub, arg, rights(Surface.CONVERSATION, user, channel))
        if not same_material(public, private):
            respond(text=SHARE_REFUSED, response_type="ephemeral", replace_original=False)
            return
        messages = command_messages(bot, sub, arg, public, shareable=False)
        messages[0] = {**messages[0], "blocks": [shared_header(user, sub, arg), *messages[0]["blocks"]]}
        for message in messages:
            respond(**message, response_type="in_channel", replace_original=False)
        respond(delete_original=True)
    except Exception as exc:
        respond(
            text=f":warning: I couldn't share that. {failure_text(exc)}",
            response_type="ephemeral",
            replace_original=False,
        )


def _result_or_none(bot: AdvisorBot, sub: str, arg: str, requester):
    try:
        return command_result(bot, sub, arg, requester)
    except NotFoundError:  # the channel may not see the initiative at all
        return None


def _tell(client, channel: str | None, user: str, text: str) -> None:
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
    except Exception as exc:
        log.warning("could not tell %s: %s", user, exc)
