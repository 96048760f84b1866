"""The built-in embedding models side by side, measured in one run on this machine.

For each model, in a fresh data dir: first-run indexing of the bundled knowledge (what a new
user waits for), ingestion of the corpora in chunks/s against the model alone on the same chunk
texts, an unchanged re-run, query embedding p50, warm hybrid search p50/p95 at this size and
at 100,000 synthetic chunks, and a cold `advisor ask` (process start to answer, index built):
the first one, which also embeds the sentences of the passages it quotes, and later ones, which
find them kept in the data dir.

    python -m benchmarks.embedding_models [--model NAME ...] [--corpora DIR] [--chunks 100000]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from advisor.settings import MINILM
from benchmarks.common import MODELS, arguments, bench_advisor
from benchmarks.labelled import load
from benchmarks.search_latency import measure, percentiles, synthetic_index
from bot.bootstrap import bundled_paths
from ingest.pipeline import Ingestor

ADVISOR = str(Path(sys.executable).parent / "advisor")


def questions(count: int = 200) -> list[str]:
    pool = [c["question"] for name in ("retrieval.yaml", "retrieval_multilingual.yaml") for c in load(name)]
    return (pool * (count // len(pool) + 1))[:count]


def ingest_figures(advisor, corpora: Path) -> dict[str, float]:
    first = Ingestor(advisor).run(bundled_paths(advisor.settings))
    corpus = Ingestor(advisor).run([corpora])
    texts = [f"{m['section']}\n{doc}" for _, doc, m in advisor.index.vectors.get(where={"kind": "document"})]
    started = time.perf_counter()
    advisor.index.embedder.embed_passages(texts)
    alone = len(texts) / (time.perf_counter() - started)
    rerun = Ingestor(advisor).run(bundled_paths(advisor.settings) + [corpora])
    return {
        "first run, bundled knowledge (s)": first.seconds,
        "bundled chunks": first.chunks,
        "ingest, corpora (chunks/s)": corpus.chunks / corpus.seconds,
        "model alone, same chunks (chunks/s)": alone,
        "ingest / model alone": corpus.chunks / corpus.seconds / alone,
        "unchanged re-run (s)": rerun.seconds,
    }


def cold_ask(data_dir: Path, model: str, runs: int = 4) -> tuple[float, float]:
    """Seconds from process start to a printed answer, the index already built: the first ask
    (no sentence of the quoted passages embedded yet), and the median of the later ones."""
    env = {**os.environ, "ADVISOR_DATA_DIR": str(data_dir), "ADVISOR_EMBEDDING_MODEL": model}
    shutil.rmtree(data_dir / "sentence-vectors", ignore_errors=True)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([ADVISOR, "ask", "how do we detect data drift?"], env=env, capture_output=True, check=True)
        samples.append(time.perf_counter() - started)
    return samples[0], statistics.median(samples[1:])


def measure_model(model: str, corpora: Path, workdir: Path, large_dir: Path, size: int) -> dict[str, float]:
    data_dir = workdir / model / "data"
    advisor = bench_advisor(data_dir, model)
    figures = ingest_figures(advisor, corpora)
    asked = questions()
    embed = []
    for q in asked:
        started = time.perf_counter()
        advisor.index.embedder.embed_query(q)
        embed.append((time.perf_counter() - started) * 1000)
    figures["query embedding p50 (ms)"] = percentiles(embed)[0]
    figures["chunks indexed"] = advisor.index.vectors.count()
    figures["hybrid p50 (ms)"], figures["hybrid p95 (ms)"] = measure(advisor, asked)["hybrid"]
    large = synthetic_index(large_dir, corpora, size, model)
    large.index.keyword_index()
    figures[f"hybrid p50 at {size:,} (ms)"], figures[f"hybrid p95 at {size:,} (ms)"] = measure(large, asked)["hybrid"]
    first, later = cold_ask(data_dir, model)
    figures["cold advisor ask, first (s)"] = first
    figures["cold advisor ask, later (s)"] = later
    return figures


def main() -> None:
    parser = arguments(__doc__, data_dir=".data-synthetic")
    parser.add_argument("--model", action="append", help=f"embedding model (repeatable; default {', '.join(MODELS)})")
    parser.add_argument("--chunks", type=int, default=100_000, help="size of the synthetic index")
    args = parser.parse_args()
    models = args.model or list(MODELS)
    workdir = Path(tempfile.mkdtemp(prefix="advisor-models-"))
    try:
        results = {m: measure_model(m, args.corpora, workdir, args.data_dir, args.chunks) for m in models}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{'':<40}" + "".join(f"{m:>24}" for m in models))
    for name in results[models[0]]:
        cells = "".join(f"{results[m][name]:>24.{3 if 'ingest /' in name else 1}f}" for m in models)
        print(f"{name:<40}{cells}")
    if MINILM in models:
        print(f"\n{MINILM} reads English only; see benchmarks.retrieval_quality for quality per language.")


if __name__ == "__main__":
    main()
