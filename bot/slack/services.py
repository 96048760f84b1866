"""What every Slack listener needs: the advisor, the stores, and who is an admin."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from advisor import Advisor
from advisor.access import Requester
from advisor.errors import AdvisorError
from advisor.events import EventLedger
from advisor.feedback import FeedbackStore
from advisor.settings import Settings

EVENT_MEMORY = timedelta(days=2)  # Slack stops retrying after minutes; keep ids a little longer

log = logging.getLogger(__name__)


@dataclass
class AdvisorBot:
    settings: Settings
    advisor: Advisor
    feedback: FeedbackStore
    events: EventLedger
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, advisor: Advisor) -> AdvisorBot:
        bot = cls(
            settings=settings,
            advisor=advisor,
            feedback=FeedbackStore(advisor.engine),
            events=EventLedger(advisor.engine),
        )
        bot.forget_old_events()
        return bot

    def requester(self, user_id: str | None, channel_id: str | None) -> Requester:
        """Always the Slack user and channel: restricted records stay with their audience."""
        return Requester(user_id=user_id, channel_id=channel_id)

    def is_admin(self, user_id: str | None) -> bool:
        return bool(user_id) and user_id in self.settings.admins

    def forget_old_events(self) -> None:
        try:
            self.events.forget_before(datetime.now(UTC) - EVENT_MEMORY)
        except (AdvisorError, Exception) as exc:  # housekeeping only: never stop the bot for it
            log.warning("could not prune processed events: %s", exc)
