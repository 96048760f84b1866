import json
from datetime import date

import pytest

from advisor.errors import RecordError
from ingest.records import load_records

HEADER = (
    "id,name,business_unit,region,ai_type,phase,phase_since,business_owner,tech_owner,kpi_name,"
    "kpi_baseline,kpi_target,kpi_current,capabilities,risks,roadmap_goal,visibility,allowed,notes"
)
ROW = (
    "ACME-1,Invoice Matching,Finance,Korea,ml,2,2026-03-01,Jane Doe,,Manual matches (%),40,10,25,"
    "data_pipeline; monitoring,data_drift,,public,,Pilot in one entity"
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_the_documented_columns(tmp_path, framework):
    path = write(tmp_path, "p.csv", "\ufeff" + HEADER + "\n" + ROW + "\n")
    [r] = load_records(path, framework)
    assert r.id == "ACME-1" and r.ai_type == "ml" and r.phase == 2 and r.phase_since == date(2026, 3, 1)
    assert r.capabilities == ["data_pipeline", "monitoring"] and r.risks == ["data_drift"]
    assert r.tech_owner is None and r.roadmap_goal is None and r.allowed == []
    assert (r.kpi_baseline, r.kpi_target, r.kpi_current) == (40, 10, 25)


def test_regions_are_stored_under_one_name_whatever_the_spelling(tmp_path, framework):
    rows = [
        ROW.replace("ACME-1", f"R-{i}").replace(",Korea,", f",{region},")
        for i, region in enumerate(
            ["Việt Nam", "viet nam", "ベトナム", "한국", "South Korea", "Japan", "にほん", "Singapore"]
        )
    ]
    records = load_records(write(tmp_path, "p.csv", "\n".join([HEADER, *rows]) + "\n"), framework)
    assert [r.region for r in records] == ["Vietnam"] * 3 + ["Korea"] * 2 + ["Japan"] * 2 + ["Singapore"]


def test_csv_is_forgiving_about_case_spacing_and_number_formats(tmp_path, framework):
    header = HEADER.upper().replace(",", " , ").replace("BUSINESS_UNIT", "Business Unit")
    row = (
        'ACME-2,"Route Planner, v2",Logistics,Vietnam, GenAI ,Phase 3,2026-01-05,,,Cost,"1,200",900,950 ,'
        '"guardrails, evaluation","cost, legal; lock-in",,Restricted,U1;C2,'
    )
    [r] = load_records(write(tmp_path, "p.csv", header + "\n" + row + "\n\n"), framework)
    assert r.name == "Route Planner, v2" and r.ai_type == "genai" and r.phase == 3
    assert r.kpi_baseline == 1200 and r.kpi_current == 950
    assert r.visibility == "restricted" and r.allowed == ["U1", "C2"] and r.business_owner is None
    assert r.capabilities == ["guardrails", "evaluation"] and r.risks == ["cost, legal", "lock-in"]


def test_yaml_list_mapping_and_single_record(tmp_path, framework):
    one = "id: Y-1\nname: One\nbusiness_unit: BU\nregion: Japan\nai_type: agent\nphase: 1\nphase_since: 2026-01-01\n"
    assert [r.id for r in load_records(write(tmp_path, "a.yaml", one), framework)] == ["Y-1"]
    listed = "- " + one.replace("\n", "\n  ").rstrip() + "\n"
    assert [r.id for r in load_records(write(tmp_path, "b.yml", listed), framework)] == ["Y-1"]
    wrapped = "initiatives:\n  " + listed.replace("\n", "\n  ").rstrip() + "\n"
    assert [r.id for r in load_records(write(tmp_path, "c.yaml", wrapped), framework)] == ["Y-1"]


def test_json_records_use_real_lists(tmp_path, framework):
    data = [
        {
            "id": "J-1",
            "name": "J",
            "business_unit": "BU",
            "region": "Global",
            "ai_type": "genai",
            "phase": 4,
            "phase_since": "2025-12-31",
            "capabilities": ["guardrails", "cost_tracking"],
            "kpi_current": 3.5,
        }
    ]
    [r] = load_records(write(tmp_path, "r.json", json.dumps(data)), framework)
    assert r.capabilities == ["guardrails", "cost_tracking"] and r.kpi_current == 3.5


@pytest.mark.parametrize(
    "replace, expected",
    [
        (("ml,2", "quantum,2"), "line 2 (id ACME-1): field 'ai_type': expected one of ml, genai, agent"),
        ((",2,2026", ",7,2026"), "line 2 (id ACME-1): field 'phase': expected a whole number from 1 to 5"),
        (("2026-03-01", "03/01/2026"), "field 'phase_since': expected an ISO date"),
        (("2026-03-01", "2099-01-01"), "field 'phase_since': value error, date 2099-01-01 is in the future"),
        (("data_pipeline; monitoring", "data_pipeline; monitorng"), "field 'capabilities': unknown id(s) monitorng"),
        ((",public,", ",restricted,"), "visibility is 'restricted' but `allowed` is empty"),
        ((",public,", ",secret,"), "field 'visibility': expected public or restricted"),
        ((",40,10,25,", ",forty,10,25,"), "field 'kpi_baseline'"),
        (("ACME-1,", "ACME 1,"), "field 'id': expected letters, digits"),
        (("ACME-1,Invoice Matching", "ACME-1,"), "field 'name'"),
    ],
)
def test_each_bad_value_is_named_precisely(tmp_path, framework, replace, expected):
    path = write(tmp_path, "bad.csv", HEADER + "\n" + ROW.replace(*replace) + "\n")
    with pytest.raises(RecordError) as error:
        load_records(path, framework)
    assert str(error.value).startswith(str(path))
    assert expected in str(error.value)


def test_one_bad_row_rejects_the_whole_file_and_reports_every_problem(tmp_path, framework):
    rows = [
        ROW,
        ROW.replace("ACME-1", "ACME-2").replace(",ml,", ",xx,"),
        ROW.replace("ACME-1", "ACME-3").replace(",2,2026", ",0,2026"),
    ]
    path = write(tmp_path, "p.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(RecordError) as error:
        load_records(path, framework)
    assert len(error.value.problems) == 2
    assert "line 3 (id ACME-2)" in error.value.problems[0] and "line 4 (id ACME-3)" in error.value.problems[1]


@pytest.mark.parametrize(
    "text, expected",
    [
        (HEADER + "\n" + ROW + "\n" + ROW + "\n", "line 3: field 'id': duplicate id 'ACME-1' (also at line 2)"),
        (HEADER.replace("kpi_name", "kpi") + "\n" + ROW + "\n", "header: unknown column 'kpi'"),
        (HEADER.replace("ai_type,", "") + "\n", "header: missing required column 'ai_type'"),
        (HEADER + "\n" + ROW + ",extra\n", "line 2: more values than the 19 columns"),
        ("", "empty CSV"),
        (HEADER + "\n", "no initiative records found"),
    ],
)
def test_bad_csv_structure(tmp_path, framework, text, expected):
    with pytest.raises(RecordError, match=None) as error:
        load_records(write(tmp_path, "p.csv", text), framework)
    assert expected in str(error.value)


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("a.yaml", "- id: [unclosed\n", "not valid YAML"),
        ("a.json", "{not json", "not valid JSON"),
        ("a.json", "42", "expected a list of records"),
        ("a.yaml", "- just a string\n", "record 1: expected a mapping of fields"),
        ("a.yaml", "- id: X\n  colour: red\n", "record 1 (id X): field 'colour': unknown field; expected fields: id,"),
        ("a.yaml", "- id: X\n", "record 1 (id X): field 'name': required but missing"),
    ],
)
def test_bad_structured_files(tmp_path, framework, name, text, expected):
    with pytest.raises(RecordError) as error:
        load_records(write(tmp_path, name, text), framework)
    assert any(expected in problem for problem in error.value.problems)


def test_non_utf8_file(tmp_path, framework):
    path = tmp_path / "p.csv"
    path.write_bytes(HEADER.encode() + b"\n\xff\xfe broken\n")
    with pytest.raises(RecordError, match="cannot read the file as UTF-8"):
        load_records(path, framework)


def test_an_empty_visibility_cell_means_public(tmp_path, framework):
    [r] = load_records(write(tmp_path, "p.csv", HEADER + "\n" + ROW.replace(",public,", ",,") + "\n"), framework)
    assert r.visibility == "public"
