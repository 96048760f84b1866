"""Do the manifest, the vector store and the BM25 snapshot agree? Repair what does not.

The manifest (SQLite) says which sources are indexed and with how many chunks; the vector store
holds the chunks; the BM25 snapshot is derived from the vector store. Each can be lost or damaged
on its own: a deleted ``data/chroma``, Chroma's own bug (chroma-core/chroma#7758), a truncated
snapshot. What is derived is rebuilt, what is missing is indexed again from its file, with the
access list it was ingested with.

Every face opens the advisor through :func:`heal_on_open` (cheap: a count, a sum and a small
probe, unless something is wrong); ``advisor doctor`` runs :func:`examine` over everything.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, computed_field

from advisor import Advisor
from advisor.errors import AdvisorError
from advisor.search import health
from ingest.manifest import Manifest, SourceEntry
from ingest.pipeline import Ingestor, Progress, display_source

log = logging.getLogger(__name__)

OPEN_PROBE = 64  # chunks probed for reachability when the index is opened


class Finding(BaseModel):
    check: str  # what was checked: "vector store", "sources", "BM25 snapshot"
    ok: bool
    detail: str  # what was found
    repair: str | None = None  # what was done about it (or, when only checking, what would be)
    repaired: bool = False


class DoctorReport(BaseModel):
    findings: list[Finding]
    checked_only: bool

    @computed_field
    @property
    def healthy(self) -> bool:
        """Nothing wrong, or everything wrong was repaired."""
        return all(f.ok or f.repaired for f in self.findings)


def examine(advisor: Advisor, repair: bool = True, on_progress: Progress | None = None) -> DoctorReport:
    """Check every part of the index thoroughly; with ``repair``, mend what is wrong."""
    findings = [_vector_store(advisor, None, repair, on_progress)]
    findings += _sources(advisor, repair, on_progress, whole=True)
    findings.append(_snapshot(advisor, repair))
    return DoctorReport(findings=findings, checked_only=not repair)


def heal_on_open(advisor: Advisor, on_progress: Progress | None = None) -> list[Finding]:
    """The cheap check every start makes, repairing loudly what it can; returns what it found wrong.
    A check or repair that fails is logged and the advisor opens anyway: `advisor doctor` says more."""
    record = advisor.index.model_record()
    if record is not None and (record.model, record.dimension) != (
        advisor.index.embedder.name,
        advisor.index.embedder.dimension,
    ):
        return []  # another model's vectors: a search stops with what to do, an ingest re-embeds them
    try:
        findings = [_vector_store(advisor, OPEN_PROBE, True, on_progress)]
        manifest = Manifest(advisor.engine).entries()
        store, _version = advisor.index.current()
        if sum(e.chunks for e in manifest.values()) != store.count():
            findings += _sources(advisor, True, on_progress, whole=False)
    except AdvisorError:
        raise  # a configuration error (another embedding model built the index) says what to do itself
    except Exception:  # the faces must still start; what is wrong is logged with its traceback
        log.exception("the index check failed; run `advisor doctor`")
        return []
    wrong = [f for f in findings if not f.ok]
    for finding in wrong:
        log.warning(
            "index check: %s: %s%s", finding.check, finding.detail, f"; {finding.repair}" if finding.repair else ""
        )
    return wrong


def _vector_store(advisor: Advisor, sample: int | None, repair: bool, on_progress: Progress | None) -> Finding:
    index = advisor.index
    store, _version = index.current()
    found = health.probe(store, sample=sample)
    if found.healthy:
        return Finding(check="vector store", ok=True, detail=found.describe())
    if not repair:
        action = "would rebuild the collection from the stored chunks"
        return Finding(check="vector store", ok=False, detail=found.describe(), repair=action)
    progress = on_progress or (lambda *_args: None)
    try:
        done = index.rebuild_vectors(lambda d, t: progress("Rebuilding the vector index", d, t, ""))
        action = f"rebuilt the collection: {done.chunks} chunks embedded again in {done.seconds:.1f} s"
    except Exception as exc:  # the stored chunks themselves cannot be read: index the sources again
        log.warning("cannot read the stored chunks (%s): starting an empty collection", exc)
        index.reset_vectors()
        action = "the stored chunks could not be read: started an empty collection, sources indexed again below"
    return Finding(check="vector store", ok=False, detail=found.describe(), repair=action, repaired=True)


def _sources(advisor: Advisor, repair: bool, on_progress: Progress | None, whole: bool) -> list[Finding]:
    """Sources whose chunks the store does not hold as the manifest says, and chunks of no source.

    ``whole`` (``advisor doctor``) also re-indexes sources that are only partly stored and
    deletes chunks of unknown sources; on open, only sources with no chunk left are re-indexed,
    so a run of ``advisor ingest`` under way in another process is never raced.
    """
    manifest = Manifest(advisor.engine).entries()
    store, _version = advisor.index.current()
    try:
        stored = store.source_counts()
    except Exception as exc:  # damaged files; a repair of the vector store comes first
        detail = f"cannot read which chunks the vector store holds ({exc.__class__.__name__})"
        return [Finding(check="sources", ok=False, detail=detail, repair="run `advisor doctor` to repair")]
    differ = {k: e for k, e in manifest.items() if stored.get(k, 0) != e.chunks and (whole or not stored.get(k))}
    orphans = {k: n for k, n in stored.items() if k not in manifest}
    findings = []
    if not differ:
        findings.append(
            Finding(
                check="sources", ok=True, detail=f"{len(manifest)} sources, each with the chunks the manifest lists"
            )
        )
    else:
        findings.append(_reindex(advisor, differ, stored, repair, on_progress))
    if orphans and whole:
        detail = f"{sum(orphans.values())} chunks belong to {len(orphans)} sources the manifest does not list"
        if repair:
            for key in orphans:
                advisor.index.delete_source(key)
        action = "deleted them" if repair else "would delete them"
        findings.append(Finding(check="stray chunks", ok=False, detail=detail, repair=action, repaired=repair))
    return findings


def _reindex(
    advisor: Advisor, differ: dict[str, SourceEntry], stored: dict[str, int], repair: bool, on_progress
) -> Finding:
    missing = sum(max(e.chunks - stored.get(k, 0), 0) for k, e in differ.items())
    shown = ", ".join(display_source(Path(k), advisor) for k in list(differ)[:3]) + (", …" if len(differ) > 3 else "")
    detail = f"{len(differ)} sources do not have the chunks the manifest lists ({missing} missing): {shown}"
    gone = [k for k in differ if not Path(k).is_file()]
    unknown = [k for k in differ if k not in gone and _access_list(advisor, differ[k]) is None]
    groups: dict[tuple[str, ...], list[Path]] = defaultdict(list)
    for key, entry in differ.items():
        if key not in gone and key not in unknown:
            groups[tuple(_access_list(advisor, entry))].append(Path(key))
    if not repair:
        action = f"would index {sum(len(p) for p in groups.values())} sources again from their files"
        return Finding(check="sources", ok=False, detail=detail, repair=_with_leftovers(action, advisor, gone, unknown))
    failed = []
    for allowed, paths in groups.items():
        summary = Ingestor(advisor, allowed=list(allowed)).run(paths, on_progress=on_progress, force=True)
        failed += [r.source for r in summary.results if r.status == "failed"]
    done = sum(len(p) for p in groups.values()) - len(failed)
    action = f"indexed {done} sources again from their files" + (f"; {len(failed)} failed" if failed else "")
    return Finding(
        check="sources",
        ok=False,
        detail=detail,
        repair=_with_leftovers(action, advisor, gone, unknown),
        repaired=not (failed or gone or unknown),
    )


def _with_leftovers(action: str, advisor: Advisor, gone: list[str], unknown: list[str]) -> str:
    parts = [action]
    if gone:
        names = ", ".join(display_source(Path(k), advisor) for k in gone[:3])
        parts.append(f"{len(gone)} files no longer exist ({names}): `advisor remove` them or restore them")
    if unknown:
        names = ", ".join(display_source(Path(k), advisor) for k in unknown[:3])
        parts.append(
            f"{len(unknown)} were ingested with --allow before access lists were kept ({names}): "
            "run `advisor ingest` on them again with the same --allow"
        )
    return "; ".join(parts)


def _access_list(advisor: Advisor, entry: SourceEntry) -> list[str] | None:
    """The ``--allow`` ids a source was ingested with; for a manifest row from before they were
    kept, [] when its hash shows it had none, else None (not known: never guessed public)."""
    if entry.allowed is not None:
        return entry.allowed
    try:
        content = Path(entry.source).read_bytes()
    except OSError:
        return None
    public = hashlib.sha256(content + Ingestor(advisor).fingerprint(entry.kind)).hexdigest()
    return [] if public == entry.content_hash else None


def _snapshot(advisor: Advisor, repair: bool) -> Finding:
    try:
        problem = advisor.index.snapshot_problem()
    except Exception as exc:  # the vector store it is compared with cannot be read
        detail = f"cannot be compared with the vector store ({exc.__class__.__name__})"
        return Finding(check="BM25 snapshot", ok=False, detail=detail, repair="rebuilt once the vector store is")
    if problem is None:
        return Finding(check="BM25 snapshot", ok=True, detail="it loads and lists every stored chunk")
    if not repair:
        return Finding(check="BM25 snapshot", ok=False, detail=problem, repair="would rebuild it from the vector store")
    keyword = advisor.index.keyword_index()
    return Finding(
        check="BM25 snapshot",
        ok=False,
        detail=problem,
        repair=f"rebuilt it from the vector store ({len(keyword)} chunks)",
        repaired=True,
    )
