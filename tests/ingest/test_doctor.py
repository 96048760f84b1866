"""advisor doctor over real parts: the manifest in SQLite, Chroma on a temp dir, the BM25 snapshot."""

import numpy as np
import pytest

from advisor import Advisor
from advisor.access import Requester
from advisor.search.index import Chunk, chunk_id
from advisor.search.vectorstore import reopen_embedded
from ingest.doctor import examine, heal_on_open
from ingest.pipeline import Ingestor
from tests.conftest import TODAY, make_settings

LONG = "# Handbook\n\n" + "".join(
    f"## Step {i}\n\n" + f"Step {i} of the release handbook: check item {i} with the owner. " * 12 + "\n\n"
    for i in range(4)
)


@pytest.fixture
def advisor(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "handbook.md").write_text(LONG)
    (docs / "tokens.md").write_text("# Tokens\n\n## Spend\n\nCap tokens per user per day and alert on budget.\n")
    advisor = Advisor(make_settings(tmp_path / "data"), today=TODAY)
    Ingestor(advisor).run([docs])
    return advisor


def wrong(report) -> dict:
    return {f.check: f for f in report.findings if not f.ok}


def test_partly_stored_sources_and_stray_chunks_are_reported_then_repaired(advisor):
    store, _version = advisor.index.current()
    handbook = [cid for cid, _doc, meta in store.get() if meta["source_key"].endswith("handbook.md")]
    assert len(handbook) >= 3
    store.collection.delete(ids=[handbook[1]])  # one chunk lost
    stray = Chunk(
        id="stray-1",
        text="Nobody ingested this.",
        source="x",
        source_key="/nowhere/x.md",
        kind="document",
        title="x",
        section="x",
        position=0,
    )
    store.upsert([stray.id], advisor.index.embedder.embed_passages([stray.text]), [stray.text], [stray.metadata()])
    advisor.index.mark_changed()

    checked = examine(advisor, repair=False)
    assert not checked.healthy and set(wrong(checked)) == {"sources", "stray chunks"}
    assert "1 missing" in wrong(checked)["sources"].detail
    assert advisor.index.vectors.get(ids=[handbook[1]]) == []  # only reported

    repaired = examine(advisor)
    assert repaired.healthy and all(f.repaired for f in wrong(repaired).values())
    assert len(advisor.index.vectors.get(ids=[handbook[1]])) == 1
    assert advisor.index.vectors.get(ids=["stray-1"]) == []
    assert examine(advisor, repair=False).healthy


def test_unreadable_vector_files_are_replaced_and_every_source_indexed_again(advisor):
    """The files of the collection's vector graph are emptied (Chroma then fails even to count);
    1,200 extra chunks with random vectors make Chroma write its graph to disk first."""
    index = advisor.index
    store, _version = index.current()
    rng = np.random.default_rng(3)
    ids = [chunk_id("/bulk.md", i) for i in range(1200)]
    metas = [
        {"source": "bulk", "source_key": "/bulk.md", "kind": "document", "title": "b", "section": "b", "position": i}
        for i in range(1200)
    ]
    store.upsert(ids, rng.normal(size=(1200, index.embedder.dimension)).astype(np.float32), ["b"] * 1200, metas)
    index.mark_changed()
    for segment in index.settings.chroma_dir.iterdir():
        if segment.is_dir():
            for part in segment.iterdir():
                part.write_bytes(b"")
    reopen_embedded(index.settings)  # as a new process opens it
    index._vectors = None

    assert not examine(advisor, repair=False).healthy
    assert heal_on_open(advisor)  # what it found wrong, repaired
    hits = index.search("how many tokens may a user spend per day", Requester.admin(), k=1)
    assert hits and hits[0].chunk.source_key.endswith("tokens.md")
    report = examine(advisor, repair=False)
    assert report.healthy, report
