"""Labelled evaluation sets shared by the benchmarks and the tests; `advisor eval` scores them the same way."""

from __future__ import annotations

from pathlib import Path

from advisor.answering.evaluation import (  # noqa: F401 (shared with the benchmarks)
    DECLINES,
    FACTS,
    check_answer,
    check_facts,
    check_routing,
    key_term_coverage,
    load_labelled,
)

DATASETS = Path(__file__).resolve().parent / "datasets"
DEFAULT_USER = "U_EMPLOYEE"


def load(name: str) -> list[dict]:
    return load_labelled(DATASETS / name)
