"""A document switched from public to restricted: no retriever shows it to others, at any moment.

Real embedding model, Chroma on a temp dir and SQLite. An ingest killed part way is simulated by
an interrupt raised at a chosen step (the process would die there; nothing after it runs).
"""

import pytest

from advisor import Advisor
from advisor.access import Requester
from advisor.search.index import Index
from ingest.manifest import Manifest
from ingest.pipeline import Ingestor
from tests.conftest import TODAY, make_settings

DOC = """# Nightingale screening

## Flagged cases

Every flagged Nightingale case goes to a second reviewer before it is closed.
"""
QUERY = "flagged Nightingale case second reviewer"
OTHER = Requester(user_id="U_OTHER")
ALLOWED = Requester(user_id="U_ALLOWED")


@pytest.fixture
def advisor(tmp_path):
    return Advisor(make_settings(tmp_path / "data"), today=TODAY)


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "docs"
    path.mkdir()
    (path / "screening.md").write_text(DOC)
    (path / "other.md").write_text("# Canary releases\n\n## Rollout\n\nCanary releases limit the blast radius.\n")
    return path


def seen_by(advisor, requester) -> dict[str, list[str]]:
    """What each retriever returns to the requester about the document."""
    return {
        mode: [
            h.chunk.text
            for h in advisor.index.search(QUERY, requester, k=5, mode=mode)
            if "Nightingale" in h.chunk.text
        ]
        for mode in ("hybrid", "bm25", "dense")
    }


def crash_at(monkeypatch, cls, name):
    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt  # the process dies here

    monkeypatch.setattr(cls, name, crash)


def test_a_public_document_restricted_by_a_reingest_is_hidden_from_others(advisor, folder):
    Ingestor(advisor).run([folder])
    assert all(seen_by(advisor, OTHER).values())  # public: every retriever finds it
    summary = Ingestor(advisor, allowed=["U_ALLOWED"]).run([folder])
    assert summary.counts["updated"] == 2  # the access list alone is a change
    assert seen_by(advisor, OTHER) == {"hybrid": [], "bm25": [], "dense": []}
    assert all(seen_by(advisor, ALLOWED).values())


@pytest.mark.parametrize(
    ("cls", "step"),
    [
        (Manifest, "record"),  # chunks written, manifest not yet
        (Index, "mark_changed"),  # chunks written, other processes not yet told to re-read BM25
        (Index, "keyword_index"),  # everything written, the final rebuild of the BM25 index not done
    ],
)
def test_killed_restricting_ingest_leaks_nothing_and_the_rerun_finishes_it(advisor, folder, monkeypatch, cls, step):
    Ingestor(advisor).run([folder])
    assert all(seen_by(advisor, OTHER).values())  # the BM25 index in memory and on disk says public
    with monkeypatch.context() as patch:
        crash_at(patch, cls, step)
        with pytest.raises(KeyboardInterrupt):
            Ingestor(advisor, allowed=["U_ALLOWED"]).run([folder])
    assert seen_by(advisor, OTHER) == {"hybrid": [], "bm25": [], "dense": []}
    assert seen_by(Advisor(advisor.settings, today=TODAY), OTHER) == {"hybrid": [], "bm25": [], "dense": []}

    rerun = Ingestor(advisor, allowed=["U_ALLOWED"]).run([folder])
    assert rerun.counts["failed"] == 0
    fresh = Advisor(advisor.settings, today=TODAY)  # another process, reading what is stored
    for reader in (advisor, fresh):
        assert seen_by(reader, OTHER) == {"hybrid": [], "bm25": [], "dense": []}
        assert all(seen_by(reader, ALLOWED).values())
        assert reader.index.keyword_index().rows_where("allowed", "U_ALLOWED").size  # BM25 knows the new list
    again = Ingestor(advisor, allowed=["U_ALLOWED"]).run([folder])
    assert again.counts["unchanged"] == 2


def test_a_changed_front_matter_allow_list_reindexes_the_document(advisor, folder):
    Ingestor(advisor).run([folder])
    (folder / "screening.md").write_text("---\nvisibility: restricted\nallowed: [U_ALLOWED]\n---\n" + DOC)
    assert Ingestor(advisor).run([folder]).counts["updated"] == 1
    assert seen_by(advisor, OTHER) == {"hybrid": [], "bm25": [], "dense": []}
    assert all(seen_by(advisor, ALLOWED).values())
