"""The question classifier: learnt from labelled examples kept as data, fitted once per model."""

import pytest
from rapidfuzz import fuzz

from advisor.access import Requester
from advisor.understanding.classifier import KINDS, ExampleClassifier, load_examples
from advisor.understanding.matching import folded
from benchmarks.labelled import load


def test_every_kind_has_examples_in_every_language():
    from advisor.understanding.language import detect_language

    examples = load_examples()
    for kind in KINDS:
        languages = {detect_language(e.text) for e in examples if e.kind == kind}
        assert {"en", "ja", "ko", "vi"} <= languages, kind


def test_the_examples_hold_none_of_the_benchmark_questions():
    examples = [folded(e.text) for e in load_examples()]
    for case in load("understanding.yaml"):
        question = folded(case["question"])
        near = [e for e in examples if fuzz.ratio(question, e) >= 90]
        assert not near, (case["question"], near)


class CountingEmbedder:
    """The real model, counting how many texts it embeds."""

    def __init__(self, embedder):
        self.inner, self.embedded = embedder, 0
        self.name, self.dimension = embedder.name, embedder.dimension

    def embed_query(self, text):
        return self.embed_queries([text])[0]

    def embed_queries(self, texts):
        self.embedded += len(texts)
        return self.inner.embed_queries(texts)


def test_fitted_once_and_kept_per_model(bundled_advisor, tmp_path):
    embedder = CountingEmbedder(bundled_advisor.index.embedder)
    examples = load_examples()
    first = ExampleClassifier(embedder, examples, cache_dir=tmp_path)
    vector = bundled_advisor.index.embedder.embed_query("what's the weather in Osaka tomorrow?")
    assert first.scores(vector).kind == "out_of_scope"
    assert embedder.embedded == len(examples)
    second = ExampleClassifier(embedder, examples, cache_dir=tmp_path)
    assert second.scores(vector) == first.scores(vector) and embedder.embedded == len(examples)
    files = list(tmp_path.glob("examples-*.npz"))
    assert len(files) == 1 and bundled_advisor.index.embedder.name.replace("-", "_") in files[0].name
    files[0].write_bytes(b"not an array")  # derived data: a broken file is fitted again
    third = ExampleClassifier(embedder, examples, cache_dir=tmp_path)
    assert third.scores(vector).kind == "out_of_scope" and embedder.embedded == 2 * len(examples)


def test_probabilities(bundled_advisor):
    vector = bundled_advisor.index.embedder.embed_query("which initiatives in Korea are stalled?")
    scores = bundled_advisor.understanding.classifier.scores(vector)
    assert set(scores.kinds) == set(KINDS) and sum(scores.kinds.values()) == pytest.approx(1.0)
    assert scores.kind == "portfolio" and scores.margin("portfolio") > 0


def test_the_question_is_embedded_once_per_ask(bundled_advisor, monkeypatch):
    embedder = bundled_advisor.index.embedder
    original, calls = embedder.embed_query, []
    monkeypatch.setattr(embedder, "embed_query", lambda text: calls.append(text) or original(text))
    question = "how do we keep the RAG index fresh when source documents change?"
    answer = bundled_advisor.ask(question, Requester.admin())
    assert answer.intent == "general_guidance" and answer.found
    assert calls == [question]  # the search took the vector the understanding made


def test_search_with_a_given_vector_finds_the_same(bundled_advisor):
    question = "how do we keep the RAG index fresh when source documents change?"
    vector = bundled_advisor.index.embedder.embed_query(question)
    given = bundled_advisor.index.search(question, Requester.admin(), vector=vector)
    assert [h.chunk.id for h in given] == [
        h.chunk.id for h in bundled_advisor.index.search(question, Requester.admin())
    ]
