"""Handle each incoming event exactly once, across every worker process, and lose none.

A chat platform retries an event when its acknowledgement is slow, and a retry may land on
another worker process. The ``processed_events`` table is the shared memory:

- a worker *claims* an event before acknowledging it, storing the event and a *lease*;
- while it works, it renews the lease (``renew``, from a background sweep);
- once the answer is delivered it marks the event *done* (``complete``) and drops the stored event.

Another delivery of the same event id (the platform's retry, or a replay by another worker) is
dropped while the lease is alive or the event is done, and takes the event over when the lease
expired unanswered: the worker died, or delivery failed (``retry_later``). Stored events outlive
worker restarts, so ``expired`` lists what is still waiting for an answer. After
``MAX_ATTEMPTS`` the event is given up (``give_up_exhausted``) and kept for inspection.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from advisor.db import bot_threads, processed_events
from advisor.errors import StorageError

MAX_EVENT_ID = 128
MAX_ATTEMPTS = 3
CLAIMED, DONE, FAILED = "claimed", "done", "failed"
DEFAULT_LEASE = timedelta(seconds=30)

events = processed_events.c


class EventLedger:
    """Who is handling which event, and which are still waiting, in the relational store."""

    def __init__(self, engine: Engine, lease: timedelta = DEFAULT_LEASE, owner: str | None = None):
        self.engine = engine
        self.lease = lease
        self.owner = owner or uuid.uuid4().hex
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def claim(self, event_id: str, payload: dict | None = None) -> bool:
        """True for the one caller that gets to handle ``event_id`` now; False for every other.

        Raises StorageError when the database cannot be reached, so the caller decides
        whether to handle the event anyway or drop it.
        """
        if not event_id or len(event_id) > MAX_EVENT_ID:
            raise ValueError(f"an event id has 1 to {MAX_EVENT_ID} characters, got {len(event_id or '')}")
        now = _now()
        try:
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(processed_events).values(
                            event_id=event_id,
                            created_at=now,
                            status=CLAIMED,
                            owner=self.owner,
                            lease_until=now + self.lease,
                            attempts=1,
                            payload=json.dumps(payload) if payload is not None else None,
                        )
                    )
                won = True
            except IntegrityError:
                won = self._take_over(event_id, now)
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot record event {event_id}: {exc.__class__.__name__}") from exc
        if won:
            with self._lock:
                self._held.add(event_id)
        return won

    def _take_over(self, event_id: str, now: datetime) -> bool:
        """Claim an event whose lease expired unanswered; atomic, so one worker wins."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(processed_events)
                .where(
                    events.event_id == event_id,
                    events.status == CLAIMED,
                    events.lease_until < now,
                    events.attempts < MAX_ATTEMPTS,
                )
                .values(owner=self.owner, lease_until=now + self.lease, attempts=events.attempts + 1)
            )
        return result.rowcount == 1

    def complete(self, event_id: str) -> None:
        """The event is answered: never handle it again, and forget what it said."""
        self._release(event_id, status=DONE, payload=None, lease_until=None)

    def retry_later(self, event_id: str) -> None:
        """Delivery failed: let the next sweep (of any worker) take the event over."""
        self._release(event_id, lease_until=_now())

    def _release(self, event_id: str, **values) -> None:
        with self._lock:
            self._held.discard(event_id)
        mine = and_(events.event_id == event_id, events.owner == self.owner, events.status == CLAIMED)
        with self.engine.begin() as conn:
            conn.execute(update(processed_events).where(mine).values(**values))

    def renew(self) -> int:
        """Extend the leases of the events this process is still working on."""
        with self._lock:
            held = list(self._held)
        if not held:
            return 0
        mine = and_(events.owner == self.owner, events.status == CLAIMED, events.event_id.in_(held))
        with self.engine.begin() as conn:
            result = conn.execute(update(processed_events).where(mine).values(lease_until=_now() + self.lease))
        return result.rowcount or 0

    def expired(self, limit: int = 20) -> list[dict]:
        """Events accepted but left unanswered (their lease ran out), oldest first, as received."""
        waiting = and_(
            events.status == CLAIMED,
            events.lease_until < _now(),
            events.attempts < MAX_ATTEMPTS,
            events.payload.is_not(None),
        )
        with self.engine.connect() as conn:
            rows = conn.execute(select(events.payload).where(waiting).order_by(events.created_at).limit(limit)).all()
        return [json.loads(row.payload) for row in rows]

    def give_up_exhausted(self) -> list[dict]:
        """Mark events whose every attempt failed as failed; returns them (as received) to report."""
        exhausted = and_(events.status == CLAIMED, events.lease_until < _now(), events.attempts >= MAX_ATTEMPTS)
        given_up = []
        with self.engine.begin() as conn:
            for row in conn.execute(select(events.event_id, events.payload).where(exhausted)).all():
                marked = conn.execute(
                    update(processed_events).where(exhausted, events.event_id == row.event_id).values(status=FAILED)
                )
                if marked.rowcount == 1:
                    given_up.append(json.loads(row.payload) if row.payload else {"event_id": row.event_id})
        return given_up

    def status(self, event_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(events.status).where(events.event_id == event_id)).scalar()

    def seen(self, event_id: str) -> bool:
        return self.status(event_id) is not None

    def forget_before(self, cutoff: datetime) -> int:
        """Drop the events received before ``cutoff`` (retries stop after minutes)."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(processed_events).where(events.created_at < cutoff))
        return result.rowcount or 0


class BotThreads:
    """The threads the bot answered in, so a reply there is known to be a follow-up without asking
    the chat platform. ``thread_ts`` "" stands for the conversation itself (for example a greeting)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def remember(self, channel_id: str, thread_ts: str) -> None:
        key = and_(bot_threads.c.channel_id == channel_id, bot_threads.c.thread_ts == thread_ts)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(bot_threads).values(channel_id=channel_id, thread_ts=thread_ts, updated_at=_now()))
        except IntegrityError:
            with self.engine.begin() as conn:
                conn.execute(update(bot_threads).where(key).values(updated_at=_now()))

    def knows(self, channel_id: str, thread_ts: str) -> bool:
        key = and_(bot_threads.c.channel_id == channel_id, bot_threads.c.thread_ts == thread_ts)
        try:
            with self.engine.connect() as conn:
                return conn.execute(select(bot_threads.c.channel_id).where(key)).first() is not None
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot read the bot's threads: {exc.__class__.__name__}") from exc

    def forget_before(self, cutoff: datetime) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(delete(bot_threads).where(bot_threads.c.updated_at < cutoff))
        return result.rowcount or 0


def _now() -> datetime:
    return datetime.now(UTC)
