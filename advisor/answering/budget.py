"""Cost control for chat-model answers (OWASP LLM10): the per-user hourly token limit and the
record of the tokens every answer took.

A user over the limit still gets an answer: the extractive one, from the same evidence, with a
short note in their language. The local administrator at the terminal (no user id) is never
limited; their answers are recorded all the same.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from advisor.access import Requester
from advisor.answering.answer import Answer
from advisor.feedback import UsageEntry, UsageStore
from advisor.messages import translator

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)


def limit_note(language: str) -> str:
    note = translator(language).gettext(
        "You have used this hour's share of the chat model, so this answer quotes the sources."
    )
    return f"_{note}_"


class TokenBudget:
    def __init__(self, store: UsageStore, model: str | None, hourly_limit: int | None):
        self.store = store
        self.model = model  # the configured chat model; None: answers are extractive and free
        self.hourly_limit = hourly_limit

    def exhausted(self, requester: Requester, now: datetime | None = None) -> bool:
        """Whether this user's answers of the last hour took at least the hourly limit."""
        if not (self.model and self.hourly_limit and requester.user_id):
            return False
        since = (now or datetime.now(UTC)) - HOUR
        return self.store.tokens_since(requester.user_id, since) >= self.hourly_limit

    def record(self, requester: Requester, answer: Answer, limited: bool = False) -> None:
        """Record the tokens of a chat model's answer, or that the limit kept the model from answering.

        Answers that never reached a chat model cost nothing and are not recorded. A failure to
        record is logged, never shown: the user has the answer, and it was already paid for.
        """
        usage = answer.usage
        if usage is None and not limited:
            return
        entry = UsageEntry(
            user_id=requester.user_id,
            channel_id=requester.channel_id,
            composer=self.model or answer.composer,  # a fallback's tokens were still the model's
            input_tokens=usage.input_tokens if usage else 0,
            output_tokens=usage.output_tokens if usage else 0,
            limited=limited,
        )
        try:
            self.store.record(entry)
        except Exception as exc:
            log.warning("could not record the token usage of an answer: %s", exc)
