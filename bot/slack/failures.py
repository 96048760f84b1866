"""Never silent: every failure becomes a short message saying what went wrong and what to try."""

from __future__ import annotations

import logging

from advisor.errors import AdvisorError, ConfigError, NotFoundError, ParseError, RecordError, StorageError

log = logging.getLogger(__name__)

TRY_AGAIN = "Try again in a minute; if it keeps happening, tell an admin."


def failure_text(exc: BaseException) -> str:
    """One or two sentences for the user; never a traceback."""
    if isinstance(exc, NotFoundError):
        return f"I couldn't find that: {exc}. Check the name with `/advisor portfolio`, or use the initiative's id."
    if isinstance(exc, StorageError):
        return f"I couldn't reach my database ({exc}). {TRY_AGAIN}"
    if isinstance(exc, (ParseError, RecordError)):
        return f"I couldn't read that: {exc}. Fix the file and try again."
    if isinstance(exc, ConfigError):
        return f"I'm not configured correctly: {exc}. Please tell an admin."
    if isinstance(exc, AdvisorError):
        return f"Sorry, I couldn't do that: {exc}."
    return f"Sorry, something went wrong on my side while working on that ({exc.__class__.__name__}). {TRY_AGAIN}"


def post_failure(client, channel_id: str, thread_ts: str | None, exc: BaseException) -> None:
    """Post the failure in the conversation; if even that fails, it is logged."""
    if not isinstance(exc, AdvisorError):
        log.exception("unexpected failure", exc_info=exc)
    text = f":warning: {failure_text(exc)}"
    try:
        client.chat_postMessage(channel=channel_id, thread_ts=thread_ts, text=text)
    except Exception:  # Slack itself is failing: nothing more we can tell the user
        log.exception("could not post the failure message to %s", channel_id)


def slack_error_code(exc: BaseException) -> str:
    """Slack's error code of a failed Web API call (``invalid_auth``...), else the exception's name."""
    response = getattr(exc, "response", None)
    try:
        return str(response["error"])
    except (TypeError, KeyError, AttributeError):
        return exc.__class__.__name__
