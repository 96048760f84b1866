"""The quotable sentences of indexed passages, with their embeddings, computed once per passage.

Guidance answers pick sentences by meaning: each candidate sentence is compared with the
question's embedding. Embedding the sentences of eight passages on every question would cost
several times the search itself, so a passage's sentences are segmented and embedded the first
time the passage is retrieved and kept in memory, keyed by the passage's id and content (a
changed passage gets new entries; the least recently used passages are dropped beyond a bound).
With a folder, the vectors are also kept on disk (half precision, about 4 KB a passage), so a new
process (`advisor ask`, a restarted bot) does not embed them again: a derived cache, safe to delete.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from advisor.answering.evidence import Quote
from advisor.answering.sentences import open_list_lead, opens_with_list_item, passage_sentences
from advisor.search.index import Chunk, Index, chunk_id
from advisor.understanding.language import Language, detect_language

log = logging.getLogger(__name__)
MIN_WORDS = 8  # shorter "sentences" are mostly list headings or fragments
KEPT_PASSAGES = 4096  # about 50 MB of sentence vectors


@dataclass(frozen=True)
class Candidate:
    quote: Quote  # the sentence and the passage it is quoted from
    lead: Quote | None = None  # for a list item: the sentence introducing the list (maybe in the passage before)


@dataclass(frozen=True)
class PassageSentences:
    candidates: list[Candidate]
    vectors: np.ndarray  # one normalised embedding per candidate
    language: Language  # the passage's


class SentenceBank:
    def __init__(self, index: Index, kept: int = KEPT_PASSAGES, folder: Path | None = None):
        self.index = index
        self.kept = kept
        self.folder = folder / re.sub(r"[^\w.]+", "_", index.embedder.name) if folder else None
        self._cache: OrderedDict[str, PassageSentences] = OrderedDict()
        self._lock = threading.Lock()

    def sentences(self, chunks: list[Chunk]) -> list[PassageSentences]:
        """The candidates of each passage, embedding only passages not seen before (in one call)."""
        keys = [self._key(c) for c in chunks]
        with self._lock:
            known = {k: self._cache[k] for k in keys if k in self._cache}
            for k in known:
                self._cache.move_to_end(k)
        new = {k: c for k, c in zip(keys, chunks) if k not in known}
        if new:
            known.update(self._build(list(new.values()), list(new)))
        return [known[k] for k in keys]

    def _key(self, chunk: Chunk) -> str:
        digest = hashlib.sha1(chunk.text.encode()).hexdigest()[:16]
        return f"{self.index.embedder.name}:{chunk.id}:{digest}"

    def _build(self, chunks: list[Chunk], keys: list[str]) -> dict[str, PassageSentences]:
        per_chunk = [self._candidates(c) for c in chunks]
        stored = [self._read(key, len(candidates)) for key, candidates in zip(keys, per_chunk)]
        texts = [_embedding_text(c) for candidates, v in zip(per_chunk, stored) if v is None for c in candidates]
        vectors = self.index.embedder.embed_passages(texts)
        built: dict[str, PassageSentences] = {}
        start = 0
        for key, chunk, candidates, known in zip(keys, chunks, per_chunk, stored):
            if known is None:
                known = vectors[start : start + len(candidates)]
                start += len(candidates)
                self._write(key, known)
            built[key] = PassageSentences(candidates, known, detect_language(chunk.text))
        with self._lock:
            self._cache.update(built)
            while len(self._cache) > self.kept:
                self._cache.popitem(last=False)
        return built

    def _path(self, key: str) -> Path | None:
        if self.folder is None:
            return None
        name = hashlib.sha1(key.encode()).hexdigest()
        return self.folder / name[:2] / f"{name}.npy"

    def _read(self, key: str, count: int) -> np.ndarray | None:
        path = self._path(key)
        if path is None or not path.exists():
            return None
        try:
            vectors = np.load(path).astype(np.float32)
        except (OSError, ValueError) as exc:
            log.warning("embedding the sentences of a passage again: %s is unreadable (%s)", path, exc)
            return None
        if vectors.shape != (count, self.index.embedder.dimension):  # segmented otherwise since
            return None
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def _write(self, key: str, vectors: np.ndarray) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
                np.save(out, vectors.astype(np.float16))
            os.replace(out.name, path)  # whole or not at all, whichever process writes it
        except OSError as exc:  # a derived cache: the next process embeds them again
            log.warning("could not keep sentence vectors in %s: %s", path.parent, exc)

    def _candidates(self, chunk: Chunk) -> list[Candidate]:
        # A passage that opens inside a list takes the list's lead-in from the passage before.
        previous = self._previous(chunk) if opens_with_list_item(chunk.text) else None
        carried = open_list_lead(previous.text) if previous else None
        candidates = []
        for s in passage_sentences(chunk.text, min_words=MIN_WORDS, carried_lead=carried):
            lead = None
            if s.lead is not None:
                lead = Quote(chunk=chunk if s.lead_in_passage else previous, sentence=s.lead)
            candidates.append(Candidate(Quote(chunk=chunk, sentence=s.text), lead))
        return candidates

    def _previous(self, chunk: Chunk) -> Chunk | None:
        """The passage before this one in the same section, if any."""
        if chunk.position == 0:
            return None
        found = self.index.vectors.get(ids=[chunk_id(chunk.source_key, chunk.position - 1)])
        previous = [Chunk.from_store(*row) for row in found]
        return previous[0] if previous and previous[0].section == chunk.section else None


def _embedding_text(candidate: Candidate) -> str:
    sentence = candidate.quote.sentence
    return f"{candidate.lead.sentence} {sentence}" if candidate.lead else sentence
