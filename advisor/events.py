"""Handle each incoming event exactly once, across every worker process.

A chat platform retries an event when its acknowledgement is slow, and a retry may land on
another worker process. The ``processed_events`` table is the shared memory: the first process
to insert an event id owns the event; an insert that fails on the primary key means another
process (or an earlier delivery) already has it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from advisor.db import processed_events
from advisor.errors import StorageError

MAX_EVENT_ID = 128


class EventLedger:
    """Who has handled which event, in the relational store."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def claim(self, event_id: str) -> bool:
        """True for the one caller that gets to handle ``event_id``; False for every other.

        Raises StorageError when the database cannot be reached, so the caller decides
        whether to handle the event anyway or drop it.
        """
        if not event_id or len(event_id) > MAX_EVENT_ID:
            raise ValueError(f"an event id has 1 to {MAX_EVENT_ID} characters, got {len(event_id or '')}")
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(processed_events).values(event_id=event_id, created_at=_now()))
            return True
        except IntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot record event {event_id}: {exc.__class__.__name__}") from exc

    def seen(self, event_id: str) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(
                select(processed_events.c.event_id).where(processed_events.c.event_id == event_id)
            ).first()
        return found is not None

    def forget_before(self, cutoff: datetime) -> int:
        """Drop the ids of events received before ``cutoff`` (retries stop after minutes)."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(processed_events).where(processed_events.c.created_at < cutoff))
        return result.rowcount or 0


def _now() -> datetime:
    return datetime.now(UTC)
