"""Every Slack event the bot acts on is answered exactly once, and none is lost.

- ``claim_events``: global middleware. Before the ack, an event the bot acts on (see
  ``bot.slack.routing``) is claimed in the ledger with its payload and a lease; a retry of an
  event that is being answered, or was, is acknowledged and dropped; other message events are
  dropped without a row.
- ``delivering``: wraps a listener's work. The event is marked done; when Slack would not take
  the answer even after the SDK's retries, the event id, channel and thread are logged and the
  event is left to be replayed.
- ``EventSweeper``: one background thread per process. It renews this process's leases, replays
  events whose lease expired unanswered (whichever worker accepted them, even before a restart),
  logs those given up, and prunes old rows on a schedule.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from advisor.errors import StorageError
from bot.slack.failures import DeliveryFailed
from bot.slack.routing import Identity, route_event
from bot.slack.services import AdvisorBot

log = logging.getLogger(__name__)

PRUNE_EVERY = 3600.0  # seconds
ROUTED_TYPES = ("app_mention", "message")


def claim_events(bot: AdvisorBot):
    from slack_bolt import BoltResponse

    def claim_event(body, context, next, logger):
        event_id, event = body.get("event_id"), body.get("event") or {}
        if body.get("type") != "event_callback" or not event_id or event.get("type") not in ROUTED_TYPES:
            return next()  # commands, buttons, App Home: not retried, or harmless to repeat
        try:
            acted_on = route_event(event, Identity.of(context), bot.threads) is not None
            first = acted_on and bot.events.claim(event_id, _replayable(body))
        except StorageError as exc:  # a mention or DM is answered anyway: a rare duplicate beats silence
            logger.warning("cannot record event %s (%s); handling it anyway", event_id, exc)
            acted_on = first = True
        if not acted_on:
            return BoltResponse(status=200, body="")
        if not first:
            logger.info("event %s is already being answered, or was; ignoring this delivery", event_id)
            return BoltResponse(status=200, body="")
        return next()

    return claim_event


def _replayable(body: dict) -> dict:
    """The event as stored until answered: without Slack's legacy verification token."""
    return {key: value for key, value in body.items() if key != "token"}


@contextmanager
def delivering(bot: AdvisorBot, body: dict) -> Iterator[None]:
    """Mark the event done when the work succeeds; leave it to be replayed when delivery failed."""
    event_id = body.get("event_id")
    try:
        yield
    except DeliveryFailed as exc:
        log.error(
            "event %s: could not deliver the answer in channel %s, thread %s (%s); it will be replayed",
            event_id,
            exc.channel_id,
            exc.thread_ts,
            exc.reason,
        )
        _settle(bot, event_id, done=False)
        return
    except Exception:
        _settle(bot, event_id, done=False)
        raise
    _settle(bot, event_id, done=True)


def _settle(bot: AdvisorBot, event_id: str | None, done: bool) -> None:
    if not event_id:
        return
    try:
        (bot.events.complete if done else bot.events.retry_later)(event_id)
    except Exception as exc:  # the lease then simply runs out
        log.warning("could not record the outcome of event %s: %s", event_id, exc)


class EventSweeper:
    """Keeps this process's leases alive and replays what any worker left unanswered."""

    def __init__(self, bot: AdvisorBot, replay: Callable[[dict], None], every: float | None = None):
        self.bot = bot
        self.replay = replay
        self.every = every or max(bot.settings.event_lease_seconds / 4, 0.5)
        self._next_prune = time.monotonic() + PRUNE_EVERY
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="advisor-event-sweeper", daemon=True)

    def start(self) -> EventSweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.sweep()
            except Exception as exc:  # the database may be down for a while: try again next time
                log.warning("event sweep failed: %s", exc)

    def sweep(self) -> None:
        self.bot.events.renew()
        for body in self.bot.events.give_up_exhausted():
            channel, thread = _where(body)
            log.error(
                "event %s: gave up answering in channel %s, thread %s after every attempt failed",
                body.get("event_id"),
                channel,
                thread,
            )
        for body in self.bot.events.expired():
            log.info("event %s: accepted but unanswered; answering it now", body.get("event_id"))
            self.replay(body)
        if time.monotonic() >= self._next_prune:
            self._next_prune = time.monotonic() + PRUNE_EVERY
            self.bot.forget_old()


def _where(body: dict) -> tuple[str | None, str | None]:
    event = body.get("event") or {}
    return event.get("channel"), event.get("thread_ts") or event.get("ts")
