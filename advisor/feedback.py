"""What users thought of an answer: a rating, an optional comment, and the answer itself.

Stored with the question, the answer text and its citations, so a reviewer can see exactly what
was judged. Generic: any face (Slack, a web page) records feedback through this store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from advisor.db import feedback
from advisor.errors import StorageError

Rating = Literal["helpful", "not_helpful"]
RATINGS: tuple[Rating, ...] = ("helpful", "not_helpful")
MAX_COMMENT = 3000


class FeedbackEntry(BaseModel):
    user_id: str = Field(min_length=1, max_length=64)
    channel_id: str | None = Field(None, max_length=64)
    rating: Rating
    comment: str | None = None
    question: str
    answer: str
    citations: list[dict] = Field(default_factory=list)
    id: int | None = None
    created_at: datetime | None = None


class FeedbackStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, entry: FeedbackEntry) -> int:
        """Store one rating; returns its id."""
        values = entry.model_dump(exclude={"id", "created_at"})
        values["comment"] = _clean_comment(entry.comment)
        values["created_at"] = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                result = conn.execute(insert(feedback).values(**values))
                return int(result.inserted_primary_key[0])
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot save the feedback: {exc.__class__.__name__}") from exc

    def add_comment(self, feedback_id: int, user_id: str, comment: str) -> bool:
        """Attach a comment to a rating; only the user who rated may. False when no such rating."""
        text = _clean_comment(comment)
        if text is None:
            return False
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    update(feedback)
                    .where(feedback.c.id == feedback_id, feedback.c.user_id == user_id)
                    .values(comment=text)
                )
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot save the comment: {exc.__class__.__name__}") from exc
        return (result.rowcount or 0) > 0

    def get(self, feedback_id: int) -> FeedbackEntry | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(feedback).where(feedback.c.id == feedback_id)).mappings().first()
        return _entry(row) if row else None

    def recent(self, limit: int = 50, rating: Rating | None = None) -> list[FeedbackEntry]:
        """The newest ratings first."""
        query = select(feedback).order_by(feedback.c.created_at.desc(), feedback.c.id.desc()).limit(limit)
        if rating:
            query = query.where(feedback.c.rating == rating)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_entry(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """How many ratings of each kind."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(feedback.c.rating, func.count()).group_by(feedback.c.rating)).all()
        found = {rating: count for rating, count in rows}
        return {rating: found.get(rating, 0) for rating in RATINGS}


def _clean_comment(comment: str | None) -> str | None:
    if comment is None or not comment.strip():
        return None
    return comment.strip()[:MAX_COMMENT]


def _entry(row) -> FeedbackEntry:
    return FeedbackEntry(**dict(row))
