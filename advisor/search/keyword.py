"""BM25 keyword index (bm25s) over every chunk, with the metadata needed to filter it.

It is derived data: rebuilt from the vector store whenever the index version changes, and
kept as a snapshot under the data dir so another process loads it instead of rebuilding.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from advisor.search.analysis import analyze

# The chunk metadata BM25 filters on: single values, then lists.
SCALAR_KEYS = ("kind", "initiative_id", "source_key", "visibility")
LIST_KEYS = ("tags", "allowed")


class KeywordIndex:
    """Scores chunks by BM25; ``metas[i]`` belongs to ``ids[i]``."""

    def __init__(self, ids: list[str], metas: list[dict], retriever):
        self.ids = ids
        self.metas = metas
        self._retriever = retriever
        self._row_of: dict[str, int] | None = None
        self._by_value: dict[tuple[str, str], np.ndarray] = {}
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, meta in enumerate(metas):
            for key in SCALAR_KEYS:
                if meta.get(key):
                    groups[(key, meta[key])].append(i)
            for key in LIST_KEYS:
                for value in meta.get(key) or []:
                    groups[(key, value)].append(i)
        self._by_value = {k: np.array(v, dtype=np.int64) for k, v in groups.items()}

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, ids: list[str], texts: list[str], metas: list[dict]) -> KeywordIndex:
        import bm25s

        retriever = bm25s.BM25()
        if ids:
            retriever.index(analyze(texts), show_progress=False)
        return cls(ids, metas, retriever if ids else None)

    def meta(self, chunk_id: str) -> dict:
        """The filter metadata of a chunk ({} for an id this snapshot does not hold)."""
        if self._row_of is None:
            self._row_of = {cid: row for row, cid in enumerate(self.ids)}
        row = self._row_of.get(chunk_id)
        return self.metas[row] if row is not None else {}

    def rows_where(self, key: str, value: str) -> np.ndarray:
        return self._by_value.get((key, value), np.zeros(0, dtype=np.int64))

    def coverage(self, query: str) -> float:
        """The share of the query's terms that occur in the indexed text (0 when none do): how much
        of the question keyword search can read. A Japanese question over English documents
        shares almost no terms with them, and its keyword matches are then mostly noise."""
        if self._retriever is None:
            return 0.0
        terms = set(analyze([query])[0])
        return sum(1 for t in terms if t in self._retriever.vocab_dict) / len(terms) if terms else 0.0

    def search(self, query: str, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        """(row, score) of the best ``k`` rows allowed by ``mask``, best first."""
        if self._retriever is None:
            return []
        vocab = self._retriever.vocab_dict
        terms = [t for t in analyze([query])[0] if t in vocab]
        if not terms:
            return []
        scores = self._retriever.get_scores(terms)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def save(self, directory: Path) -> None:
        """Write atomically: a complete snapshot appears under ``directory`` or nothing does."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".staging-"))
        try:
            if self._retriever is not None:
                self._retriever.save(str(staging / "bm25"), show_progress=False)
            (staging / "rows.json").write_text(json.dumps({"ids": self.ids, "metas": self.metas}))
            os.rename(staging, directory)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not directory.exists():
                raise

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex:
        """A saved snapshot, checked whole: a truncated, empty, garbled or foreign file raises
        ValueError (or the error reading it raised) instead of failing every search later."""
        import bm25s

        rows = json.loads((directory / "rows.json").read_text())
        if (
            not isinstance(rows, dict)
            or not isinstance(rows.get("ids"), list)
            or not isinstance(rows.get("metas"), list)
        ):
            raise ValueError("rows.json does not hold the lists of ids and metadata")
        ids, metas = rows["ids"], rows["metas"]
        if len(ids) != len(metas) or not all(isinstance(i, str) for i in ids):
            raise ValueError(f"rows.json pairs {len(ids)} ids with {len(metas)} metadata entries")
        if not all(isinstance(m, dict) and all(isinstance(m.get(k), str | None) for k in SCALAR_KEYS) for m in metas):
            raise ValueError("rows.json holds metadata that is not a mapping of strings")
        bm25_dir = directory / "bm25"
        if not ids:
            return cls(ids, metas, None)
        if not bm25_dir.is_dir():
            raise ValueError(f"{len(ids)} chunks are listed but the BM25 arrays are missing")
        retriever = bm25s.BM25.load(str(bm25_dir), show_progress=False)
        _check_arrays(retriever, len(ids))
        return cls(ids, metas, retriever)


def _check_arrays(retriever, documents: int) -> None:
    """The BM25 score matrix must fit the listed chunks and its vocabulary, or searching fails."""
    scores = retriever.scores
    data, indices, indptr = (np.asarray(scores[k]) for k in ("data", "indices", "indptr"))
    vocab = retriever.vocab_dict
    if scores.get("num_docs") != documents:
        raise ValueError(f"the BM25 arrays score {scores.get('num_docs')} chunks, the rows list {documents}")
    if not isinstance(vocab, dict) or not vocab or not all(isinstance(v, int) for v in vocab.values()):
        raise ValueError("the BM25 vocabulary is empty or garbled")
    if len(data) != len(indices) or indptr.ndim != 1 or len(indptr) < 2 or int(indptr[-1]) != len(data):
        raise ValueError("the BM25 score matrix is truncated")
    fits = len(vocab) in (len(indptr) - 1, len(indptr))  # bm25s may keep "" last, past the matrix's columns
    if not fits or max(vocab.values()) >= len(indptr) or min(vocab.values()) < 0:
        raise ValueError("the BM25 vocabulary does not fit its score matrix")
    if len(indices) and (int(indices.max()) >= documents or int(indices.min()) < 0):
        raise ValueError("the BM25 score matrix refers to chunks the rows do not list")
    if np.any(np.diff(indptr) < 0):
        raise ValueError("the BM25 score matrix is garbled")
