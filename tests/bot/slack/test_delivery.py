"""Answers survive Slack's rate limits and server errors, and a lost event is replayed: the Web API
is the local stand-in server; the ledger is the real SQLite store."""

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from advisor.db import processed_events
from advisor.errors import ParseError, StorageError
from advisor.events import MAX_ATTEMPTS
from bot.slack import tokens
from bot.slack.answering import Turn, answer_turn
from bot.slack.audience import Surface
from bot.slack.delivery import EventSweeper, claim_events, delivering
from bot.slack.failures import DeliveryFailed, failure_text
from tests.e2e.slack_api_server import (
    BOT_TOKEN,
    RATE_LIMITED,
    RATE_LIMITED_OK_FALSE,
    SERVER_ERROR,
    Failure,
)


@pytest.fixture
def web_client(settings, slack):
    from pydantic import SecretStr

    configured = settings.model_copy(update={"slack_bot_token": SecretStr(BOT_TOKEN), "slack_api_url": slack.api_url})
    return tokens.web_client(configured)


def mention_body(event_id: str, channel: str, ts: str = "500.1") -> dict:
    event = {"type": "app_mention", "user": "U1", "channel": channel, "ts": ts, "text": "<@UBOT> what is missing?"}
    return {"type": "event_callback", "event_id": event_id, "event": event}


def turn(channel: str) -> Turn:
    return Turn(channel_id=channel, user_id="U1", thread_ts="500.1", question="q", surface=Surface.CONVERSATION)


def test_rate_limits_and_server_errors_are_retried_by_the_client(web_client, slack):
    slack.fail("chat.postMessage", [RATE_LIMITED, RATE_LIMITED_OK_FALSE, SERVER_ERROR], channel="CRETRY")
    web_client.chat_postMessage(channel="CRETRY", text="hello")
    failed = slack.calls_to("chat.postMessage", failed=True, channel="CRETRY")
    [delivered] = slack.calls_to("chat.postMessage", channel="CRETRY")
    assert len(failed) == 3
    assert failed[1].at - failed[0].at >= 1.0  # Retry-After: 1 was honoured
    assert delivered.at > failed[-1].at


def test_an_answer_slack_keeps_refusing_is_logged_and_left_for_replay(bot, web_client, slack, caplog):
    busy = Failure(error="ratelimited", headers={"Retry-After": "0"})
    slack.fail("chat.postMessage", [busy] * 12, channel="CDOWN")
    body = mention_body("EvDown", "CDOWN")
    assert bot.events.claim("EvDown", body)
    with caplog.at_level(logging.ERROR), delivering(bot, body):
        answer_turn(bot, web_client, turn("CDOWN"))
    assert "event EvDown: could not deliver the answer in channel CDOWN, thread 500.1 (ratelimited)" in caplog.text
    assert bot.events.status("EvDown") == "claimed" and bot.events.expired() == [body]


def test_an_answer_turn_raises_delivery_failed_only_for_transient_failures(bot, client):
    client.failing["chat_postMessage"] = "ratelimited"
    with pytest.raises(DeliveryFailed):
        answer_turn(bot, client, turn("C1"))
    client.failing["chat_postMessage"] = "invalid_blocks"  # our mistake, not Slack's load: no replay
    answer_turn(bot, client, turn("C1"))  # no DeliveryFailed
    assert "went wrong" in client.of("chat_postMessage")[-1]["text"]  # the failure notice was tried


def test_the_sweeper_replays_lost_events_gives_up_loudly_and_prunes(bot, caplog):
    replayed = []
    sweeper = EventSweeper(bot, replay=replayed.append)
    lost, hopeless = mention_body("EvLost", "C5"), mention_body("EvHopeless", "C6", ts="600.1")
    for body in (lost, hopeless):
        bot.events.claim(body["event_id"], body)
        bot.events.retry_later(body["event_id"])
    with bot.advisor.engine.begin() as conn:
        conn.execute(
            update(processed_events).where(processed_events.c.event_id == "EvHopeless").values(attempts=MAX_ATTEMPTS)
        )
    bot.events.claim("EvAncient")
    bot.events.complete("EvAncient")
    with bot.advisor.engine.begin() as conn:
        long_ago = datetime.now(UTC) - timedelta(days=3)
        conn.execute(
            update(processed_events).where(processed_events.c.event_id == "EvAncient").values(created_at=long_ago)
        )
    sweeper._next_prune = time.monotonic()  # the hourly prune is due
    with caplog.at_level(logging.ERROR):
        sweeper.sweep()
    assert replayed == [lost]
    assert "event EvHopeless: gave up answering in channel C6, thread 600.1" in caplog.text
    assert bot.events.status("EvHopeless") == "failed" and not bot.events.seen("EvAncient")


def test_a_replayed_event_is_claimed_again_by_the_middleware(bot):
    body = mention_body("EvReplay", "C7")
    middleware = claim_events(bot)
    context = {"bot_user_id": "UBOT"}
    assert middleware(body, context, lambda: None, logger=logging.getLogger()) is None
    assert middleware(body, context, lambda: None, logger=logging.getLogger()).status == 200  # lease alive
    bot.events.retry_later("EvReplay")
    assert middleware(body, context, lambda: None, logger=logging.getLogger()) is None  # taken over


def test_failure_text_shows_no_database_url_driver_error_or_server_path():
    storage = StorageError("cannot open the database postgresql://advisor@db:5432/advisor: OperationalError: refused")
    assert "postgresql" not in failure_text(storage) and "OperationalError" not in failure_text(storage)
    parse = ParseError("cannot parse /srv/advisor/data/uploads/board <plan>.pdf: PdfReadError")
    text = failure_text(parse)
    assert "/srv" not in text and "&lt;plan&gt;.pdf" in text


def test_failure_text_ends_each_sentence_once():
    from advisor.errors import NotFoundError

    asked_back = failure_text(NotFoundError("I don't know an initiative called “invoice bot”. Did you mean: Claims?"))
    assert "?." not in asked_back and "Claims? Check the name" in asked_back
    assert failure_text(NotFoundError("no initiative matches “x”")).startswith(
        "I couldn't find that: no initiative matches “x”. "
    )
