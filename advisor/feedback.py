"""What users thought of an answer, and what answers cost.

A rating is stored with the question, the answer text, its citations and the tokens the answer
took, so a reviewer can see exactly what was judged and what it cost. Every answer a chat model
wrote records its tokens (``llm_usage``, without the question): the per-user hourly limit and the
usage report read them. Generic: any face (Slack, a web page) records through these stores.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Engine, case, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from advisor.db import feedback, llm_usage
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
    composer: str | None = Field(None, max_length=200)  # what wrote the answer
    input_tokens: int | None = Field(None, ge=0)
    output_tokens: int | None = Field(None, ge=0)
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


class UsageEntry(BaseModel):
    """The tokens one answer took; ``limited`` when the hourly limit had the extractive composer answer."""

    user_id: str | None = Field(None, max_length=64)  # None: the terminal's local administrator
    channel_id: str | None = Field(None, max_length=64)
    composer: str = Field(min_length=1, max_length=200)
    input_tokens: int = Field(0, ge=0)
    output_tokens: int = Field(0, ge=0)
    limited: bool = False
    created_at: datetime | None = None


class UsageRow(BaseModel):
    """Totals of one day or one user."""

    key: str  # the day (YYYY-MM-DD, UTC) or the user id ("(terminal)" for the local administrator)
    answers: int
    input_tokens: int
    output_tokens: int
    limited: int  # answers the hourly limit kept from the chat model

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class UsageReport(BaseModel):
    since: date
    by_day: list[UsageRow]
    by_user: list[UsageRow]
    total: UsageRow


TERMINAL = "(terminal)"


class UsageStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, entry: UsageEntry) -> int:
        values = entry.model_dump()
        values["created_at"] = entry.created_at or datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                return int(conn.execute(insert(llm_usage).values(**values)).inserted_primary_key[0])
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot record the token usage: {exc.__class__.__name__}") from exc

    def tokens_since(self, user_id: str | None, since: datetime) -> int:
        """Input and output tokens one user's answers took since ``since`` (the hourly limit)."""
        who = llm_usage.c.user_id.is_(None) if user_id is None else llm_usage.c.user_id == user_id
        query = select(func.coalesce(func.sum(llm_usage.c.input_tokens + llm_usage.c.output_tokens), 0)).where(
            who, llm_usage.c.created_at >= since
        )
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(query).scalar_one())
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot read the token usage: {exc.__class__.__name__}") from exc

    def report(self, since: date) -> UsageReport:
        """Tokens per day (UTC) and per user from ``since`` on, the busiest users first."""
        start = datetime(since.year, since.month, since.day, tzinfo=UTC)
        try:
            with self.engine.connect() as conn:
                day = _utc_day(conn.dialect.name)
                by_day = [_row(str(r[0])[:10], r) for r in conn.execute(_totals(day, start).order_by(day)).all()]
                user = func.coalesce(llm_usage.c.user_id, TERMINAL)
                by_user = [_row(r[0], r) for r in conn.execute(_totals(user, start)).all()]
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot read the token usage: {exc.__class__.__name__}") from exc
        by_user.sort(key=lambda row: (-row.tokens, row.key))
        total = UsageRow(
            key="total",
            answers=sum(r.answers for r in by_day),
            input_tokens=sum(r.input_tokens for r in by_day),
            output_tokens=sum(r.output_tokens for r in by_day),
            limited=sum(r.limited for r in by_day),
        )
        return UsageReport(since=since, by_day=by_day, by_user=by_user, total=total)


def _utc_day(dialect: str):
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", llm_usage.c.created_at), "YYYY-MM-DD")
    return func.substr(llm_usage.c.created_at, 1, 10)  # SQLite keeps UTC times as ISO text


def _totals(key, start: datetime):
    c = llm_usage.c
    limited = func.sum(case((c.limited, 1), else_=0))
    return (
        select(key, func.count(), func.sum(c.input_tokens), func.sum(c.output_tokens), limited)
        .where(c.created_at >= start)
        .group_by(key)
    )


def _row(key: str, row) -> UsageRow:
    return UsageRow(key=key, answers=row[1], input_tokens=row[2] or 0, output_tokens=row[3] or 0, limited=row[4] or 0)
