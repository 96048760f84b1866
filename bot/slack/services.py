"""What every Slack listener needs: the advisor, the stores, and who is an admin.

Whose visibility applies to a message is not decided here but in ``bot.slack.audience``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from advisor import Advisor
from advisor.events import BotThreads, EventLedger
from advisor.feedback import FeedbackStore
from advisor.settings import Settings

EVENT_MEMORY = timedelta(days=2)  # Slack stops retrying after minutes; keep ids a little longer
THREAD_MEMORY = timedelta(days=90)  # replies in older threads need a new mention

log = logging.getLogger(__name__)


@dataclass
class AdvisorBot:
    settings: Settings
    advisor: Advisor
    feedback: FeedbackStore
    events: EventLedger
    threads: BotThreads
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, advisor: Advisor) -> AdvisorBot:
        bot = cls(
            settings=settings,
            advisor=advisor,
            feedback=FeedbackStore(advisor.engine),
            events=EventLedger(advisor.engine, lease=timedelta(seconds=settings.event_lease_seconds)),
            threads=BotThreads(advisor.engine),
        )
        bot.forget_old()
        return bot

    def is_admin(self, user_id: str | None) -> bool:
        return bool(user_id) and user_id in self.settings.admins

    def forget_old(self) -> None:
        """Prune answered events and long-quiet threads (at start, then on a schedule)."""
        now = datetime.now(UTC)
        try:
            events = self.events.forget_before(now - EVENT_MEMORY)
            threads = self.threads.forget_before(now - THREAD_MEMORY)
            log.info("pruned %d old events and %d quiet threads", events, threads)
        except Exception as exc:  # housekeeping only: never stop the bot for it
            log.warning("could not prune old events and threads: %s", exc)
