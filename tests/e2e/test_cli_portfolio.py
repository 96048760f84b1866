"""`advisor portfolio` and `advisor ingest` as a user runs them: samples named until real records
replace them, and every initiative exported as CSV."""

import csv
import io

import pytest

from tests.e2e.test_cli import CSV, run


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli-portfolio") / "data"


def test_samples_are_named_until_the_first_real_records_replace_them(data_dir, tmp_path):
    first = run(data_dir, "portfolio")
    assert first.returncode == 0, first.stderr
    assert "14 of these 14 initiatives are fictional samples" in " ".join(first.stdout.split())

    records = tmp_path / "portfolio.csv"
    records.write_text(CSV)
    ingest = run(data_dir, "ingest", str(records))
    assert ingest.returncode == 0, ingest.stderr
    said = " ".join(ingest.stdout.split())
    assert "Removed the 14 fictional sample initiatives (CLM-001, CON-010, CSA-006, …)" in said

    after = run(data_dir, "portfolio")
    assert "Portfolio: 3 initiatives" in after.stdout and "fictional" not in after.stdout


def test_every_matching_initiative_is_exported_as_csv(data_dir, tmp_path):
    target = tmp_path / "all.csv"
    result = run(data_dir, "portfolio", "--csv", str(target))
    assert result.returncode == 0, result.stderr
    assert "3 initiatives written to" in result.stderr and result.stdout == ""
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["AGT-9", "GEN-2", "OPS-7"]
    ops = rows[2]
    assert (ops["stalled"], ops["phase"], ops["kpi_current"], ops["missing_capabilities"]) == ("yes", "3", "74", "")
    assert rows[1]["business_owner"] == "" and "no_business_owner" in rows[1]["risks"]

    others = run(data_dir, "portfolio", "--user", "U_OTHER", "--csv", "-")  # to stdout, within what U_OTHER sees
    assert [r["id"] for r in csv.DictReader(io.StringIO(others.stdout))] == ["AGT-9", "OPS-7"]
    stalled = run(data_dir, "portfolio", "stalled", "--csv", "-")
    assert [r["id"] for r in csv.DictReader(io.StringIO(stalled.stdout))] == ["AGT-9", "OPS-7"]  # GEN-2 is recent

    refused = run(data_dir, "portfolio", "--csv", str(tmp_path / "no-such-dir" / "all.csv"))
    assert refused.returncode == 1 and refused.stderr.startswith("error: --csv: cannot write")
    assert "Traceback" not in refused.stderr
