"""Retrieval quality on the labelled set: recall@5 and MRR@10 for dense, BM25 and hybrid.

python -m benchmarks.retrieval_quality [--data-dir DIR] [--corpora DIR] [--show-misses]
"""

from __future__ import annotations

from advisor.access import Requester
from benchmarks.common import arguments, prepared_advisor, source_key
from benchmarks.labelled import load

MODES = ("dense", "bm25", "hybrid")


def first_relevant_rank(hits, wanted: set[str]) -> int | None:
    for rank, hit in enumerate(hits, start=1):
        if hit.chunk.source_key in wanted:
            return rank
    return None


def evaluate(advisor, cases, corpora) -> dict[str, list[int | None]]:
    ranks: dict[str, list[int | None]] = {mode: [] for mode in MODES}
    for case in cases:
        wanted = {source_key(s, corpora) for s in case["sources"]}
        for mode in MODES:
            hits = advisor.index.search(case["question"], Requester.admin(), k=10, mode=mode)
            ranks[mode].append(first_relevant_rank(hits, wanted))
    return ranks


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--show-misses", action="store_true", help="list questions hybrid misses in the top 5")
    args = parser.parse_args()
    cases = load("retrieval.yaml")
    advisor = prepared_advisor(args.data_dir, args.corpora)
    ranks = evaluate(advisor, cases, args.corpora)
    print(f"{len(cases)} labelled questions, {advisor.index.vectors.count()} chunks indexed\n")
    print(f"{'retriever':<10} {'recall@5':>9} {'MRR@10':>8}")
    for mode in MODES:
        recall = sum(1 for r in ranks[mode] if r and r <= 5) / len(cases)
        mrr = sum(1 / r for r in ranks[mode] if r) / len(cases)
        print(f"{mode:<10} {recall:>9.3f} {mrr:>8.3f}")
    if args.show_misses:
        for case, rank in zip(cases, ranks["hybrid"]):
            if not rank or rank > 5:
                print(f"  miss (rank {rank}): {case['question']}")


if __name__ == "__main__":
    main()
