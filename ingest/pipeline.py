"""Incremental ingestion: files -> records and chunks -> portfolio store and index.

Per source: parse and embed everything first (nothing is touched if that fails), then replace
the source's old chunks and records, then record its hash in the manifest. A run killed half
way leaves the manifest behind the index, so the next run redoes that source, and the
deterministic chunk ids make the redo free of duplicates.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel

from advisor import Advisor
from advisor.errors import AdvisorError, DuplicateIdError, ParseError
from advisor.portfolio.records import record_sentences
from advisor.portfolio.revalidation import check_after_framework_change, framework_digest
from advisor.portfolio.samples import is_sample_source
from advisor.search.index import Chunk, chunk_id
from advisor.search.model_record import Reembedded
from ingest.chunking import chunk_markdown
from ingest.loaders import DOCUMENT_SUFFIXES, load_document
from ingest.manifest import Manifest
from ingest.records import RECORD_SUFFIXES, load_records

# (stage, done, total, current source): how far a run is, in files or, when re-embedding, chunks
Progress = Callable[[str, float, float, str], None]
EMBED_GROUP = 256  # chunks embedded together, across files

# Bump when loading, chunking or record rendering changes, so every source is re-indexed once.
PIPELINE_VERSION = 3

Status = Literal["added", "updated", "unchanged", "removed", "failed", "skipped"]
STATUSES: tuple[Status, ...] = ("added", "updated", "unchanged", "removed", "failed", "skipped")


class SourceResult(BaseModel):
    source: str
    kind: str
    status: Status
    chunks: int = 0
    records: int = 0
    error: str | None = None


class IngestSummary(BaseModel):
    results: list[SourceResult]
    counts: dict[str, int]
    chunks: int
    seconds: float
    reembedded: Reembedded | None = None  # every stored chunk, when the embedding model changed
    rebuilt: Reembedded | None = None  # the vector collection, when a large delete left chunks unreachable
    warnings: list[str] = []  # stored records that no longer agree with the framework
    samples_removed: list[str] = []  # ids of the fictional samples taken out, now that real records came in

    @property
    def failed(self) -> bool:
        return self.counts.get("failed", 0) > 0


def display_source(path: Path, advisor: Advisor) -> str:
    """How a source is shown in citations: relative to the project or working dir when possible."""
    for base in (advisor.settings.knowledge_dir.resolve().parent, Path.cwd().resolve()):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return str(path)


def _walk(paths: Iterable[Path]) -> tuple[list[Path], list[SourceResult]]:
    files, missing = [], []
    for path in paths:
        path = path.expanduser().resolve()
        if path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(
                SourceResult(source=str(path), kind="unknown", status="failed", error="no such file or directory")
            )
    return list(dict.fromkeys(files)), missing


@dataclass
class _Parsed:
    """A changed file, parsed and chunked, waiting to be embedded and stored."""

    path: Path
    display: str
    kind: str
    title: str
    digest: str
    chunks: list[Chunk]
    records: list
    new: bool


def _summary(
    results: list[SourceResult], started: float, reembedded: Reembedded | None = None, rebuilt: Reembedded | None = None
) -> IngestSummary:
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUSES}
    return IngestSummary(
        results=results,
        counts=counts,
        chunks=sum(r.chunks for r in results),
        seconds=round(time.perf_counter() - started, 3),
        reembedded=reembedded,
        rebuilt=rebuilt,
    )


def _failed(path: Path, display: str, kind: str, exc: AdvisorError) -> SourceResult:
    return SourceResult(source=display, kind=kind, status="failed", error=str(exc).removeprefix(f"{path}: "))


def _taken_ids(exc: DuplicateIdError, display: str, advisor: Advisor) -> str:
    """Which ids of ``display`` another file already defines, naming both files."""
    by_holder: dict[str, list[str]] = {}
    for rid, holder in exc.holders.items():
        by_holder.setdefault(display_source(Path(holder), advisor), []).append(rid)
    return "; ".join(
        f"id {', '.join(ids)} already defined in {holder}, not stored from {display} (an id belongs to one file: "
        f"rename it here, or take it out of {holder} first)"
        for holder, ids in by_holder.items()
    )


class Ingestor:
    def __init__(self, advisor: Advisor, allowed: list[str] | None = None):
        self.advisor = advisor
        self.allowed = sorted(set(allowed or []))
        self._records_written: list[str] = []  # record files this run stored
        self.manifest = Manifest(advisor.engine)
        self.framework_file = (advisor.settings.knowledge_dir / "framework.yaml").resolve()
        self.practices_dir = (advisor.settings.knowledge_dir / "practices").resolve()
        settings = advisor.settings
        # what else, besides a file's bytes, decides its chunks: a change re-indexes the file. The access
        # list is part of it (restricting a file re-indexes it); for records, the framework too (a record
        # file is validated again, and its passages re-rendered, when framework.yaml changes).
        self._fingerprint = repr((PIPELINE_VERSION, settings.chunk_size, settings.chunk_overlap, self.allowed)).encode()
        self._record_fingerprint = self._fingerprint + framework_digest(self.framework_file).encode()

    def fingerprint(self, kind: str) -> bytes:
        """What is hashed with a file's bytes for its manifest entry."""
        return self._record_fingerprint if kind == "record" else self._fingerprint

    def run(
        self, paths: list[Path], prune: bool = False, on_progress: Progress | None = None, force: bool = False
    ) -> IngestSummary:
        """Ingest files and folders; ``on_progress(stage, done, total, current)`` follows the work.
        ``force`` indexes files again even when their content is unchanged (a repair)."""
        started = time.perf_counter()
        progress = on_progress or (lambda *_args: None)
        embedder = self.advisor.index.embedder
        reembedded = self.advisor.index.ensure_model(
            lambda done, total: progress(f"Re-embedding with {embedder.name}", done, total, "")
        )
        files, results = _walk(paths)
        known = self.manifest.entries()
        previous = {} if force else known
        pending: list[_Parsed] = []

        def report(done: list[SourceResult]) -> None:
            results.extend(done)
            progress("Indexing", len(results), len(files), done[-1].source if done else "")

        progress("Indexing", 0, len(files), "")
        for path in files:
            parsed = self._parse_file(path, previous.get(str(path)))
            if isinstance(parsed, SourceResult):
                report([parsed])
                continue
            parsed.new = str(path) not in known
            pending.append(parsed)
            if sum(len(p.chunks) for p in pending) >= EMBED_GROUP:
                report(self._store(pending, lambda share: progress("Indexing", len(results) + share, len(files), "")))
                pending = []
        report(self._store(pending, lambda share: progress("Indexing", len(results) + share, len(files), "")))
        if prune:
            results += self._prune([p.expanduser().resolve() for p in paths if p.is_dir()], known)
        samples, removed = self._drop_samples_once_real_records_arrive()
        results += removed
        rebuilt = self._check_after_deletes(progress)
        if any(r.status in ("added", "updated", "removed") for r in results):
            self.advisor.index.keyword_index()  # every write bumped the version; the snapshot is built once
        summary = _summary(results, started, reembedded, rebuilt)
        summary.samples_removed = samples
        summary.warnings = self.record_problems()
        return summary

    def _check_after_deletes(self, progress: Progress) -> Reembedded | None:
        embedder = self.advisor.index.embedder
        return self.advisor.index.check_after_deletes(
            lambda done, total: progress(f"Rebuilding the vector index with {embedder.name}", done, total, "")
        )

    def _drop_samples_once_real_records_arrive(self) -> tuple[list[str], list[SourceResult]]:
        """The fictional sample initiatives never mix with real ones: when this run stored record files
        of the organisation's own (and no sample file), the samples' sources are removed. Returns the
        removed sample ids and the removed sources."""
        settings = self.advisor.settings
        written = self._records_written
        if not written or any(is_sample_source(key, settings) for key in written):
            return [], []
        known = self.manifest.entries()
        samples = [key for key, entry in known.items() if entry.kind == "record" and is_sample_source(key, settings)]
        if not samples:
            return [], []
        ids = sorted(self.advisor.sample_ids())
        return ids, self._drop(samples, known)

    def record_problems(self) -> list[str]:
        """Stored records that list capability ids the framework does not define, by name."""
        advisor = self.advisor
        return check_after_framework_change(
            advisor.engine,
            self.framework_file,
            advisor.framework,
            advisor.portfolio,
            lambda source: display_source(Path(source), advisor),
        )

    def _kind(self, path: Path) -> str | None:
        suffix = path.suffix.lower()
        if suffix in RECORD_SUFFIXES:
            return "record"
        if suffix in DOCUMENT_SUFFIXES:
            return "practice" if path.is_relative_to(self.practices_dir) else "document"
        return None

    def _parse_file(self, path: Path, previous) -> SourceResult | _Parsed:
        """A file's chunks and records, parsed but not stored; or its final result."""
        display = display_source(path, self.advisor)
        kind = self._kind(path)
        if path == self.framework_file:
            return SourceResult(
                source=display,
                kind="framework",
                status="skipped",
                error="the framework file is loaded directly, not indexed",
            )
        if kind is None:
            return SourceResult(
                source=display,
                kind="unknown",
                status="skipped",
                error=f"unsupported file type {path.suffix or '(none)'!r}",
            )
        try:
            content = path.read_bytes()
        except OSError as exc:
            return SourceResult(source=display, kind=kind, status="failed", error=f"cannot read: {exc.strerror}")
        digest = hashlib.sha256(content + self.fingerprint(kind)).hexdigest()
        if previous is not None and previous.content_hash == digest:
            return SourceResult(source=display, kind=kind, status="unchanged", chunks=previous.chunks)
        try:
            if kind == "record":
                title, chunks, records = self._record_chunks(path, display)
            else:
                title, chunks, records = self._document_chunks(path, display, kind)
        except AdvisorError as exc:
            return _failed(path, display, kind, exc)
        return _Parsed(path, display, kind, title, digest, chunks, records, previous is None)

    def _store(self, group: list[_Parsed], embedded: Callable[[float], None]) -> list[SourceResult]:
        """Embed a group of files together (far faster than file by file), then store each.

        Each file is stored whole (its old chunks and records replaced); then the index version is
        bumped (every process re-reads its BM25 index, so access rules changed by the new chunks hold
        in every retriever); only then are the files entered in the manifest. A crash at any point
        leaves at most this group to redo. ``embedded(share)`` follows the embedding, in files'
        worth of work done.
        """
        texts = [c.embedding_text() for parsed in group for c in parsed.chunks]
        embeddings = self._embed(texts, lambda done: embedded(len(group) * done / len(texts)))
        failures: dict[int, SourceResult] = {}
        start = 0
        for number, parsed in enumerate(group):
            vectors = embeddings[start : start + len(parsed.chunks)]
            start += len(parsed.chunks)
            key = str(parsed.path)
            try:
                if parsed.kind == "record":
                    self.advisor.portfolio.replace_source(key, parsed.records)
                self.advisor.index.replace_source(key, parsed.chunks, vectors, announce=False)
            except DuplicateIdError as exc:
                error = _taken_ids(exc, parsed.display, self.advisor)
                failures[number] = SourceResult(source=parsed.display, kind=parsed.kind, status="failed", error=error)
            except AdvisorError as exc:
                failures[number] = _failed(parsed.path, parsed.display, parsed.kind, exc)
        if len(failures) < len(group):
            self.advisor.index.mark_changed()
        results = []
        for number, parsed in enumerate(group):
            if number in failures:
                results.append(failures[number])
                continue
            key = str(parsed.path)
            self.manifest.record(key, parsed.kind, parsed.title, parsed.digest, len(parsed.chunks), self.allowed)
            if parsed.kind == "record":
                self._records_written.append(key)
            results.append(
                SourceResult(
                    source=parsed.display,
                    kind=parsed.kind,
                    status="added" if parsed.new else "updated",
                    chunks=len(parsed.chunks),
                    records=len(parsed.records),
                )
            )
        return results

    def _embed(self, texts: list[str], embedded: Callable[[int], None]) -> np.ndarray:
        """Passages embedded in batches, reporting how many are done after each."""
        embedder = self.advisor.index.embedder
        batch = self.advisor.settings.embedding_batch_size
        parts = []
        for start in range(0, len(texts), batch):
            parts.append(embedder.embed_passages(texts[start : start + batch]))
            embedded(start + len(parts[-1]))
        return np.vstack(parts) if parts else embedder.embed_passages([])

    def _document_chunks(self, path: Path, display: str, kind: str):
        document = load_document(path)
        allowed = sorted(set(document.allowed) | set(self.allowed))
        visibility = "restricted" if allowed or document.visibility == "restricted" else "public"
        if visibility == "restricted" and not allowed:
            raise ParseError("visibility is restricted but no `allowed` ids are given")
        pieces = chunk_markdown(
            document.markdown, document.title, self.advisor.settings.chunk_size, self.advisor.settings.chunk_overlap
        )
        chunks = [
            Chunk(
                id=chunk_id(str(path), i),
                text=p.text,
                source=display,
                source_key=str(path),
                kind=kind,
                title=document.title,
                section=p.section,
                position=i,
                url=document.url,
                tags=document.tags,
                visibility=visibility,
                allowed=allowed,
            )
            for i, p in enumerate(pieces)
        ]
        return document.title, chunks, []

    def _record_chunks(self, path: Path, display: str):
        framework = self.advisor.framework
        records = load_records(path, framework, label=display)
        if self.allowed:
            records = [
                r.model_copy(update={"visibility": "restricted", "allowed": sorted(set(r.allowed) | set(self.allowed))})
                for r in records
            ]
        chunks = []
        for i, record in enumerate(records):
            labels = [framework.capability(c).label for c in record.capabilities]
            text = "\n".join(
                record_sentences(
                    record, framework.ai_types[record.ai_type].label, framework.phase(record.phase).name, labels
                )
            )
            chunks.append(
                Chunk(
                    id=chunk_id(str(path), i),
                    text=text,
                    source=display,
                    source_key=str(path),
                    kind="record",
                    title=record.name,
                    section=f"{record.name} ({record.id})",
                    position=i,
                    tags=[record.ai_type, record.region.lower()],
                    initiative_id=record.id,
                    visibility=record.visibility,
                    allowed=record.allowed,
                )
            )
        title = records[0].name if len(records) == 1 else f"{len(records)} initiatives"
        return title, chunks, records

    def _prune(self, folders: list[Path], known: dict) -> list[SourceResult]:
        vanished = [
            key for key in known if not Path(key).exists() and any(Path(key).is_relative_to(f) for f in folders)
        ]
        return self._drop(vanished, known)

    def remove(self, paths: list[Path]) -> IngestSummary:
        """Take the sources under these paths (files or folders) out of the index and the portfolio."""
        started = time.perf_counter()
        known = self.manifest.entries()
        targets = [p.expanduser().resolve() for p in paths]
        results = self._drop([k for k in known if any(Path(k).is_relative_to(t) for t in targets)], known)
        return _summary(results, started, rebuilt=self._check_after_deletes(lambda *_args: None))

    def _drop(self, keys: list[str], known: dict) -> list[SourceResult]:
        results = []
        for key in keys:
            entry = known[key]
            self.advisor.index.delete_source(key)
            if entry.kind == "record":
                self.advisor.portfolio.delete_source(key)
            self.manifest.forget(key)
            results.append(
                SourceResult(
                    source=display_source(Path(key), self.advisor),
                    kind=entry.kind,
                    status="removed",
                    chunks=entry.chunks,
                )
            )
        return results
