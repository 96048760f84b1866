"""Never silent, never revealing: every failure becomes a short message saying what went wrong and
what to try. Server details (database URLs, driver errors, file paths) stay in the server log."""

from __future__ import annotations

import logging
import re

from advisor.errors import AdvisorError, ConfigError, NotFoundError, ParseError, RecordError, StorageError
from bot.slack.mrkdwn import escape

log = logging.getLogger(__name__)

TRY_AGAIN = "Try again in a minute; if it keeps happening, tell an admin."
TRANSIENT_CODES = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
SERVER_PATH = re.compile(r"(?<![\w.:/~-])(?:/[^\s/'\"`]+)+/([^\s/'\"`]+)")


class DeliveryFailed(Exception):
    """Slack would not take a message even after retrying; the event is left to be replayed."""

    def __init__(self, channel_id: str, thread_ts: str | None, reason: str):
        super().__init__(f"could not post to {channel_id} (thread {thread_ts}): {reason}")
        self.channel_id = channel_id
        self.thread_ts = thread_ts
        self.reason = reason


def failure_text(exc: BaseException) -> str:
    """One or two sentences for the user, in mrkdwn; never a traceback, a URL of ours or a server path."""
    if isinstance(exc, NotFoundError):
        hint = "Check the name with `/advisor portfolio`, or use the initiative's id."
        return f"I couldn't find that: {_sentence(public_text(exc))} {hint}"
    if isinstance(exc, StorageError):
        return f"I couldn't reach my database. {TRY_AGAIN}"
    if isinstance(exc, (ParseError, RecordError)):
        return f"I couldn't read that: {_sentence(public_text(exc))} Fix the file and try again."
    if isinstance(exc, ConfigError):
        return "I'm not configured correctly; an admin will find the details in my server log."
    if isinstance(exc, AdvisorError):
        return f"Sorry, I couldn't do that: {_sentence(public_text(exc))}"
    if is_transient(exc):
        return "Slack is busy right now, so my answer could not be posted; I'll post it as soon as Slack lets me."
    return f"Sorry, something went wrong on my side while working on that ({exc.__class__.__name__}). {TRY_AGAIN}"


def _sentence(text: str) -> str:
    """The text ended as a sentence, without doubling the punctuation it already has."""
    return text if text.endswith((".", "?", "!", "。", "？", "！")) else f"{text}."


def public_text(message: object) -> str:
    """A message written for the user, with server file paths cut to the file name, escaped for mrkdwn."""
    return escape(SERVER_PATH.sub(r"\1", str(message)))


def post_failure(client, channel_id: str, thread_ts: str | None, exc: BaseException) -> None:
    """Post the failure in the conversation; the details, and a failure to post, go to the log."""
    if isinstance(exc, (StorageError, ConfigError)):
        log.error("%s: %s", exc.__class__.__name__, exc)
    elif not isinstance(exc, AdvisorError) and not is_transient(exc):
        log.exception("unexpected failure", exc_info=exc)
    text = f":warning: {failure_text(exc)}"
    try:
        client.chat_postMessage(channel=channel_id, thread_ts=thread_ts, text=text)
    except Exception as error:  # Slack itself is failing: nothing more we can tell the user
        log.warning("could not post the failure message to %s: %s", channel_id, slack_error_code(error))


def is_transient(exc: BaseException) -> bool:
    """A failure of Slack or the network that a later attempt may not meet (rate limits, 5xx, timeouts)."""
    if isinstance(exc, OSError):  # URLError, timeouts, refused or reset connections
        return True
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status == 429 or (status or 0) >= 500 or slack_error_code(exc) in TRANSIENT_CODES


def slack_error_code(exc: BaseException) -> str:
    """Slack's error code of a failed Web API call (``invalid_auth``...), else the exception's name."""
    response = getattr(exc, "response", None)
    try:
        return str(response["error"])
    except (TypeError, KeyError, AttributeError):
        return exc.__class__.__name__
