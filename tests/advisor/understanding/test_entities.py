"""Which initiatives a text names, and how sure that is: one resolver for questions and the CLI."""

import pytest

from advisor.understanding.entities import name_after_determiner, resolve


def ids(records):
    return [r.id for r in records]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("where is CLM-001 at?", ["CLM-001"]),
        ("what's the status of clm-001", ["CLM-001"]),
        ("hows the claims triage thing going", ["CLM-001"]),
        ("what could go wrong with the patient triage agent??", ["TRI-011"]),  # not Claims Triage
        ("is the supplier email clasifier done", ["SUP-014"]),  # a typo
        ("risk profile of the route optimization agent", []),  # no such record in this set
    ],
)
def test_names(records, text, named):
    assert ids(resolve(text, records).named) == named


def test_a_name_no_initiative_has_is_not_taken_for_a_close_one(records):
    resolution = resolve("what is missing for the invoice triage assistant?", records)
    assert resolution.named == [] and resolution.unknown is not None
    assert resolution.unknown.typed == "invoice triage assistant"
    assert ids(resolution.unknown.closest)[0] == "CLM-001"
    routing = resolve("risks of the claims routing bot", records).unknown
    assert routing.typed == "claims routing bot" and ids(routing.closest) == ["CLM-001"] and routing.strong


def test_a_word_several_names_share_is_ambiguous(records):
    resolution = resolve("how is the forecasting project doing?", records)
    assert resolution.named == [] and ids(resolution.ambiguous.records) == ["DEM-002", "ENG-012"]


def test_two_different_names_are_two_subjects(records):
    resolution = resolve("how does the press line maintenance model compare with visual quality inspection?", records)
    assert ids(resolution.named) == ["QIN-007", "PDM-003"] or ids(resolution.named) == ["PDM-003", "QIN-007"]
    assert resolution.ambiguous is None and resolution.unknown is None


def test_a_lone_common_word_is_weak(records):
    strongest = resolve("do we have a policy for claims data?", records).strongest
    assert strongest is not None and not strongest.strong


@pytest.mark.parametrize(
    ("name", "resolved", "ambiguous", "closest"),
    [
        ("forecasting", [], ["DEM-002", "ENG-012"], []),
        ("energy forecasting", ["ENG-012"], [], []),
        ("claims", ["CLM-001"], [], []),
        ("CLM-001", ["CLM-001"], [], []),
        ("invoice triage assistant", [], [], ["CLM-001", "TRI-011"]),
        ("payroll", [], [], []),
    ],
)
def test_whole_names_as_the_cli_gives_them(records, name, resolved, ambiguous, closest):
    resolution = resolve(name, records, whole_name=True)
    assert ids(resolution.named) == resolved
    assert ids(resolution.ambiguous.records if resolution.ambiguous else []) == ambiguous
    assert ids(resolution.unknown.closest if resolution.unknown else []) == closest


def test_names_in_other_scripts_and_without_accents(records):
    assert ids(resolve("계약서 검토 AI의 리스크는?", records).named) == ["CON-020"]
    assert ids(resolve("계약서 검토는 어디까지 왔어?", records).named) == ["CON-020"]
    assert ids(resolve("hop dong tu dong dang o giai doan nao?", records).named) == ["HOP-030"]
    assert ids(resolve("Hợp đồng tự động", records, whole_name=True).named) == ["HOP-030"]


def test_a_name_pointed_at_but_unknown():
    assert name_after_determiner("status of the payroll anomaly detector?") == "payroll anomaly detector"
    assert name_after_determiner("the head of our logistics division is sceptical") is None
    assert name_after_determiner("our chatbot keeps inventing answers") is None
