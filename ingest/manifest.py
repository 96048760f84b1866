"""The manifest: one row per ingested source with its content hash, chunk count and time."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Engine, delete, select

from advisor.db import sources


class SourceEntry(BaseModel):
    source: str
    kind: str
    title: str
    content_hash: str
    chunks: int
    ingested_at: datetime
    allowed: list[str] | None = None  # the `--allow` ids it was ingested with (None: not known)


class Manifest:
    def __init__(self, engine: Engine):
        self.engine = engine

    def entries(self) -> dict[str, SourceEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(sources).order_by(sources.c.source)).mappings()
            return {row["source"]: SourceEntry(**row) for row in rows}

    def record(
        self, source: str, kind: str, title: str, content_hash: str, chunks: int, allowed: list[str] | None = None
    ) -> None:
        row = {
            "allowed": allowed or [],
            "source": source,
            "kind": kind,
            "title": title,
            "content_hash": content_hash,
            "chunks": chunks,
            "ingested_at": datetime.now(UTC),
        }
        with self.engine.begin() as conn:
            conn.execute(delete(sources).where(sources.c.source == source))
            conn.execute(sources.insert().values(**row))

    def forget(self, source: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sources).where(sources.c.source == source))
