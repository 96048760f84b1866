"""The bolt App: built from settings, each event answered once, every listener registered."""

from __future__ import annotations

import logging

from advisor.access import Requester
from advisor.errors import AdvisorError, StorageError
from advisor.settings import Settings
from bot.slack.services import AdvisorBot

log = logging.getLogger(__name__)

APP_NAME = "ai-transformation-advisor"


def build_app(bot: AdvisorBot, client, signing_secret: str | None):
    """The bolt App for ``bot``, talking to Slack through ``client`` (bolt calls auth.test once).

    ``signing_secret`` None means Socket Mode: there are no HTTP requests to verify.
    """
    from slack_bolt import App

    bolt_logger = logging.getLogger("slack_bolt")
    bolt_logger.addFilter(_not_the_client_token_warning)
    app = App(
        name=APP_NAME,
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        raise_error_for_unhandled_request=False,
        logger=bolt_logger,
    )
    app.use(answer_each_event_once(bot))
    app.error(log_unhandled_error)

    from bot.slack.listeners import register_all

    register_all(app, bot)
    return app


def _not_the_client_token_warning(record: logging.LogRecord) -> bool:
    """bolt warns that SLACK_BOT_TOKEN in the environment is unused when a client is given; our
    client is built from that very token (with SLACK_API_URL), so the warning is noise."""
    return "`token` will be unused" not in record.getMessage()


def answer_each_event_once(bot: AdvisorBot):
    """Global middleware: a retried event (same event_id) is acknowledged and dropped.

    The claim lives in the database, so it holds across worker processes. If the database is
    down the event is handled anyway: a rare duplicate beats a question left unanswered.
    """
    from slack_bolt import BoltResponse

    def claim_event(body, next, logger):
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            try:
                first = bot.events.claim(event_id)
            except StorageError as exc:
                logger.warning("cannot record event %s (%s); handling it anyway", event_id, exc)
                first = True
            if not first:
                logger.info("event %s already handled; ignoring this delivery", event_id)
                return BoltResponse(status=200, body="")
        return next()

    return claim_event


def log_unhandled_error(error, body, logger):
    logger.exception("unhandled error in a Slack listener (%s)", body.get("type"), exc_info=error)


def open_bot(settings: Settings) -> AdvisorBot:
    """The advisor, ready to answer: knowledge ingested, embedding model loaded."""
    from bot.bootstrap import open_advisor

    advisor = open_advisor(settings)
    # load the model, the indexes and the composer now, not on the first question (nor twice
    # in parallel threads); asking as nobody in particular writes nothing and sees public records only
    advisor.index.embedder.embed_query("warm up")
    advisor.index.vectors  # noqa: B018  (a configuration error now if another model built the index)
    try:
        advisor.ask("What does the next phase need?", Requester())
    except AdvisorError as exc:  # e.g. an empty knowledge base: the bot still starts and says so later
        log.warning("warm-up question failed: %s", exc)
    return AdvisorBot.open(settings, advisor)
