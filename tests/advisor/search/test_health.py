"""Derived parts of the index that are damaged are found and rebuilt: real Chroma, SQLite, bm25s.

Chroma's own bug (chroma-core/chroma#7758: live chunks no query returns after many deletes and
upserts) shows up only after thousands of writes, and not reliably at a small scale, so the
reachability probe and the rebuild are tested on the same symptom created on purpose: the files
of the collection's vector graph (its HNSW segment) are removed from disk, after which Chroma
still counts and returns every chunk by id but a query finds none of them.
"""

import json
import pickle
import shutil

import numpy as np
import pytest

from advisor.access import Requester
from advisor.db import make_engine
from advisor.search import health
from advisor.search.index import Chunk, Index, chunk_id
from advisor.search.vectorstore import reopen_embedded
from tests.conftest import make_settings

TEXTS = {
    "drift.md": "When live inputs move away from the training data, prediction quality decays silently.",
    "owners.md": "A person in the business unit must be accountable for adoption and for the value delivered.",
    "tokens.md": "Cap tokens per user per day and alert when spend per use case exceeds the monthly budget.",
    "sox.md": "Keep the SOX-404 control evidence for the model change log for seven years.",
}


def _chunk(name: str, text: str, position: int = 0) -> Chunk:
    return Chunk(
        id=chunk_id(name, position),
        text=text,
        source=name,
        source_key=name,
        kind="practice",
        title=name,
        section=name,
        position=position,
    )


@pytest.fixture
def index(tmp_path):
    settings = make_settings(tmp_path / "data")
    index = Index(settings, make_engine(settings))
    index.ensure_model()
    for name, text in TEXTS.items():
        chunk = _chunk(name, text)
        index.replace_source(name, [chunk], index.embedder.embed_passages([chunk.embedding_text()]))
    index.keyword_index()  # the snapshot of this version, as an ingest leaves it
    return index


def _damage(kind: str, snapshot) -> None:
    rows = json.loads((snapshot / "rows.json").read_text())
    if kind == "truncated":  # the list of chunks cut short, the score matrix whole
        (snapshot / "rows.json").write_text(json.dumps({"ids": rows["ids"][:1], "metas": rows["metas"][:1]}))
    elif kind == "wrong format":
        (snapshot / "rows.json").write_text(json.dumps([rows["ids"], rows["metas"]]))
    elif kind == "empty":
        (snapshot / "rows.json").write_text(json.dumps({"ids": [], "metas": []}))
    elif kind == "garbage json":
        (snapshot / "rows.json").write_text(json.dumps({"ids": rows["ids"], "metas": [None] * len(rows["ids"])}))
    elif kind == "garbage pickle":
        (snapshot / "bm25" / "indptr.csc.index.npy").write_bytes(pickle.dumps({"not": "an array"}))


@pytest.mark.parametrize("kind", ["truncated", "wrong format", "empty", "garbage json", "garbage pickle"])
def test_a_damaged_bm25_snapshot_is_reported_then_rebuilt_and_searches_work(index, kind, caplog):
    snapshot = index.snapshot_dir(index.version())
    _damage(kind, snapshot)
    fresh = Index(index.settings, index.engine)  # as another process (or the next run) opens it
    assert fresh.snapshot_problem() is not None
    hits = fresh.search("SOX-404 retention", Requester.admin(), k=1, mode="bm25")
    assert [h.chunk.source for h in hits] == ["sox.md"]
    assert "BM25 snapshot" in caplog.text and "rebuilding" in caplog.text
    assert Index(index.settings, index.engine).snapshot_problem() is None  # the rebuilt snapshot was saved


def _remove_vector_graph(index: Index) -> None:
    """Delete the HNSW segment files of every collection, then open the store as a new process would."""
    for segment in index.settings.chroma_dir.iterdir():
        if segment.is_dir():
            shutil.rmtree(segment)
    reopen_embedded(index.settings)
    index._vectors = None


def _fill_many(index: Index, count: int) -> list[Chunk]:
    """``count`` short chunks: enough for Chroma to write its vector graph to disk. Their texts vary
    (a thousand near-copies of one sentence would make a graph that even a fresh build cannot
    search reliably around them)."""
    words = ["warehouse", "pallet", "customs", "fleet", "supplier", "invoice", "inventory", "freight", "route", "dock"]
    rng = np.random.default_rng(7)
    texts = [
        f"The {' and '.join(rng.choice(words, 2, replace=False))} report for week {i % 52} lists {i} items."
        for i in range(count)
    ]
    chunks = [_chunk("bulk.md", text, i) for i, text in enumerate(texts)]
    vectors = rng.normal(size=(count, index.embedder.dimension)).astype(np.float32)
    store, _version = index.current()
    store.upsert([c.id for c in chunks], vectors, [c.text for c in chunks], [c.metadata() for c in chunks])
    index.mark_changed()
    return chunks


def test_unreachable_chunks_are_found_by_the_probe_and_a_rebuild_brings_them_back(index):
    _fill_many(index, 1200)
    assert health.probe(index.vectors).healthy
    _remove_vector_graph(index)
    store, _version = index.current()
    assert store.count() == 1204 and len(store.get(ids=[chunk_id("sox.md", 0)])) == 1  # still stored
    damaged = health.probe(store, sample=64)
    assert not damaged.healthy and damaged.describe()
    rebuilt = index.rebuild_vectors()
    assert rebuilt.chunks == 1204
    assert health.probe(index.vectors).healthy
    assert index.vectors.name.endswith("-rebuilt")
    hits = index.search("keep the SOX-404 control evidence for seven years", Requester.admin(), k=3, mode="dense")
    assert "sox.md" in [h.chunk.source for h in hits]  # found by meaning in the rebuilt collection
    other = Index(index.settings, index.engine)  # another process follows the record to the new collection
    assert other.vectors.name == index.vectors.name


def test_a_large_delete_is_followed_by_a_probe_and_a_rebuild_when_chunks_are_unreachable(index):
    _fill_many(index, 1200)
    _remove_vector_graph(index)
    index.large_delete = 1  # the threshold is 500 chunks; one delete here stands for a large one
    index.delete_source("drift.md")
    rebuilt = index.check_after_deletes()
    assert rebuilt is not None and rebuilt.chunks == 1203
    assert health.probe(index.vectors).healthy
    assert index.check_after_deletes() is None  # nothing deleted since


def test_chroma_7758_live_chunks_unreachable_after_deletes_and_upserts_are_found_and_rebuilt(index):
    """Chroma's bug itself, as its report reproduces it: 4,000 inserts, half deleted, 30% of the rest
    upserted with new vectors, in a Euclidean collection of 128 dimensions (it shows there within a
    minute; our cosine collections of 384 dimensions need far longer histories). Some live chunks
    are then never returned by a query for their own vector; the probe finds them and the rebuild
    makes every chunk reachable again."""
    store, _version = index.current()
    store.collection = store._client.create_collection(
        "bug-7758", configuration={"hnsw": {"space": "l2"}}, embedding_function=None
    )
    store.name = "bug-7758"
    rng = np.random.default_rng(0)
    ids = [chunk_id("bug.md", i) for i in range(4000)]
    chunks = {cid: _chunk("bug.md", f"Record {i} of the history.", i) for i, cid in enumerate(ids)}
    vectors = rng.normal(size=(4000, 128)).astype(np.float32)
    store.upsert(ids, vectors, [chunks[c].text for c in ids], [chunks[c].metadata() for c in ids])
    deleted = set(rng.choice(4000, 2000, replace=False).tolist())
    store.collection.delete(ids=[ids[i] for i in sorted(deleted)])
    live = [i for i in range(4000) if i not in deleted]
    again = rng.choice(live, 600, replace=False)
    store.upsert(
        [ids[i] for i in again],
        rng.normal(size=(600, 128)).astype(np.float32),
        [chunks[ids[i]].text for i in again],
        [chunks[ids[i]].metadata() for i in again],
    )
    assert store.count() == 2000
    found = health.probe(store)
    assert found.error is None and found.probed == 2000 and found.unreachable > 0, found
    rebuilt = index.rebuild_vectors()
    assert rebuilt.chunks == 2000
    repaired = health.probe(index.vectors)
    assert repaired.healthy and repaired.probed == 2000
