"""Which embedding model built the index, and moving the index to another model.

Vectors of two models cannot be compared, so the index records the model (and dimension, and
the vector collection holding its vectors) in the database. A search with another model stops
with a clear error; ``advisor ingest`` re-embeds every stored chunk with the new model into a
new collection, and switches the record only once that copy is complete, so an interrupted run
leaves the old index working and the next run starts the copy again.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy import Engine, delete, insert, select

from advisor.db import index_meta
from advisor.settings import MINILM, Settings

LEGACY_MODEL = MINILM  # indexes built before the model was recorded used it
_KEYS = ("embedding_model", "embedding_dimension", "collection")


class ModelRecord(BaseModel):
    model: str
    dimension: int
    collection: str


class Reembedded(BaseModel):
    """What a change of embedding model did to the index."""

    from_model: str
    to_model: str
    chunks: int
    seconds: float


def collection_name(settings: Settings, model: str) -> str:
    """A Chroma collection name of its own per model: letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", model.lower()).strip("-")[:60] or "model"
    return f"{settings.collection}-{slug}"


def read_record(engine: Engine) -> ModelRecord | None:
    with engine.connect() as conn:
        values = dict(conn.execute(select(index_meta.c.key, index_meta.c.value)).all())
    if not all(k in values for k in _KEYS):
        return None
    return ModelRecord(
        model=values["embedding_model"], dimension=int(values["embedding_dimension"]), collection=values["collection"]
    )


def write_record(engine: Engine, record: ModelRecord) -> None:
    values = {
        "embedding_model": record.model,
        "embedding_dimension": str(record.dimension),
        "collection": record.collection,
    }
    with engine.begin() as conn:
        conn.execute(delete(index_meta).where(index_meta.c.key.in_(_KEYS)))
        conn.execute(insert(index_meta), [{"key": k, "value": v} for k, v in values.items()])


def mismatch_message(record: ModelRecord, model: str, dimension: int) -> str:
    return (
        f"the index was built with the embedding model {record.model} ({record.dimension} dimensions), "
        f"but ADVISOR_EMBEDDING_MODEL chooses {model} ({dimension} dimensions); "
        f"run `advisor reindex` (or any `advisor ingest`) to re-embed everything with {model}, "
        f"or set ADVISOR_EMBEDDING_MODEL={record.model}"
    )


Progress = Callable[[int, int], None]  # (chunks done, chunks in all)


def copy_reembedded(source, target, embedder, on_progress: Progress | None = None, page: int = 256) -> int:
    """Every chunk of the ``source`` vector store, embedded anew, into ``target``; returns the count."""
    from advisor.search.index import Chunk

    total, done = source.count(), 0
    for batch in source.pages(page):
        chunks = [Chunk.from_store(cid, text, meta) for cid, text, meta in batch]
        vectors = embedder.embed_passages([c.embedding_text() for c in chunks])
        target.upsert([c.id for c in chunks], vectors, [c.text for c in chunks], [c.metadata() for c in chunks])
        done += len(chunks)
        if on_progress:
            on_progress(done, total)
    return done
