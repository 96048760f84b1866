"""Incremental ingestion with the real embedding model, Chroma on a temp dir and SQLite."""

import shutil

import pytest

from advisor import Advisor
from advisor.access import Requester
from ingest.manifest import Manifest
from ingest.pipeline import Ingestor
from tests.conftest import TODAY, make_settings
from tests.ingest.test_loaders import make_docx, make_pdf
from tests.ingest.test_records import HEADER, ROW


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "guide.md").write_text("# Guide\n\n## Launch\n\nThe launch checklist has twelve items.\n")
    (folder / "notes.txt").write_text("Quarterly notes about token budgets.\n")
    (folder / "sub" / "page.html").write_text("<h1>Page</h1><h2>Quotas</h2><p>Quotas cap spend per user.</p>")
    make_pdf(folder / "sub" / "rollout.pdf", ["Canary releases limit the blast radius."])
    make_docx(folder / "sub" / "controls.docx")
    (folder / "portfolio.csv").write_text(HEADER + "\n" + ROW + "\n")
    (folder / "image.png").write_bytes(b"\x89PNG")
    (folder / ".hidden.md").write_text("# Hidden\n\nNot indexed.\n")
    return folder


@pytest.fixture
def advisor(tmp_path):
    return Advisor(make_settings(tmp_path / "data"), today=TODAY)


def statuses(summary):
    return {r.source.split("/")[-1]: r.status for r in summary.results}


def chunks_of(advisor, name):
    return [m for _, _, m in advisor.index.vectors.get() if m["source"].endswith(name)]


def test_first_run_adds_second_run_changes_nothing(advisor, docs):
    first = Ingestor(advisor).run([docs])
    assert first.counts == {"added": 6, "updated": 0, "unchanged": 0, "removed": 0, "failed": 0, "skipped": 1}
    assert statuses(first)["image.png"] == "skipped" and "hidden" not in str(statuses(first))
    assert advisor.portfolio.get("ACME-1", Requester.admin()).name == "Invoice Matching"
    assert advisor.index.vectors.count() == first.chunks
    version = advisor.index.version()

    second = Ingestor(advisor).run([docs])
    assert second.counts["unchanged"] == 6 and second.counts["added"] == second.counts["updated"] == 0
    assert advisor.index.version() == version  # nothing rewritten, BM25 not rebuilt
    assert advisor.index.vectors.count() == first.chunks


def test_changed_file_replaces_all_its_chunks(advisor, docs):
    Ingestor(advisor).run([docs])
    (docs / "guide.md").write_text(
        "# Guide\n\n## Rollback\n\nRoll back within five minutes.\n\n## Owners\n\nEvery model has an owner.\n"
    )
    summary = Ingestor(advisor).run([docs])
    assert statuses(summary)["guide.md"] == "updated" and summary.counts["unchanged"] == 5
    sections = sorted(m["section"] for m in chunks_of(advisor, "guide.md"))
    assert sections == ["Guide > Owners", "Guide > Rollback"]
    hits = advisor.index.search("launch checklist twelve items", Requester.admin(), k=3)
    assert all("twelve" not in h.chunk.text for h in hits)


def test_prune_removes_vanished_sources_and_their_records(advisor, docs):
    Ingestor(advisor).run([docs])
    (docs / "notes.txt").unlink()
    (docs / "portfolio.csv").unlink()
    kept = Ingestor(advisor).run([docs])
    assert kept.counts["removed"] == 0 and chunks_of(advisor, "notes.txt")
    pruned = Ingestor(advisor).run([docs], prune=True)
    assert pruned.counts["removed"] == 2
    assert chunks_of(advisor, "notes.txt") == [] and chunks_of(advisor, "portfolio.csv") == []
    assert advisor.portfolio.all(Requester.admin()) == []
    assert not any(k.endswith("notes.txt") for k in Manifest(advisor.engine).entries())


def test_a_failing_file_leaves_its_indexed_version_and_others_proceed(advisor, docs):
    Ingestor(advisor).run([docs])
    before = chunks_of(advisor, "rollout.pdf")
    (docs / "sub" / "rollout.pdf").write_bytes(b"%PDF-1.4 truncated")
    (docs / "portfolio.csv").write_text(HEADER + "\n" + ROW.replace(",ml,", ",nonsense,") + "\n")
    (docs / "notes.txt").write_text("New notes about evaluation.\n")
    (docs / "empty.md").write_text("")
    summary = Ingestor(advisor).run([docs])
    assert summary.failed
    results = {r.source.split("/")[-1]: r for r in summary.results}
    assert results["rollout.pdf"].status == "failed" and "cannot parse PDF" in results["rollout.pdf"].error
    assert results["empty.md"].status == "failed" and results["empty.md"].error == "empty: no text to index"
    assert "line 2 (id ACME-1): field 'ai_type'" in results["portfolio.csv"].error
    assert results["notes.txt"].status == "updated"
    assert chunks_of(advisor, "rollout.pdf") == before
    assert advisor.portfolio.get("ACME-1", Requester.admin()).ai_type == "ml"  # old record kept whole


def test_interrupted_run_is_completed_without_duplicates(advisor, docs, monkeypatch):
    calls = {"n": 0}
    real_record = Manifest.record

    def crash_on_third(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # like a kill after the index was written, before the manifest
        return real_record(self, *args, **kwargs)

    monkeypatch.setattr(Manifest, "record", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        Ingestor(advisor).run([docs])
    monkeypatch.setattr(Manifest, "record", real_record)
    summary = Ingestor(advisor).run([docs])
    assert summary.counts["unchanged"] == 2 and summary.counts["added"] == 4
    metas = [m for _, _, m in advisor.index.vectors.get()]
    keys = [(m["source_key"], m["position"]) for m in metas]
    assert len(keys) == len(set(keys)) == sum(e.chunks for e in Manifest(advisor.engine).entries().values())


def test_restricted_ingest_with_allow_list(advisor, docs, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    shutil.copy(docs / "guide.md", secret / "board.md")
    Ingestor(advisor, allowed=["U_BOARD"]).run([secret])
    assert advisor.index.search("launch checklist", Requester(user_id="U_OTHER"), k=5) == []
    hits = advisor.index.search("launch checklist", Requester(user_id="U_BOARD"), k=5)
    assert hits and hits[0].chunk.visibility == "restricted"


def test_missing_path_is_a_failure(advisor, tmp_path):
    summary = Ingestor(advisor).run([tmp_path / "nope"])
    assert summary.failed and summary.results[0].error == "no such file or directory"


def test_remove_takes_sources_and_records_out(advisor, docs):
    Ingestor(advisor).run([docs])
    summary = Ingestor(advisor).remove([docs / "portfolio.csv", docs / "sub"])
    assert summary.counts["removed"] == 4
    assert advisor.portfolio.all(Requester.admin()) == [] and chunks_of(advisor, "rollout.pdf") == []
    assert chunks_of(advisor, "guide.md")
    assert Ingestor(advisor).remove([docs / "sub"]).counts["removed"] == 0
