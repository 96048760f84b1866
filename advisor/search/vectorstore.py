"""Chroma as the vector store: embedded under the data dir, or a server via ADVISOR_CHROMA_URL."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import numpy as np

from advisor.errors import StorageError
from advisor.settings import Settings


def make_chroma_client(settings: Settings):
    """The one factory choosing embedded or server Chroma from settings."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise StorageError(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from exc
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def reopen_embedded(settings: Settings) -> None:
    """Make the next embedded client read the Chroma files afresh.

    An embedded Chroma keeps each collection's vector graph in memory and never sees what
    another process (``advisor ingest`` or ``remove`` in a terminal) wrote since: new chunks
    stay unfindable and deleted ones keep coming back. Chroma shares one in-memory system per
    path within a process; forgetting it makes the next client open the files again, while
    clients already open keep working on the old one until they are dropped.
    """
    if settings.chroma_url:
        return  # a Chroma server is the single reader of its files
    from chromadb.api.shared_system_client import SharedSystemClient

    identifier = str(settings.chroma_dir)
    with SharedSystemClient._refcount_lock:
        SharedSystemClient._identifier_to_system.pop(identifier, None)
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)


def stored_count(settings: Settings, name: str) -> int:
    """How many chunks a collection holds; 0 when there is no such collection (none is created)."""
    client = make_chroma_client(settings)
    if name not in {c.name for c in client.list_collections()}:
        return 0
    return client.get_collection(name).count()


class VectorStore:
    """One Chroma collection; ``fresh`` drops whatever a collection of that name held before."""

    def __init__(self, settings: Settings, name: str, fresh: bool = False):
        self._client = make_chroma_client(settings)
        self.name = name
        if fresh and name in {c.name for c in self._client.list_collections()}:
            self._client.delete_collection(name)
        self.collection = self._client.get_or_create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        self._batch = min(self._client.get_max_batch_size(), 4000)

    def drop(self) -> None:
        self._client.delete_collection(self.name)

    def upsert(self, ids: list[str], embeddings: np.ndarray, documents: list[str], metadatas: list[dict]) -> None:
        for start in range(0, len(ids), self._batch):
            end = start + self._batch
            self.collection.upsert(
                ids=ids[start:end],
                embeddings=embeddings[start:end],
                documents=documents[start:end],
                metadatas=metadatas[start:end],
            )

    def delete_where(self, where: dict) -> int:
        """Delete the matching chunks; returns how many there were."""
        result = self.collection.delete(where=where)
        return int((result or {}).get("deleted", 0))

    def query(self, embedding: np.ndarray, n: int, where: dict | None) -> list[tuple[str, float, str, dict]]:
        """(id, cosine similarity, document, metadata), nearest first. A neighbour without metadata
        was deleted since this process loaded the vector graph, and is left out."""
        result = self.collection.query(
            query_embeddings=[embedding],
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            (cid, 1.0 - dist, doc, meta)
            for cid, dist, doc, meta in zip(
                result["ids"][0], result["distances"][0], result["documents"][0], result["metadatas"][0]
            )
            if meta is not None
        ]

    def nearest_ids(self, embeddings: np.ndarray, n: int) -> tuple[list[list[str]], list[list[float]]]:
        """The ids and distances of the ``n`` nearest chunks of each embedding, nothing else read."""
        result = self.collection.query(query_embeddings=embeddings, n_results=n, include=["distances"])
        return result["ids"], result["distances"]

    def get(self, ids: list[str] | None = None, where: dict | None = None) -> list[tuple[str, str, dict]]:
        result = self.collection.get(ids=ids, where=where, include=["documents", "metadatas"])
        return list(zip(result["ids"], result["documents"], result["metadatas"]))

    def pages(self, page: int = 5000, offset: int = 0) -> Iterator[list[tuple[str, str, dict]]]:
        """Every chunk (from ``offset`` on), as lists of at most ``page``."""
        while True:
            result = self.collection.get(limit=page, offset=offset, include=["documents", "metadatas"])
            if not result["ids"]:
                return
            yield list(zip(result["ids"], result["documents"], result["metadatas"]))
            offset += len(result["ids"])

    def scan(self, page: int = 5000) -> Iterator[tuple[str, str, dict]]:
        """Every chunk, one by one."""
        for batch in self.pages(page):
            yield from batch

    def embeddings(self, limit: int, offset: int = 0) -> tuple[list[str], np.ndarray]:
        """Stored ids and vectors, ``limit`` of them from ``offset`` on."""
        result = self.collection.get(limit=limit, offset=offset, include=["embeddings"])
        return result["ids"], np.asarray(result["embeddings"], dtype=np.float32)

    def source_counts(self, page: int = 5000) -> dict[str, int]:
        """How many chunks each source has in the store, read from the metadata alone."""
        counts: dict[str, int] = {}
        offset = 0
        while True:
            metas = self.collection.get(limit=page, offset=offset, include=["metadatas"])["metadatas"]
            if not metas:
                return counts
            for meta in metas:
                key = (meta or {}).get("source_key", "")
                counts[key] = counts.get(key, 0) + 1
            offset += len(metas)

    def count(self) -> int:
        return self.collection.count()
