"""What kind of question this is, learnt from labelled examples in embedding space.

The examples (``examples.yaml``) are embedded with the configured model, and three small softmax
(multinomial logistic regression) classifiers are fitted on them: one for the kind of question,
one for the aspect of questions about one initiative and of follow-ups, and one for what a
practice question asks (what an AI type needs before it goes live, its risks, or any practice). In five-fold cross
validation on the examples this reads 87% of kinds right (the nearest examples alone, about 73%).
Vectors and weights are kept under the data dir per model and examples file, so a new question
costs one query embedding (shared with the search) and two matrix products.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from advisor.search.embedding import Embedder

log = logging.getLogger(__name__)

EXAMPLES = Path(__file__).with_name("examples.yaml")
HEADS = ("kinds", "aspects", "topics")  # as the fields of Scores
KINDS = ("initiative", "portfolio", "comparison", "follow_up", "guidance", "not_covered", "out_of_scope")
# Fitting: vectors centred on the examples' mean, scaled; L2 penalty; plain gradient descent.
SCALE, PENALTY, STEPS, RATE = 3.0, 3e-3, 300, 2.0


@dataclass(frozen=True)
class Example:
    text: str
    kind: str
    aspect: str | None = None


@dataclass(frozen=True)
class Scores:
    """Probability of each kind (and aspect) of question."""

    kinds: dict[str, float]
    aspects: dict[str, float]
    topics: dict[str, float]  # of a practice question: "readiness", "type_risks" or "practice"

    def ranked(self) -> list[str]:
        return sorted(self.kinds, key=lambda k: -self.kinds[k])

    @property
    def kind(self) -> str:
        return self.ranked()[0]

    def margin(self, kind: str) -> float:
        """How far ``kind`` is ahead of the likeliest other kind (negative when behind)."""
        return self.kinds[kind] - max(v for k, v in self.kinds.items() if k != kind)


def load_examples(path: Path = EXAMPLES) -> list[Example]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples = []
    for kind, value in data.items():
        groups = value.items() if isinstance(value, dict) else [(None, value)]
        examples += [Example(text, kind, aspect) for aspect, texts in groups for text in texts]
    return examples


@dataclass(frozen=True)
class _Head:
    labels: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray

    def probabilities(self, x: np.ndarray) -> dict[str, float]:
        logits = x @ self.weights + self.bias
        exp = np.exp(logits - logits.max())
        return dict(zip(self.labels, (exp / exp.sum()).tolist()))


def _fit(x: np.ndarray, labels: list[str], balanced: bool = False) -> _Head:
    """``balanced``: each label weighs the same in total, however few examples it has."""
    names = tuple(sorted(set(labels)))
    index = [names.index(label) for label in labels]
    target = np.eye(len(names))[index]
    counts = np.bincount(index, minlength=len(names))
    row_weight = (len(x) / (len(names) * counts[index]) if balanced else np.ones(len(x)))[:, None]
    weights, bias = np.zeros((x.shape[1], len(names))), np.zeros(len(names))
    for _ in range(STEPS):
        logits = x @ weights + bias
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        gradient = row_weight * (exp / exp.sum(axis=1, keepdims=True) - target) / len(x)
        weights -= RATE * (x.T @ gradient + PENALTY * weights)
        bias -= RATE * gradient.sum(axis=0)
    return _Head(names, weights, bias)


class ExampleClassifier:
    """Fitted on first use (or loaded from the data dir); thread-safe."""

    def __init__(self, embedder: Embedder, examples: list[Example], cache_dir: Path | None = None):
        self.embedder = embedder
        self.examples = examples
        self.cache_dir = cache_dir
        self._model_slug = re.sub(r"[^\w.]+", "_", embedder.name)
        self._fitted: tuple[np.ndarray, list[_Head]] | None = None
        self._lock = threading.Lock()

    def _fitted_model(self) -> tuple[np.ndarray, list[_Head]]:
        with self._lock:
            if self._fitted is None:
                self._fitted = self._load_or_fit()
            return self._fitted

    def _cache_file(self) -> Path | None:
        if self.cache_dir is None:
            return None
        described = [f"{SCALE} {PENALTY} {STEPS} {RATE} balanced topics"]
        described += [f"{e.kind}|{e.aspect}|{e.text}" for e in self.examples]
        digest = hashlib.sha1("\n".join(described).encode()).hexdigest()[:12]
        return self.cache_dir / f"examples-{self._model_slug}-{digest}.npz"

    def _load_or_fit(self) -> tuple[np.ndarray, list[_Head]]:
        path = self._cache_file()
        if path is not None and path.exists():
            try:
                with np.load(path) as stored:
                    return _unpack(stored)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("fitting the question classifier again: %s is unreadable (%s)", path, exc)
        vectors = self.embedder.embed_queries([e.text for e in self.examples]).astype(np.float64)
        centre = vectors.mean(axis=0)
        x = _normalised(vectors - centre)
        heads = [_fit(x, [e.kind for e in self.examples])]
        for practice in (False, True):  # a practice question's topic: a few examples of two topics, many of any other
            rows = [i for i, e in enumerate(self.examples) if e.aspect and (e.kind == "guidance") == practice]
            heads.append(_fit(x[rows], [self.examples[i].aspect for i in rows], balanced=practice))
        if path is not None:
            self._store(path, centre, heads)
        return centre, heads

    def _store(self, path: Path, centre: np.ndarray, heads: list[_Head]) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in path.parent.glob(f"examples-{self._model_slug}-*.npz"):
                old.unlink(missing_ok=True)
            arrays = {
                f"{name}_{part}": getattr(head, part)
                for name, head in zip(HEADS, heads)
                for part in ("weights", "bias", "labels")
            }
            np.savez(path, centre=centre, **{k: np.array(v) for k, v in arrays.items()})
        except OSError as exc:  # derived data: the next start fits again
            log.warning("could not keep the question classifier in %s: %s", path.parent, exc)

    def scores(self, vector: np.ndarray) -> Scores:
        centre, heads = self._fitted_model()
        x = _normalised(np.asarray(vector, dtype=np.float64) - centre)
        return Scores(**{name: head.probabilities(x) for name, head in zip(HEADS, heads)})


def _normalised(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return SCALE * x / np.where(norms == 0, 1.0, norms)


def _unpack(stored) -> tuple[np.ndarray, list[_Head]]:
    heads = [
        _Head(
            tuple(str(label) for label in stored[f"{name}_labels"]), stored[f"{name}_weights"], stored[f"{name}_bias"]
        )
        for name in HEADS
    ]
    return stored["centre"], heads
