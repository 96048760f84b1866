"""The knowledge index: chunks in Chroma, BM25 beside it, hybrid search with access control.

Every search goes through :meth:`Index.search`, which applies the requester's access rules
inside both retrievers, so no caller can forget to filter.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel
from sqlalchemy import Engine, select, update

from advisor.access import Requester
from advisor.db import index_state
from advisor.errors import ConfigError
from advisor.search import model_record
from advisor.search.analysis import ANALYSIS_VERSION
from advisor.search.embedding import Embedder, make_embedder
from advisor.search.keyword import LIST_KEYS, SCALAR_KEYS, KeywordIndex
from advisor.settings import Settings

log = logging.getLogger(__name__)

Kind = Literal["practice", "record", "document"]
RRF_K = 60
LARGE_DELETE = 500  # chunks deleted by one run after which the vector store is probed (chroma-core/chroma#7758)
FULL_PROBE = 20_000  # up to this many chunks every one is probed; beyond, a sample of this many
PER_SOURCE = 2  # chunks of one document among the results, while others match


class Chunk(BaseModel):
    id: str
    text: str
    source: str  # display path or URL
    source_key: str  # the manifest key (absolute path)
    kind: Kind
    title: str
    section: str  # heading path
    position: int
    url: str | None = None
    tags: list[str] = []
    initiative_id: str | None = None
    visibility: Literal["public", "restricted"] = "public"
    allowed: list[str] = []

    def metadata(self) -> dict:
        meta = self.model_dump(exclude={"id", "text"}, exclude_none=True)
        return {k: v for k, v in meta.items() if v != []}  # Chroma rejects empty lists

    @classmethod
    def from_store(cls, chunk_id: str, text: str, meta: dict) -> Chunk:
        return cls(id=chunk_id, text=text, **meta)

    def embedding_text(self) -> str:
        return f"{self.section}\n{self.text}"


def chunk_id(source_key: str, position: int) -> str:
    return f"{hashlib.sha1(source_key.encode()).hexdigest()[:16]}-{position:05d}"


class Hit(BaseModel):
    chunk: Chunk
    score: float  # reciprocal-rank fusion score (or the single retriever's rank score)
    similarity: float | None = None  # cosine similarity to the query, when the dense retriever found it
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass(frozen=True)
class SearchFilter:
    """Optional metadata filters; all given ones must hold."""

    kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    initiative_id: str | None = None
    source_key: str | None = None
    initiative_ids: tuple[str, ...] = ()  # any of these (fetching many records' passages at once)

    def chroma_where(self, requester: Requester) -> dict | None:
        clauses: list[dict] = []
        if not requester.is_admin:
            access = [{"visibility": "public"}] + [{"allowed": {"$contains": p}} for p in requester.principals]
            clauses.append(access[0] if len(access) == 1 else {"$or": access})
        if self.kinds:
            clauses.append({"kind": {"$in": list(self.kinds)}})
        clauses += [{"tags": {"$contains": t}} for t in self.tags]
        if self.initiative_id:
            clauses.append({"initiative_id": self.initiative_id})
        if self.source_key:
            clauses.append({"source_key": self.source_key})
        if self.initiative_ids:
            clauses.append({"initiative_id": {"$in": list(self.initiative_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def allows(self, meta: dict, requester: Requester) -> bool:
        """The same rules as :meth:`chroma_where`, for one chunk's metadata."""
        return all(
            (
                requester.can_see(meta.get("visibility", "public"), meta.get("allowed") or []),
                not self.kinds or meta.get("kind") in self.kinds,
                all(t in (meta.get("tags") or []) for t in self.tags),
                not self.initiative_id or meta.get("initiative_id") == self.initiative_id,
                not self.source_key or meta.get("source_key") == self.source_key,
                not self.initiative_ids or meta.get("initiative_id") in self.initiative_ids,
            )
        )

    def mask(self, keyword: KeywordIndex, requester: Requester) -> np.ndarray:
        def rows(key: str, values) -> np.ndarray:
            allowed = np.zeros(len(keyword), dtype=bool)
            for value in values:
                allowed[keyword.rows_where(key, value)] = True
            return allowed

        mask = np.ones(len(keyword), dtype=bool)
        if not requester.is_admin:
            mask &= rows("visibility", ["public"]) | rows("allowed", requester.principals)
        if self.kinds:
            mask &= rows("kind", self.kinds)
        for tag in self.tags:
            mask &= rows("tags", [tag])
        if self.initiative_id:
            mask &= rows("initiative_id", [self.initiative_id])
        if self.source_key:
            mask &= rows("source_key", [self.source_key])
        if self.initiative_ids:
            mask &= rows("initiative_id", self.initiative_ids)
        return mask


@dataclass
class Index:
    settings: Settings
    engine: Engine
    embedder: Embedder = field(default=None)
    _keyword: KeywordIndex | None = None
    _keyword_version: int = -1
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _open_lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self):
        self.embedder = self.embedder or make_embedder(self.settings)
        self._vectors = None
        self._opened_version: int | None = None  # the index version when the vector store was opened
        self.deleted = 0  # chunks deleted since the vector store was last checked for reachability
        self.large_delete = LARGE_DELETE

    # -- which model built the index -----------------------------------------------------------

    def model_record(self) -> model_record.ModelRecord | None:
        """The recorded model; an index from before models were recorded was built with MiniLM."""
        record = model_record.read_record(self.engine)
        if record is None:
            from advisor.search.vectorstore import stored_count

            if stored_count(self.settings, self.settings.collection):
                record = model_record.ModelRecord(
                    model=model_record.LEGACY_MODEL, dimension=384, collection=self.settings.collection
                )
                model_record.write_record(self.engine, record)
        return record

    def check_model(self, record: model_record.ModelRecord | None) -> None:
        """Stop with a clear message when the index holds another model's vectors."""
        if record is not None and (record.model, record.dimension) != (self.embedder.name, self.embedder.dimension):
            raise ConfigError(model_record.mismatch_message(record, self.embedder.name, self.embedder.dimension))

    @property
    def vectors(self):
        """The vector collection of the recorded model (or of the configured one, before any write)."""
        with self._open_lock:
            if self._vectors is None:
                from advisor.search.vectorstore import VectorStore

                opened = self.version()  # read first: a write after it makes the next check reopen
                record = self.model_record()
                self.check_model(record)
                name = record.collection if record else model_record.collection_name(self.settings, self.embedder.name)
                self._vectors = VectorStore(self.settings, name)
                self._opened_version = opened
            return self._vectors

    def current(self) -> tuple:
        """The vector store and the index version, reopened first when another process (an
        ``advisor ingest``, ``remove`` or ``reindex`` in a terminal) changed the index since this
        one opened it: one small query per question."""
        from advisor.search.vectorstore import reopen_embedded

        version = self.version()
        with self._open_lock:
            if self._vectors is not None and self._opened_version != version:
                log.info(
                    "the index changed in another process (version %s -> %s): reopening it",
                    self._opened_version,
                    version,
                )
                reopen_embedded(self.settings)
                self._vectors = None
            return self.vectors, version

    def ensure_model(self, on_progress: model_record.Progress | None = None) -> model_record.Reembedded | None:
        """Make the index hold the configured model's vectors, re-embedding every chunk if another
        model built it. Returns what was re-embedded, or None when nothing had to be."""
        from advisor.search.vectorstore import VectorStore

        record = self.model_record()
        wanted = model_record.ModelRecord(
            model=self.embedder.name,
            dimension=self.embedder.dimension,
            collection=model_record.collection_name(self.settings, self.embedder.name),
        )
        if record is not None and (record.model, record.dimension) == (wanted.model, wanted.dimension):
            return None  # (a rebuilt collection may have another name)
        if record is None:
            model_record.write_record(self.engine, wanted)
            return None
        return self._copy_into(record, wanted, VectorStore(self.settings, record.collection), on_progress)

    def rebuild_vectors(self, on_progress: model_record.Progress | None = None) -> model_record.Reembedded:
        """Copy every stored chunk, embedded anew, into a fresh collection that replaces the current
        one: the repair for a vector graph that no longer reaches its chunks (chroma-core/chroma#7758)
        or whose files were damaged. The chunks' text and metadata are what is kept."""
        record = self.model_record()
        self.check_model(record)
        old = self.vectors
        base = model_record.collection_name(self.settings, self.embedder.name)
        wanted = model_record.ModelRecord(
            model=self.embedder.name,
            dimension=self.embedder.dimension,
            collection=f"{base}-rebuilt" if old.name == base else base,
        )
        return self._copy_into(record or wanted, wanted, old, on_progress)

    def reset_vectors(self) -> None:
        """Start an empty collection in place of one whose chunks cannot be read at all; the sources
        are then indexed again from their files."""
        from advisor.search.vectorstore import VectorStore

        wanted = model_record.ModelRecord(
            model=self.embedder.name,
            dimension=self.embedder.dimension,
            collection=model_record.collection_name(self.settings, self.embedder.name),
        )
        with self._open_lock:
            old = self.model_record()
            self._vectors = VectorStore(self.settings, wanted.collection, fresh=True)
            model_record.write_record(self.engine, wanted)
            if old is not None and old.collection != wanted.collection:
                self._drop_quietly(VectorStore(self.settings, old.collection))
            self.mark_changed()

    def _copy_into(self, record, wanted, old, on_progress) -> model_record.Reembedded:
        """Re-embed every chunk of ``old`` into ``wanted``'s collection, switch the record to it
        only once the copy is complete, then drop ``old``."""
        from advisor.search.vectorstore import VectorStore

        started = time.perf_counter()
        target = VectorStore(self.settings, wanted.collection, fresh=True)
        count = model_record.copy_reembedded(old, target, self.embedder, on_progress)
        with self._open_lock:
            model_record.write_record(self.engine, wanted)
            if old.name != target.name:
                self._drop_quietly(old)
            self._vectors = target
            self.mark_changed()
        self.deleted = 0
        return model_record.Reembedded(
            from_model=record.model,
            to_model=wanted.model,
            chunks=count,
            seconds=round(time.perf_counter() - started, 3),
        )

    def check_after_deletes(self, on_progress: model_record.Progress | None = None) -> model_record.Reembedded | None:
        """After a large delete, probe whether every stored chunk can still be found, and rebuild
        the collection when some cannot. Returns the rebuild, or None when none was needed."""
        from advisor.search import health

        if self.deleted < self.large_delete:
            return None
        store, _version = self.current()
        found = health.probe(store, sample=FULL_PROBE)
        self.deleted = 0
        if found.healthy:
            return None
        log.warning("after deleting chunks, %s: rebuilding the vector collection", found.describe())
        try:
            return self.rebuild_vectors(on_progress)
        except Exception as exc:  # even the stored text cannot be read: the sources must be indexed again
            log.warning("the vector collection could not be rebuilt (%s); run `advisor doctor`", exc)
            return None

    @staticmethod
    def _drop_quietly(store) -> None:
        try:
            store.drop()
        except Exception as exc:  # a damaged collection may not even drop; it is no longer used
            log.warning("could not drop the old vector collection %s: %s", store.name, exc)

    # -- writing ---------------------------------------------------------------------------

    def replace_source(
        self, source_key: str, chunks: list[Chunk], embeddings: np.ndarray, announce: bool = True
    ) -> None:
        """Remove every old chunk of a source, then store the new ones (ids are deterministic).
        ``announce=False`` leaves the version bump to the caller, once for a group of sources."""
        store, _version = self.current()
        self.deleted += store.delete_where({"source_key": source_key})
        if chunks:
            store.upsert([c.id for c in chunks], embeddings, [c.text for c in chunks], [c.metadata() for c in chunks])
        if announce:
            self.mark_changed()

    def delete_source(self, source_key: str) -> None:
        store, _version = self.current()
        self.deleted += store.delete_where({"source_key": source_key})
        self.mark_changed()

    def mark_changed(self) -> int:
        """Bump the index version after every write, so every process reopens its vector store and
        rebuilds or reloads its BM25 index before the next search."""
        version_of = select(index_state.c.version).where(index_state.c.name == "chunks")
        with self.engine.begin() as conn:
            before = conn.execute(version_of).scalar() or 0
            conn.execute(
                update(index_state).where(index_state.c.name == "chunks").values(version=index_state.c.version + 1)
            )
            version = conn.execute(version_of).scalar() or 0
        with self._open_lock:
            if self._opened_version == before and version == before + 1:
                self._opened_version = version  # only this write since the store was opened: it is current
        return version

    def version(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(index_state.c.version).where(index_state.c.name == "chunks")).scalar()
        return value or 0

    # -- reading ---------------------------------------------------------------------------

    def keyword_index(self, version: int | None = None, store=None) -> KeywordIndex:
        """The BM25 index of the current version (or of ``version``, read with ``store`` by the
        caller): in memory, from a snapshot, or rebuilt."""
        if version is None or store is None:
            store, version = self.current()
        with self._lock:
            if self._keyword is None or self._keyword_version != version:
                self._keyword = self._load_or_build_keyword(version, store)
                self._keyword_version = version
            return self._keyword

    def snapshot_dir(self, version: int) -> Path:
        return self.settings.data_dir / "bm25" / f"v{version}-a{ANALYSIS_VERSION}"

    def snapshot_problem(self) -> str | None:
        """Why the BM25 snapshot of the current version cannot serve searches, or None when it can
        (or when there is none yet: it is then built on first use)."""
        store, version = self.current()
        return self._checked_snapshot(version, store)[1]

    def _checked_snapshot(self, version: int, store) -> tuple[KeywordIndex | None, str | None]:
        snapshot = self.snapshot_dir(version)
        if not snapshot.exists():
            return None, None
        try:
            keyword = KeywordIndex.load(snapshot)
        except Exception as exc:  # derived data: whatever is wrong with it, it is rebuilt
            return None, f"{exc.__class__.__name__}: {exc}"
        stored = store.count()
        if len(keyword) != stored:
            return None, f"it lists {len(keyword)} chunks, the vector store holds {stored}"
        return keyword, None

    def _load_or_build_keyword(self, version: int, store) -> KeywordIndex:
        root = self.settings.data_dir / "bm25"
        snapshot = self.snapshot_dir(version)
        keyword, problem = self._checked_snapshot(version, store)
        if keyword is not None:
            return keyword
        if problem is not None:
            log.warning("the BM25 snapshot %s is damaged (%s): rebuilding it from the vector store", snapshot, problem)
            shutil.rmtree(snapshot, ignore_errors=True)
        ids, texts, metas = [], [], []
        for cid, text, meta in store.scan():
            ids.append(cid)
            texts.append(f"{meta.get('section', '')}\n{text}")
            metas.append({k: meta.get(k) for k in SCALAR_KEYS + LIST_KEYS})
        keyword = KeywordIndex.build(ids, texts, metas)
        keyword.save(snapshot)
        for old in root.glob("v*"):
            if old.name != snapshot.name:
                shutil.rmtree(old, ignore_errors=True)
        return keyword

    def search(
        self,
        query: str,
        requester: Requester,
        k: int = 8,
        where: SearchFilter | None = None,
        mode: Literal["hybrid", "dense", "bm25"] = "hybrid",
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """Best ``k`` chunks the requester may see: dense and BM25 fused by reciprocal rank, BM25
        weighted by the square of the share of the query's terms it knows (see
        :meth:`KeywordIndex.coverage`). ``vector`` is the query's embedding when the caller already
        has it (it is not embedded again)."""
        where = where or SearchFilter()
        depth = max(k * 3, 20)
        store, version = self.current()
        keyword = self.keyword_index(version, store)
        mask = where.mask(keyword, requester) if len(keyword) else None
        dense: list[tuple[str, float, str, dict]] = []
        sparse: list[str] = []
        sparse_weight = 1.0
        if mode in ("hybrid", "dense"):
            visible = float(mask.mean()) if mask is not None else 1.0
            vector = self.embedder.embed_query(query) if vector is None else vector
            dense = self._dense(store, vector, requester, where, depth, visible)
        if mode in ("hybrid", "bm25") and len(keyword):
            sparse = [keyword.ids[row] for row, _ in keyword.search(query, depth, mask)]
            if mode == "hybrid":  # squared: a question BM25 half reads gets a quarter of a say
                sparse_weight = keyword.coverage(query) ** 2
        return self._fuse(store, dense, sparse, k, sparse_weight, keyword, partial(where.allows, requester=requester))

    def _dense(
        self, store, vector: np.ndarray, requester: Requester, where: SearchFilter, depth: int, visible: float
    ) -> list[tuple[str, float, str, dict]]:
        """Nearest chunks the filter allows.

        Chroma's filtered query is slow on large collections, so when most chunks are visible,
        ask for a few more neighbours than needed and drop the hidden ones; the result is the
        same. Only when that leaves too few does Chroma filter itself.
        """
        if visible >= 0.25:
            wanted = int(depth / visible * 1.5) + 1
            nearest = store.query(vector, wanted, None)
            found = [f for f in nearest if where.allows(f[3], requester)]
            if len(found) >= depth or len(nearest) < wanted:  # enough, or the whole collection
                return found[:depth]
        return store.query(vector, depth, where.chroma_where(requester))

    def _fuse(
        self, store, dense: list, sparse: list[str], k: int, sparse_weight: float, keyword: KeywordIndex, allows
    ) -> list[Hit]:
        """The best ``k`` of both rankings. Every hit is checked again by ``allows`` on the metadata
        stored with its text: BM25 ranks from a snapshot that can be older than the vector store (a
        document re-ingested as restricted, an ingest that stopped before its last step), so its
        hits are fetched by id and never trusted on the snapshot's word. A chunk deleted since the
        snapshot was built is not found, and left out."""
        scores: dict[str, float] = {}
        dense_rank = {cid: rank for rank, (cid, *_rest) in enumerate(dense, start=1)}
        sparse_rank = {cid: rank for rank, cid in enumerate(sparse, start=1)}
        for ranks, weight in ((dense_rank, 1.0), (sparse_rank, sparse_weight)):
            for cid, rank in ranks.items():
                scores[cid] = scores.get(cid, 0.0) + weight / (RRF_K + rank)
        known = {cid: (doc, meta) for cid, _sim, doc, meta in dense}
        sources = {cid: meta.get("source_key") for cid, (_doc, meta) in known.items()}
        ranked = sorted(scores, key=lambda cid: -scores[cid])
        while True:  # until every chosen hit is stored and allowed (a refused one makes room)
            best = diverse(ranked, lambda cid: sources.get(cid) or keyword.meta(cid).get("source_key"), k)
            missing = [cid for cid in best if cid not in known]
            if missing:
                stored = store.get(ids=missing)
                known.update({cid: (doc, meta) for cid, doc, meta in stored if meta is not None})
            refused = {cid for cid in best if cid not in known or not allows(known[cid][1])}
            if not refused:
                break
            ranked = [cid for cid in ranked if cid not in refused]
        similarity = {cid: sim for cid, sim, _doc, _meta in dense}
        return [
            Hit(
                chunk=Chunk.from_store(cid, *known[cid]),
                score=round(scores[cid], 6),
                similarity=similarity.get(cid),
                dense_rank=dense_rank.get(cid),
                bm25_rank=sparse_rank.get(cid),
            )
            for cid in best
        ]

    def chunks(self, where: SearchFilter, requester: Requester) -> list[Chunk]:
        """Chunks matching the filter (no ranking), in document order."""
        store, _version = self.current()
        found = store.get(where=where.chroma_where(requester))
        return sorted(
            (Chunk.from_store(cid, doc, meta) for cid, doc, meta in found), key=lambda c: (c.source_key, c.position)
        )


def diverse(ranked: list[str], source_of, k: int, per_source: int = PER_SOURCE) -> list[str]:
    """The best ``k`` of ``ranked`` with at most ``per_source`` chunks of one document, topped up
    in rank order when fewer documents than that match. One long document (or one written in the
    asker's language, which multilingual embeddings favour) cannot fill every place."""
    chosen, held, count = [], [], Counter()
    for cid in ranked:
        source = source_of(cid)
        (chosen if count[source] < per_source else held).append(cid)
        count[source] += 1
        if len(chosen) == k:
            return chosen
    return chosen + held[: k - len(chosen)]
