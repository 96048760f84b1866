"""Shared set-up for the benchmark scripts: a data dir with the bundled knowledge and the corpora."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from advisor import Advisor
from advisor.settings import DEFAULT_EMBEDDING_MODEL, MINILM
from bot.bootstrap import bundled_paths, load_settings
from ingest.pipeline import Ingestor

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
TODAY = date(2026, 11, 25)


def arguments(description: str, data_dir: str = ".data", corpora: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=ROOT / "benchmarks" / data_dir,
        help="where the benchmark index lives (reused between runs)",
    )
    if corpora:
        parser.add_argument("--corpora", type=Path, default=CORPORA, help="the real corpora folder")
    return parser


MODELS = (DEFAULT_EMBEDDING_MODEL, MINILM)


def model_data_dir(data_dir: Path, model: str) -> Path:
    """One benchmark data dir per embedding model, so switching models never re-embeds."""
    return data_dir if model == DEFAULT_EMBEDDING_MODEL else data_dir.with_name(f"{data_dir.name}-{model}")


def bench_advisor(data_dir: Path, model: str = DEFAULT_EMBEDDING_MODEL) -> Advisor:
    settings = load_settings(data_dir=data_dir, database_url=None, chroma_url=None, embedding_model=model)
    return Advisor(settings, today=TODAY)


def prepared_advisor(data_dir: Path, corpora: Path | None, model: str = DEFAULT_EMBEDDING_MODEL) -> Advisor:
    """An advisor whose index holds the bundled knowledge (and the corpora, when given)."""
    advisor = bench_advisor(model_data_dir(data_dir, model), model)
    paths = bundled_paths(advisor.settings) + ([corpora] if corpora else [])
    summary = Ingestor(advisor).run(paths)
    if summary.failed:
        raise SystemExit(f"ingestion failed: {[r for r in summary.results if r.status == 'failed']}")
    return advisor


def source_key(path: str, corpora: Path) -> str:
    """A labelled path (knowledge/..., p/... for knowledge/practices/, or corpora/...) as the index's source key."""
    if path.startswith("p/"):
        path = "knowledge/practices/" + path.removeprefix("p/")
    if path.startswith("corpora/"):
        return str((corpora / path.removeprefix("corpora/")).resolve())
    return str((ROOT / path).resolve())
