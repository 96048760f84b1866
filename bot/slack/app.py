"""The bolt App: built from settings, each event answered once, every listener registered."""

from __future__ import annotations

import json
import logging

from advisor.errors import AdvisorError
from advisor.settings import Settings
from bot.slack.services import AdvisorBot

log = logging.getLogger(__name__)

APP_NAME = "ai-transformation-advisor"
# bolt's log lines that carry a request body; they are kept, without the body
BODY_CARRYING_LOGS = ("Invalid request signature detected", "Unhandled request", "A global middleware", "Skipped self")


def build_app(bot: AdvisorBot, client, signing_secret: str | None):
    """The bolt App for ``bot``, talking to Slack through ``client`` (bolt calls auth.test once).

    ``signing_secret`` None means Socket Mode: there are no HTTP requests to verify.
    """
    from slack_bolt import App

    from bot.slack.delivery import claim_events
    from bot.slack.listeners import register_all

    bolt_logger = logging.getLogger("slack_bolt")
    bolt_logger.addFilter(_not_the_client_token_warning)
    bolt_logger.addFilter(without_request_bodies)
    app = App(
        name=APP_NAME,
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        raise_error_for_unhandled_request=False,
        logger=bolt_logger,
    )
    app.use(claim_events(bot))
    app.error(log_unhandled_error)
    register_all(app, bot)
    return app


def _not_the_client_token_warning(record: logging.LogRecord) -> bool:
    """bolt warns that SLACK_BOT_TOKEN in the environment is unused when a client is given; our
    client is built from that very token (with SLACK_API_URL), so the warning is noise."""
    return "`token` will be unused" not in record.getMessage()


def without_request_bodies(record: logging.LogRecord) -> bool:
    """Request bodies (questions, uploads, anything an attacker sends) never reach the log."""
    message = record.getMessage()
    for start in BODY_CARRYING_LOGS:
        if message.startswith(start):
            record.msg, record.args = f"{start} (request body not logged)", ()
    return True


def log_unhandled_error(error, body, logger):
    logger.exception("unhandled error in a Slack listener (%s)", body.get("type"), exc_info=error)


def replayer(app):
    """Dispatch an event read back from the ledger; it was verified when Slack first sent it."""
    from slack_bolt.request import BoltRequest

    def replay(body: dict) -> None:
        app.dispatch(BoltRequest(body=json.dumps(body), mode="socket_mode"))

    return replay


def open_bot(settings: Settings, heal: bool = True) -> AdvisorBot:
    """The advisor, ready to answer: knowledge ingested, embedding model loaded. ``heal`` checks
    (and repairs) the index first; HTTP workers leave that to the one process started before them."""
    from bot.bootstrap import open_advisor

    advisor = open_advisor(settings, heal=heal)
    # load the model, the indexes and the composer now, not on the first question (nor twice
    # in parallel threads); asking as nobody in particular writes nothing and sees public records only
    advisor.index.embedder.embed_query("warm up")
    advisor.index.vectors  # noqa: B018  (a configuration error now if another model built the index)
    try:
        advisor.warm_up()
    except AdvisorError as exc:  # e.g. an empty knowledge base: the bot still starts and says so later
        log.warning("warm-up question failed: %s", exc)
    return AdvisorBot.open(settings, advisor)
