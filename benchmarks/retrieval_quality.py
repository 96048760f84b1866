"""Retrieval quality on the labelled sets: recall@5 and MRR@10 for dense, BM25 and hybrid,
per language group (English; Japanese, Korean, Vietnamese) and per split (tuning, held-out),
for each embedding model. Questions labelled with a section also count "section@5": a chunk of
that section among the first five.

    python -m benchmarks.retrieval_quality [--model NAME ...] [--data-dir DIR] [--corpora DIR] [--show-misses]
"""

from __future__ import annotations

from collections import defaultdict

from advisor.access import Requester
from benchmarks.common import MODELS, arguments, prepared_advisor, source_key
from benchmarks.labelled import load

MODES = ("dense", "bm25", "hybrid")
SETS = ("retrieval.yaml", "retrieval_multilingual.yaml")


def first_relevant_rank(hits, wanted: set[str], sections: list[str] | None = None) -> int | None:
    for rank, hit in enumerate(hits, start=1):
        if hit.chunk.source_key in wanted and (not sections or set(sections) & set(hit.chunk.section.split(" > "))):
            return rank
    return None


def evaluate(advisor, cases, corpora) -> list[dict]:
    """Per case and retriever: the rank of the first right file, and of the first right section."""
    rows = []
    for case in cases:
        wanted = {source_key(s, corpora) for s in case["sources"]}
        row = {"case": case}
        for mode in MODES:
            hits = advisor.index.search(case["question"], Requester.admin(), k=10, mode=mode)
            row[mode] = first_relevant_rank(hits, wanted)
            if case.get("section"):
                sections = case["section"] if isinstance(case["section"], list) else [case["section"]]
                row[f"{mode}_section"] = first_relevant_rank(hits, wanted, sections)
        rows.append(row)
    return rows


def _group(case: dict) -> tuple[str, str]:
    return case.get("lang", "en"), case.get("split", "tuning")


def report(model: str, chunks: int, rows: list[dict]) -> None:
    print(f"\n== {model}: {chunks} chunks indexed")
    print(
        f"{'group':<16} {'n':>3}  " + "  ".join(f"{m + ' r@5':>11} {'MRR@10':>7}" for m in MODES) + "  section@5 hybrid"
    )
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        lang, split = _group(row["case"])
        groups[(lang, split)].append(row)
        if lang != "en":
            groups[("ja+ko+vi", split)].append(row)
    for (lang, split), members in sorted(groups.items()):
        n = len(members)
        cells = []
        for mode in MODES:
            recall = sum(1 for r in members if r[mode] and r[mode] <= 5) / n
            mrr = sum(1 / r[mode] for r in members if r[mode]) / n
            cells.append(f"{recall:>11.3f} {mrr:>7.3f}")
        sectioned = [r for r in members if "hybrid_section" in r]
        section = (
            f"{sum(1 for r in sectioned if r['hybrid_section'] and r['hybrid_section'] <= 5) / len(sectioned):.3f}"
            if sectioned
            else "-"
        )
        print(f"{lang + ' ' + split:<16} {n:>3}  " + "  ".join(cells) + f"  {section:>9}")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--model", action="append", help=f"embedding model (repeatable; default {', '.join(MODELS)})")
    parser.add_argument("--show-misses", action="store_true", help="list tuning questions hybrid misses in the top 5")
    args = parser.parse_args()
    cases = [case for name in SETS for case in load(name)]
    for model in args.model or MODELS:
        advisor = prepared_advisor(args.data_dir, args.corpora, model)
        rows = evaluate(advisor, cases, args.corpora)
        report(model, advisor.index.vectors.count(), rows)
        if args.show_misses:
            for row in rows:
                if _group(row["case"])[1] == "tuning" and not (row["hybrid"] and row["hybrid"] <= 5):
                    print(f"  miss (rank {row['hybrid']}): {row['case']['question']}")


if __name__ == "__main__":
    main()
