"""Portfolio filters as questions name them, in English, Japanese, Korean and Vietnamese."""

import pytest

from advisor.understanding.filters import grouping_named, parse_filter, phases_named
from advisor.understanding.matching import folded


@pytest.mark.parametrize(
    ("text", "phases"),
    [
        ("how many agents do we have in phase 2 or 3?", {2, 3}),
        ("list everything in phases 2 and 3", {2, 3}),
        ("genai stuff in phases 2-4?", {2, 3, 4}),
        ("phases 2, 3 and 4", {2, 3, 4}),
        ("from phase 1 to phase 3", {1, 2, 3}),
        ("フェーズ2か3にあるエージェント", {2, 3}),
        ("フェーズ2〜4の案件", {2, 3, 4}),
        ("2단계나 3단계에 있는 에이전트는?", {2, 3}),
        ("2~4단계 프로젝트", {2, 3, 4}),
        ("các agent ở giai đoạn 2 hoặc 3", {2, 3}),
        ("cac du an o giai doan 1 va 2", {1, 2}),
        ("2", {2}),
        ("which initiatives are stalled?", set()),
    ],
)
def test_phases_lists_and_ranges(text, phases):
    assert phases_named(folded(text)) == phases


def _filter(text, records, framework):
    return parse_filter(folded(text), records, framework)


def test_business_unit_is_not_a_capability(records, framework):
    f = _filter("what does manufacturing have in the pipeline?", records, framework)
    assert f.business_units == ("Manufacturing",) and not f.having and not f.missing


@pytest.mark.parametrize(
    "text",
    [
        "which projects could be promoted to the next phase?",
        "which ones are ready to move on",
        "次のフェーズに進めるイニシアチブは？",
        "다음 단계로 넘어갈 준비가 된 프로젝트는?",
        "dự án nào sẵn sàng chuyển giai đoạn?",
    ],
)
def test_ready(records, framework, text):
    assert _filter(text, records, framework).ready


@pytest.mark.parametrize(
    "text",
    [
        "who hasn't measured their KPI yet",
        "which initiatives have no KPI",
        "KPIをまだ測定していないプロジェクトは？",
        "KPI를 측정하지 않은 이니셔티브는?",
        "dự án nào chưa đo KPI?",
    ],
)
def test_without_kpi(records, framework, text):
    assert _filter(text, records, framework).without_kpi


@pytest.mark.parametrize(
    "text",
    [
        "are there initiatives with nobody accountable on the business side?",
        "which initiatives have no business owner",
        "ビジネスオーナーがいない案件はある？",
        "비즈니스 오너가 없는 프로젝트 있어?",
        "dự án nào chưa có người phụ trách phía kinh doanh?",
    ],
)
def test_without_owner(records, framework, text):
    assert _filter(text, records, framework).without_owner


def test_ml_models_in_a_region_without_a_capability(records, framework):
    f = _filter("ML models in Japan without drift monitoring", records, framework)
    assert (f.ai_types, f.regions, f.missing, f.having) == (("ml",), ("Japan",), ("drift_detection",), ())
    ko = _filter("모니터링이 없는 한국의 머신러닝 프로젝트", records, framework)
    assert (ko.ai_types, ko.regions, ko.missing) == (("ml",), ("Korea",), ("monitoring",))


@pytest.mark.parametrize(
    ("text", "stalled", "types", "regions"),
    [
        ("停滞している日本の生成AI案件", True, ("genai",), ("Japan",)),
        ("정체된 베트남 에이전트", True, ("agent",), ("Vietnam",)),
        ("những dự án genai ở Hàn Quốc đang bị đình trệ", True, ("genai",), ("Korea",)),
        ("anything stuck for ages in korea?", True, (), ("Korea",)),
    ],
)
def test_stalled_types_and_regions_in_every_language(records, framework, text, stalled, types, regions):
    f = _filter(text, records, framework)
    assert (f.stalled, f.ai_types, f.regions) == (stalled, types, regions)


def test_units_in_other_languages(records, framework):
    assert _filter("製造部門のAI案件は？", records, framework).business_units == ("Manufacturing",)
    assert _filter("법무 부서 프로젝트", records, framework).business_units == ("Legal",)


@pytest.mark.parametrize(
    ("text", "grouping"),
    [
        ("which region has the most stalled initiatives?", "region"),
        ("which business unit has the most initiatives?", "business_unit"),
        ("最も停滞案件が多い地域は？", "region"),
        ("가장 많은 프로젝트를 가진 부서는?", "business_unit"),
        ("which initiatives are stalled?", None),
        ("which region is CLM-001 in?", None),
    ],
)
def test_rankings(text, grouping):
    assert grouping_named(folded(text)) == grouping
