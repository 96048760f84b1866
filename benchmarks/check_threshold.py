"""Calibrate the support threshold of the chat-model check on labelled claims.

A sentence citing a passage is kept when its cosine similarity to the closest sentence of the
passage reaches the threshold (advisor/answering/check.py, ``THRESHOLDS``). The pairs in
datasets/check_pairs.yaml hold English sentences of the bundled knowledge, each with claims that
say the same (in four languages) and claims on the same subject that say something else. A claim
in another language than its passage sits lower (about 0.05 with multilingual-e5-small), so
there are two thresholds: within one language and across languages. The script prints, per
embedding model, the similarities of both kinds, the thresholds that separate them best
(balanced accuracy) and how the configured ones do. Embedded the way the check does.

    python -m benchmarks.check_threshold [--model multilingual-e5-small] [--model all-MiniLM-L6-v2]
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

from advisor.answering.check import thresholds_for
from advisor.search.embedding import make_embedder
from advisor.settings import DEFAULT_EMBEDDING_MODEL, Settings

PAIRS = Path(__file__).resolve().parent / "datasets" / "check_pairs.yaml"


def similarities(embedder, pairs: list[dict]) -> list[tuple[str, bool, float]]:
    """(language, supported, similarity) for every claim."""
    out = []
    for pair in pairs:
        passage = embedder.embed_queries([pair["passage"]])[0]
        for supported in (True, False):
            for claim in pair["supported" if supported else "unsupported"]:
                [(language, text)] = claim.items()
                out.append((language, supported, float(embedder.embed_queries([text])[0] @ passage)))
    return out


def balanced_accuracy(rows, threshold: float) -> tuple[float, float, float]:
    kept = np.array([s >= threshold for _, _, s in rows])
    truth = np.array([ok for _, ok, _ in rows])
    recall = kept[truth].mean()  # supported claims kept
    rejected = (~kept[~truth]).mean()  # unsupported claims removed
    return (recall + rejected) / 2, recall, rejected


def best_threshold(rows) -> float:
    """The middle of the widest run of thresholds with the best balanced accuracy."""
    candidates = np.round(np.arange(0.0, 0.99, 0.005), 3)
    scores = [round(balanced_accuracy(rows, t)[0], 6) for t in candidates]
    top = max(scores)
    best = [t for t, score in zip(candidates, scores) if score == top]
    return float(np.median(best))


def report(model: str, rows) -> None:
    print(f"\nmodel {model}: {sum(ok for _, ok, _ in rows)} supported, {sum(not ok for _, ok, _ in rows)} unsupported")
    by_language = defaultdict(list)
    for language, ok, sim in rows:
        by_language[(language, ok)].append(sim)
    for (language, ok), sims in sorted(by_language.items()):
        kind = "supported  " if ok else "unsupported"
        spread = f"min {min(sims):.3f}  median {np.median(sims):.3f}  max {max(sims):.3f}"
        print(f"  {language} {kind}  n={len(sims):>2}  {spread}")
    configured = thresholds_for(model)
    for index, group in enumerate(("same language (en-en)", "across languages")):
        subset = [r for r in rows if (r[0] != "en") == bool(index)]
        for label, threshold in (("best", best_threshold(subset)), ("configured", configured[index])):
            accuracy, recall, rejected = balanced_accuracy(subset, threshold)
            print(
                f"  {group:<22} {label:<10} threshold {threshold:.3f}: balanced accuracy {accuracy:.3f} "
                f"(supported kept {recall:.3f}, unsupported removed {rejected:.3f})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append", help="embedding model (repeatable)")
    args = parser.parse_args()
    pairs = yaml.safe_load(PAIRS.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as data_dir:
        for model in args.model or [DEFAULT_EMBEDDING_MODEL]:
            settings = Settings(_env_file=None, data_dir=Path(data_dir), embedding_model=model)
            report(model, similarities(make_embedder(settings), pairs))


if __name__ == "__main__":
    main()
