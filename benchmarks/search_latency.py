"""Warm hybrid search latency, p50/p95, at the bundled size and at 100,000 chunks.

The large index is synthetic: random unit vectors (dense search cost does not depend on
what the vectors mean) and texts drawn from the corpora's vocabulary (so BM25 has real
term statistics). It is built once under the data dir and reused.

    python -m benchmarks.search_latency [--chunks 100000] [--queries 200]
"""

from __future__ import annotations

import random
import re
import statistics
import time
from pathlib import Path

import numpy as np

from advisor import Advisor
from advisor.access import Requester
from advisor.search.index import Chunk, chunk_id
from advisor.settings import DEFAULT_EMBEDDING_MODEL
from benchmarks.common import arguments, bench_advisor, model_data_dir, prepared_advisor
from benchmarks.labelled import load

REQUESTER = Requester(user_id="U_EMPLOYEE", channel_id="C_GENERAL")  # access rules applied, as in Slack


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def measure(advisor: Advisor, questions: list[str]) -> dict[str, tuple[float, float]]:
    index = advisor.index
    for q in questions[:5]:
        index.search(q, REQUESTER)  # warm: model, BM25, caches
    timings: dict[str, list[float]] = {"embed": [], "dense": [], "bm25": [], "hybrid": []}
    keyword = index.keyword_index()
    where = None
    for q in questions:
        t0 = time.perf_counter()
        vector = index.embedder.embed_query(q)
        t1 = time.perf_counter()
        index.vectors.query(vector, 32, where)
        t2 = time.perf_counter()
        keyword.search(q, 32, None)
        t3 = time.perf_counter()
        index.search(q, REQUESTER, k=8)
        t4 = time.perf_counter()
        for name, seconds in (("embed", t1 - t0), ("dense", t2 - t1), ("bm25", t3 - t2), ("hybrid", t4 - t3)):
            timings[name].append(seconds * 1000)
    return {name: percentiles(values) for name, values in timings.items()}


def synthetic_index(data_dir: Path, corpora: Path, size: int, model: str = DEFAULT_EMBEDDING_MODEL) -> Advisor:
    """An index of ``size`` synthetic chunks (random unit vectors) for the given model's queries."""
    advisor = bench_advisor(model_data_dir(data_dir, model), model)
    advisor.index.ensure_model()
    have = advisor.index.vectors.count()
    if have >= size:
        return advisor
    vocabulary = sorted({w.lower() for p in corpora.rglob("*.md") for w in re.findall(r"[A-Za-z]{3,}", p.read_text())})
    rng = random.Random(7)
    vectors = np.random.default_rng(7)
    print(f"building a synthetic index of {size} chunks (once)...", flush=True)
    batch = 4000
    for start in range(have, size, batch):
        chunks = []
        for i in range(start, min(start + batch, size)):
            source = f"/synthetic/doc-{i // 20}.md"
            restricted = i % 50 == 0
            chunks.append(
                Chunk(
                    id=chunk_id(source, i % 20),
                    text=" ".join(rng.choices(vocabulary, k=120)),
                    source=source,
                    source_key=source,
                    kind="document",
                    title=f"Doc {i // 20}",
                    section=f"Doc {i // 20} > Part {i % 20}",
                    position=i % 20,
                    visibility="restricted" if restricted else "public",
                    allowed=["U_BOARD"] if restricted else [],
                )
            )
        embeddings = vectors.standard_normal((len(chunks), 384)).astype(np.float32)
        embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
        advisor.index.vectors.upsert(
            [c.id for c in chunks], embeddings, [c.text for c in chunks], [c.metadata() for c in chunks]
        )
    advisor.index.mark_changed()
    return advisor


def report(label: str, advisor: Advisor, questions: list[str]) -> None:
    figures = measure(advisor, questions)
    print(f"\n{label}: {advisor.index.vectors.count()} chunks, {len(questions)} queries (ms, p50 / p95)")
    for name, (p50, p95) in figures.items():
        print(f"  {name:<7} {p50:8.2f} {p95:8.2f}")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    questions = [c["question"] for c in load("retrieval.yaml") + load("answers.yaml")]
    questions = (questions * (args.queries // len(questions) + 1))[: args.queries]
    report("bundled knowledge + corpora", prepared_advisor(args.data_dir, args.corpora), questions)
    started = time.perf_counter()
    large = synthetic_index(args.data_dir.with_name(args.data_dir.name + f"-{args.chunks}"), args.corpora, args.chunks)
    large.index.keyword_index()
    print(f"\n(large index ready in {time.perf_counter() - started:.1f} s, BM25 loaded or built)")
    report("synthetic", large, questions)


if __name__ == "__main__":
    main()
