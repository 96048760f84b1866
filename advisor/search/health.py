"""Can the vector store still find what it holds?

Chroma can keep a chunk (``get`` and ``count`` see it) that no query returns any more: after
many deletes and upserts (chroma-core/chroma#7758, open in 1.5.9) or when the files of its
vector graph are damaged. The probe asks the store for stored chunks by their own vectors: a
chunk that does not come back among its nearest neighbours is unreachable, and the repair is a
rebuild of the collection (:meth:`Index.rebuild_vectors`).
"""

from __future__ import annotations

import random

from pydantic import BaseModel

NEIGHBOURS = 10  # a chunk must be among this many nearest to its own vector
SAME_VECTOR = 1e-4  # a distance this small is the chunk's own vector (or an identical chunk's)
PAGE = 256


class Reachability(BaseModel):
    stored: int  # chunks the store counts
    probed: int  # of them, looked for by their own vector
    unreachable: int  # probed chunks no query returns
    error: str | None = None  # the store could not be read at all

    @property
    def healthy(self) -> bool:
        return self.error is None and self.unreachable == 0

    def describe(self) -> str:
        if self.error:
            return f"the vector store cannot be read ({self.error})"
        if self.unreachable:
            return (
                f"{self.unreachable} of {self.probed} probed chunks are not found by a search for their own "
                f"vector ({self.stored} stored)"
            )
        if not self.stored:
            return "it holds no chunks"
        return f"{self.probed} of {self.stored} chunks probed, every one found"


def probe(store, sample: int | None = None, page: int = PAGE) -> Reachability:
    """Look ``sample`` stored chunks (all of them when None) up by their own vectors."""
    try:
        stored = store.count()
    except Exception as exc:  # whatever Chroma raises for damaged files
        return Reachability(stored=0, probed=0, unreachable=0, error=_reason(exc))
    if stored == 0:
        return Reachability(stored=0, probed=0, unreachable=0)
    if sample is None or sample >= stored:
        windows = [(offset, page) for offset in range(0, stored, page)]
    else:  # a few windows at random places: reading by offset is cheap, one chunk at a time is not
        size = min(page, sample)
        starts = random.sample(range(0, stored, size), k=min(-(-sample // size), -(-stored // size)))
        windows = [(offset, size) for offset in sorted(starts)]
    probed = unreachable = 0
    for offset, limit in windows:
        try:
            ids, vectors = store.embeddings(limit, offset)
            if not ids:
                continue
            found, distances = store.nearest_ids(vectors, min(NEIGHBOURS, stored))
        except Exception as exc:
            return Reachability(stored=stored, probed=probed, unreachable=unreachable, error=_reason(exc))
        probed += len(ids)
        unreachable += sum(
            1
            for cid, near, dist in zip(ids, found, distances)
            if cid not in near and not (dist and dist[0] <= SAME_VECTOR)
        )
    return Reachability(stored=stored, probed=probed, unreachable=unreachable)


def _reason(exc: Exception) -> str:
    return f"{exc.__class__.__name__}: {str(exc)[:200]}"
