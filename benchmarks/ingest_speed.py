"""Ingestion throughput and the cost of an unchanged re-run.

Ingests the bundled knowledge and the corpora into a fresh data dir (model already loaded),
then embeds the same chunk texts with the model alone, so the overhead of parsing, chunking
and storage is visible; then re-runs the ingestion with nothing changed.

    python -m benchmarks.ingest_speed [--corpora DIR]
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from advisor import Advisor
from benchmarks.common import TODAY, arguments
from bot.bootstrap import bundled_paths, load_settings
from ingest.pipeline import Ingestor


def main() -> None:
    args = arguments(__doc__).parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    try:
        advisor = Advisor(load_settings(data_dir=workdir / "data", database_url=None, chroma_url=None), today=TODAY)
        embedder = advisor.index.embedder
        embedder.embed_passages(["warm up the model"])
        paths = bundled_paths(advisor.settings) + [args.corpora]

        first = Ingestor(advisor).run(paths)
        texts = [f"{m['section']}\n{doc}" for _, doc, m in advisor.index.vectors.get()]
        started = time.perf_counter()
        embedder.embed_passages(texts)
        model_seconds = time.perf_counter() - started
        second = Ingestor(advisor).run(paths)

        files = first.counts["added"]
        print(
            f"first run:       {files} files, {first.chunks} chunks in {first.seconds:.2f} s "
            f"= {first.chunks / first.seconds:.1f} chunks/s (parse, chunk, embed, store, BM25 build)"
        )
        print(
            f"embedding alone: {len(texts)} chunks in {model_seconds:.2f} s "
            f"= {len(texts) / model_seconds:.1f} chunks/s "
            f"(batch size {embedder.batch_size})"
        )
        print(
            f"overhead:        {first.seconds - model_seconds:.2f} s "
            f"({(first.seconds - model_seconds) / first.seconds:.0%} of the first run)"
        )
        print(
            f"unchanged rerun: {second.counts['unchanged']} files unchanged in {second.seconds:.3f} s "
            f"({first.seconds / max(second.seconds, 1e-6):.0f}x faster than the first run)"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
