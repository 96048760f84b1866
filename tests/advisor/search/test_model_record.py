"""The index knows which embedding model built it: a mismatch is a clear error, a change re-embeds."""

import pytest

from advisor.access import Requester
from advisor.db import make_engine
from advisor.errors import ConfigError
from advisor.search import model_record
from advisor.search.index import Chunk, Index, chunk_id
from advisor.search.vectorstore import VectorStore
from advisor.settings import DEFAULT_EMBEDDING_MODEL, MINILM
from tests.conftest import make_settings

TEXTS = {
    "drift.md": "When live inputs move away from the training data, prediction quality decays silently.",
    "owners.md": "A person in the business unit must be accountable for adoption and for the value delivered.",
    "tokens.md": "Cap tokens per user per day and alert when spend per use case exceeds the monthly budget.",
}


def chunks() -> list[Chunk]:
    return [
        Chunk(
            id=chunk_id(name, 0),
            text=text,
            source=name,
            source_key=name,
            kind="practice",
            title=name,
            section=name,
            position=0,
        )
        for name, text in TEXTS.items()
    ]


def open_index(data_dir, model: str) -> Index:
    settings = make_settings(data_dir, embedding_model=model)
    return Index(settings, make_engine(settings))


def fill(index: Index) -> None:
    assert index.ensure_model() is None  # an empty index just records its model
    for chunk in chunks():
        index.replace_source(chunk.source_key, [chunk], index.embedder.embed_passages([chunk.embedding_text()]))
    index.mark_changed()


def best_source(index: Index, question: str) -> str:
    return index.search(question, Requester.admin(), k=1)[0].chunk.source_key


def test_the_index_records_the_model_that_built_it(tmp_path):
    index = open_index(tmp_path / "data", MINILM)
    fill(index)
    record = model_record.read_record(index.engine)
    assert (record.model, record.dimension) == (MINILM, 384)
    assert record.collection == index.vectors.name == "advisor-all-minilm-l6-v2"


def test_searching_with_another_model_stops_with_both_names_and_the_command(tmp_path):
    fill(open_index(tmp_path / "data", MINILM))
    other = open_index(tmp_path / "data", DEFAULT_EMBEDDING_MODEL)
    with pytest.raises(ConfigError) as error:
        other.search("who is accountable for the value?", Requester.admin())
    message = str(error.value)
    assert MINILM in message and DEFAULT_EMBEDDING_MODEL in message and "advisor reindex" in message


def test_a_change_of_model_re_embeds_every_chunk_into_a_new_collection(tmp_path):
    fill(open_index(tmp_path / "data", MINILM))
    index = open_index(tmp_path / "data", DEFAULT_EMBEDDING_MODEL)
    seen = []
    done = index.ensure_model(on_progress=lambda n, total: seen.append((n, total)))
    assert (done.from_model, done.to_model, done.chunks) == (MINILM, DEFAULT_EMBEDDING_MODEL, 3)
    assert seen[-1] == (3, 3)
    assert best_source(index, "who is accountable for the value?") == "owners.md"
    assert best_source(index, "トークンの予算を超えたら通知したい") == "tokens.md"  # the new model reads Japanese
    names = {c.name for c in index.vectors._client.list_collections()}
    assert names == {"advisor-multilingual-e5-small"}  # the old model's collection is gone
    assert index.ensure_model() is None  # nothing more to do
    with pytest.raises(ConfigError, match="built with the embedding model multilingual-e5-small"):
        open_index(tmp_path / "data", MINILM).search("drift", Requester.admin())


def test_an_interrupted_re_embedding_leaves_the_old_index_working_and_is_redone(tmp_path, monkeypatch):
    fill(open_index(tmp_path / "data", MINILM))
    index = open_index(tmp_path / "data", DEFAULT_EMBEDDING_MODEL)
    monkeypatch.setattr(index.embedder, "embed_passages", _fail)
    with pytest.raises(RuntimeError, match="killed"):
        index.ensure_model()
    assert model_record.read_record(index.engine).model == MINILM
    assert best_source(open_index(tmp_path / "data", MINILM), "who is accountable for the value?") == "owners.md"
    monkeypatch.undo()
    again = open_index(tmp_path / "data", DEFAULT_EMBEDDING_MODEL)
    assert again.ensure_model().chunks == 3
    assert again.vectors.count() == 3


def _fail(texts):
    raise RuntimeError("killed half way")


def test_an_index_from_before_models_were_recorded_counts_as_minilm(tmp_path):
    settings = make_settings(tmp_path / "data", embedding_model=MINILM)
    legacy = VectorStore(settings, settings.collection)  # the single collection older versions wrote
    minilm = open_index(tmp_path / "data", MINILM)
    [chunk] = chunks()[:1]
    legacy.upsert([chunk.id], minilm.embedder.embed_passages([chunk.text]), [chunk.text], [chunk.metadata()])
    index = open_index(tmp_path / "data", DEFAULT_EMBEDDING_MODEL)
    with pytest.raises(ConfigError, match=f"built with the embedding model {MINILM}"):
        index.search("drift", Requester.admin())
    assert index.ensure_model().chunks == 1
    assert best_source(index, "training data moves away") == "drift.md"
