"""Calibrate the embedding model's relevance floor on labelled answerable and unanswerable questions.

The floor is the cosine similarity below which the best passage is taken not to be about the
question, so the advisor says the knowledge base does not cover it. It is model-specific (e5 puts
unrelated text near 0.8, MiniLM near 0.1), so each embedder keeps its own (``relevance_floor`` in
advisor/search/embedding.py). Calibrated on the labelled examples of advisor/understanding/
examples.yaml (guidance: answerable; not covered and out of scope: unanswerable), never on the
benchmark set: the floor chosen is the highest that declines at most ``--max-false`` of the
answerable questions.

    python -m benchmarks.calibrate_relevance [--max-false 0.01]
"""

from __future__ import annotations

import numpy as np

from advisor.access import Requester
from advisor.search.index import SearchFilter
from advisor.understanding.classifier import load_examples
from benchmarks.common import arguments, prepared_advisor


def best_similarities(advisor, questions: list[str]) -> np.ndarray:
    where = SearchFilter(kinds=("practice", "document"))
    best = []
    for question in questions:
        hits = advisor.index.search(question, Requester.admin(), k=advisor.settings.search_k, where=where)
        best.append(max((h.similarity or 0.0 for h in hits), default=0.0))
    return np.array(best)


def main() -> None:
    parser = arguments(__doc__, data_dir=".data-bundled", corpora=False)
    parser.add_argument("--max-false", type=float, default=0.01, help="answerable questions a floor may decline")
    args = parser.parse_args()
    advisor = prepared_advisor(args.data_dir, None)
    examples = load_examples()
    answerable = best_similarities(advisor, [e.text for e in examples if e.kind == "guidance"])
    unanswerable = best_similarities(advisor, [e.text for e in examples if e.kind in ("not_covered", "out_of_scope")])
    embedder = advisor.index.embedder
    print(f"model {embedder.name}: {len(answerable)} answerable, {len(unanswerable)} unanswerable questions")
    print(f"best-passage similarity, answerable:   min {answerable.min():.3f}  p5 {np.quantile(answerable, 0.05):.3f}")
    print(f"best-passage similarity, unanswerable: p50 {np.median(unanswerable):.3f}  max {unanswerable.max():.3f}\n")
    print(f"{'floor':>6} {'answerable declined':>20} {'unanswerable declined':>22}")
    candidates = np.round(np.arange(answerable.min() - 0.02, np.quantile(answerable, 0.25), 0.002), 3)
    chosen = max((f for f in candidates if (answerable < f).mean() <= args.max_false), default=candidates[0])
    for floor in sorted({*candidates[::5], chosen}):
        marker = "  <- calibrated" if floor == chosen else ""
        print(f"{floor:>6.3f} {(answerable < floor).mean():>20.3f} {(unanswerable < floor).mean():>22.3f}{marker}")
    print(f"\ncalibrated floor (at most {args.max_false:.0%} of answerable declined): {chosen:.3f}")
    print(f"configured floor: {embedder.relevance_floor:.3f}")


if __name__ == "__main__":
    main()
