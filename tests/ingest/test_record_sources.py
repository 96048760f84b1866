"""Record files that disagree: an id in two files, records that a changed framework no longer fits.

Real embedding model, Chroma on a temp dir and SQLite.
"""

import shutil

import pytest
import yaml

from advisor import Advisor
from advisor.access import Requester
from ingest.manifest import Manifest
from ingest.pipeline import Ingestor
from tests.conftest import KNOWLEDGE, TODAY, make_settings
from tests.ingest.test_records import HEADER, ROW

ADMIN = Requester.admin()


@pytest.fixture
def advisor(tmp_path):
    return Advisor(make_settings(tmp_path / "data"), today=TODAY)


def test_an_id_already_in_another_file_is_refused_naming_both_files_and_nothing_is_lost(advisor, tmp_path):
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "finance.csv").write_text(HEADER + "\n" + ROW + "\n")
    assert Ingestor(advisor).run([folder]).counts["added"] == 1
    other = ROW.replace("Invoice Matching", "Invoice Matching Copy").replace(",2,2026-03-01", ",4,2026-03-01")
    (folder / "copy.csv").write_text(HEADER + "\n" + other + "\n" + ROW.replace("ACME-1", "ACME-2") + "\n")

    summary = Ingestor(advisor).run([folder])
    result = {r.source.split("/")[-1]: r for r in summary.results}["copy.csv"]
    assert result.status == "failed" and summary.failed
    assert "ACME-1" in result.error and "finance.csv" in result.error and "copy.csv" in result.error
    record = advisor.portfolio.get("ACME-1", ADMIN)
    assert (record.name, record.phase, advisor.portfolio.source_of("ACME-1").endswith("finance.csv")) == (
        "Invoice Matching",
        2,
        True,
    )
    assert advisor.portfolio.get("ACME-2", ADMIN) is None  # all or nothing: the file's other record neither
    assert not [k for k in Manifest(advisor.engine).entries() if k.endswith("copy.csv")]
    assert not [m for _, _, m in advisor.index.vectors.get() if m["source"].endswith("copy.csv")]

    # taking the refused file out (by hand, or by pruning) never takes the other file's record with it
    (folder / "copy.csv").unlink()
    Ingestor(advisor).run([folder], prune=True)
    Ingestor(advisor).remove([folder / "copy.csv"])
    assert advisor.portfolio.get("ACME-1", ADMIN).name == "Invoice Matching"
    assert Ingestor(advisor).run([folder]).counts["unchanged"] == 1
    hits = advisor.index.search("Invoice Matching manual matches", ADMIN, k=3, mode="bm25")
    assert hits and hits[0].chunk.initiative_id == "ACME-1"


def renamed_framework(source, target, old: str, new: str) -> None:
    """A copy of the bundled knowledge whose framework calls capability ``old`` ``new``."""
    shutil.copytree(source, target)
    data = yaml.safe_load((target / "framework.yaml").read_text())

    def rename(value):
        if isinstance(value, dict):
            return {k: rename(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v) for v in value]
        return new if value == old else value

    (target / "framework.yaml").write_text(yaml.safe_dump(rename(data), allow_unicode=True, sort_keys=False))


def test_renaming_a_capability_in_the_framework_reports_the_records_that_use_it(tmp_path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    settings = make_settings(tmp_path / "data", knowledge_dir=knowledge)
    records = tmp_path / "portfolio.csv"
    records.write_text(HEADER + "\n" + ROW + "\n")
    first = Ingestor(Advisor(settings, today=TODAY)).run([records])
    assert first.counts["added"] == 1 and first.warnings == []

    shutil.rmtree(knowledge)
    renamed_framework(KNOWLEDGE, knowledge, "monitoring", "observability")
    advisor = Advisor(settings, today=TODAY)
    problems = Ingestor(advisor).record_problems()
    assert len(problems) == 1
    assert "'monitoring' is not defined in framework.yaml" in problems[0] and "ACME-1 (" in problems[0]
    assert "portfolio.csv" in problems[0]

    a = advisor.assess("ACME-1", ADMIN)
    assert a.unknown_capabilities == ["monitoring"] and "observability" in a.missing_capabilities
    answer = advisor.ask("what is missing for Invoice Matching?", ADMIN)
    assert answer.initiative.id == "ACME-1"
    assert "framework.yaml does not define: `monitoring`" in answer.text

    # the record file is validated again against the changed framework: refused, the old record kept
    rerun = Ingestor(advisor).run([records])
    assert rerun.counts["failed"] == 1 and "unknown id(s) monitoring" in rerun.results[0].error
    assert rerun.warnings == problems
    assert advisor.portfolio.get("ACME-1", ADMIN).capabilities == ["data_pipeline", "monitoring"]

    records.write_text(HEADER + "\n" + ROW.replace("; monitoring", "; observability") + "\n")
    fixed = Ingestor(advisor).run([records])
    assert fixed.counts["updated"] == 1 and fixed.warnings == []
    assert advisor.assess("ACME-1", ADMIN).unknown_capabilities == []
    assert Ingestor(advisor).record_problems() == []
