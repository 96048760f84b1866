"""The /advisor slash command: ask, initiative, portfolio, ingest, help. Replies are ephemeral,
with a button to share them in the channel."""

from __future__ import annotations

import json
import logging

from pydantic import BaseModel

from advisor.access import Requester
from advisor.errors import AdvisorError
from bot.slack.audience import Surface, rights
from bot.slack.blocks import SHARE_ACTION, answer_messages, button
from bot.slack.failures import failure_text
from bot.slack.mrkdwn import escape
from bot.slack.services import AdvisorBot
from bot.slack.uploads import file_ids, ingest_shared_files, refusal_text
from bot.slack.views import assessment_blocks, help_blocks, portfolio_blocks

log = logging.getLogger(__name__)

SUBCOMMANDS = ("ask", "initiative", "portfolio", "ingest", "help")
SHAREABLE = ("ask", "initiative", "portfolio")
MAX_SHARED_ARG = 1800
MISSING_ARGUMENT = {
    "ask": "What would you like to ask? Try `/advisor ask what is missing before Claims Triage Assistant can go live?`",
    "initiative": "Which initiative? Try `/advisor initiative CLM-001` or `/advisor initiative claims triage`.",
}


def register(app, bot: AdvisorBot) -> None:
    @app.command("/advisor")
    def on_advisor_command(ack, command, respond, client):
        ack()  # within Slack's 3 seconds; the work happens after
        handle_command(bot, command, respond, client)


def parse_command(text: str) -> tuple[str, str]:
    """``(subcommand, argument)``; text that starts with no subcommand is a question."""
    words = (text or "").strip()
    if not words:
        return "help", ""
    first, _, rest = words.partition(" ")
    if first.lower() in SUBCOMMANDS:
        return first.lower(), rest.strip()
    return "ask", words


def handle_command(bot: AdvisorBot, command: dict, respond, client) -> None:
    sub, arg = parse_command(command.get("text", ""))
    user, channel = command.get("user_id", ""), command.get("channel_id", "")
    try:
        if sub == "help":
            respond(text="How to use /advisor", blocks=help_blocks(), response_type="ephemeral")
        elif sub in MISSING_ARGUMENT and not arg:
            respond(text=MISSING_ARGUMENT[sub], response_type="ephemeral")
        elif sub == "ingest":
            handle_ingest_command(bot, user, channel, arg, respond, client)
        else:
            result = command_result(bot, sub, arg, rights(Surface.EPHEMERAL, user, channel))
            for message in command_messages(bot, sub, arg, result, shareable=True):
                respond(**message, response_type="ephemeral")
    except Exception as exc:
        if not isinstance(exc, AdvisorError):
            log.exception("/advisor %s failed", sub)
        respond(text=f":warning: {failure_text(exc)}", response_type="ephemeral")


def command_result(bot: AdvisorBot, sub: str, arg: str, requester: Requester) -> BaseModel:
    """What ``/advisor SUB ARG`` finds within ``requester``'s rights: an answer, assessment or summary."""
    if sub == "ask":
        return bot.advisor.ask(arg, requester)
    if sub == "initiative":
        return bot.advisor.assess(arg, requester)
    return bot.advisor.portfolio_summary(requester, arg)


def command_messages(bot: AdvisorBot, sub: str, arg: str, result: BaseModel, shareable: bool) -> list[dict]:
    """The reply to ``/advisor SUB ARG`` as messages; with a share button when ``shareable``."""
    share = share_value(sub, arg) if shareable else None
    framework = bot.advisor.framework
    if sub == "ask":
        return answer_messages(result, framework, share_value=share)
    if sub == "initiative":
        blocks = assessment_blocks(result, framework)
        text = f"{escape(result.name)}: phase {result.phase} ({escape(result.phase_name)})"
    else:
        title = f"AI portfolio: {result.filter}" if result.filter else "AI portfolio"
        blocks = portfolio_blocks(result, framework, title)
        text = f"{escape(title)}: {result.total} initiatives"
    if share:
        blocks.append(
            {
                "type": "actions",
                "block_id": "advisor_share",
                "elements": [button("Share in channel", SHARE_ACTION, share, style="primary")],
            }
        )
    return [{"text": text, "blocks": blocks}]


def share_value(sub: str, arg: str) -> str | None:
    if sub not in SHAREABLE:
        return None
    return json.dumps({"cmd": sub, "arg": arg[:MAX_SHARED_ARG]}, separators=(",", ":"))


def handle_ingest_command(bot: AdvisorBot, user: str, channel: str, arg: str, respond, client) -> None:
    """Admins ingest shared files: by link or id, or else the last file they shared in this channel."""
    ids = file_ids(arg)
    if not bot.is_admin(user):
        respond(text=refusal_text(bot, user, ids or ([arg] if arg else [])), response_type="ephemeral")
        return
    files = [{"id": file_id} for file_id in ids] or latest_shared_file(client, user, channel)
    if not files:
        respond(
            text="I found no file to ingest. Share the file in this channel (or send it to me in a DM), "
            "then run `/advisor ingest` with its link.",
            response_type="ephemeral",
        )
        return
    respond(
        text=f":inbox_tray: Ingesting {len(files)} file{'s' if len(files) != 1 else ''}…", response_type="ephemeral"
    )
    respond(text=ingest_shared_files(bot, client, files), response_type="ephemeral")


def latest_shared_file(client, user: str, channel: str) -> list[dict]:
    try:
        return client.files_list(user=user, channel=channel, count=1).get("files", [])[:1]
    except Exception as exc:
        log.warning("files.list failed: %s", exc)
        return []


def shared_header(user: str, sub: str, arg: str) -> dict:
    shown = f"/advisor {sub} {arg}".strip()
    shown = shown if len(shown) <= 200 else shown[:199] + "…"
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": f"<@{user}> shared this from `{escape(shown)}`"}],
    }
