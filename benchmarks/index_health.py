"""What keeping the index healthy costs: the check per question, the check at every start,
the first question after another process wrote, `advisor doctor --check`, and a rebuild.

    python -m benchmarks.index_health [--no-corpora] [--repeat 200]
"""

from __future__ import annotations

import statistics
import time

from advisor.access import Requester
from advisor.search import health
from advisor.search.index import Index
from benchmarks.common import arguments, prepared_advisor
from ingest.doctor import examine, heal_on_open

QUESTION = "what do we need before a GenAI pilot goes live?"


def timed(call, repeat: int) -> tuple[float, float]:
    """p50 and p95 of ``call()`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--no-corpora", action="store_true", help="the bundled knowledge only")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    advisor = prepared_advisor(args.data_dir, None if args.no_corpora else args.corpora)
    index = advisor.index
    index.search(QUESTION, Requester.admin())  # warm: model, vector graph, BM25
    stored = index.vectors.count()
    print(f"{stored} chunks indexed\n")

    p50, p95 = timed(index.current, args.repeat)
    print(f"freshness check per question (index version read): p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    p50, p95 = timed(lambda: heal_on_open(advisor), 10)
    print(f"check at every start, healthy index (counts + 64 chunks probed): p50 {p50:.0f} ms, p95 {p95:.0f} ms")

    reopened = []
    for _ in range(5):
        other = Index(advisor.settings, advisor.engine, embedder=index.embedder)  # as another process writes
        other.mark_changed()
        other.keyword_index()  # an ingest leaves the snapshot of its last version
        started = time.perf_counter()
        index.search(QUESTION, Requester.admin())
        reopened.append((time.perf_counter() - started) * 1000)
    print(
        f"first search after another process wrote (reopen + snapshot load): p50 {statistics.median(reopened):.0f} ms"
    )

    started = time.perf_counter()
    report = examine(advisor, repair=False)
    print(
        f"advisor doctor --check (every chunk probed): {time.perf_counter() - started:.1f} s, healthy={report.healthy}"
    )

    started = time.perf_counter()
    found = health.probe(index.vectors)
    print(f"  of which the full reachability probe: {time.perf_counter() - started:.1f} s ({found.describe()})")

    rebuilt = index.rebuild_vectors()
    print(f"rebuild of the collection: {rebuilt.chunks} chunks in {rebuilt.seconds:.1f} s")


if __name__ == "__main__":
    main()
