"""Initiative names in Korean, Japanese and Vietnamese match as English names do."""

from datetime import date

import pytest

from advisor.portfolio.records import Initiative
from advisor.understanding.matching import best_matches


def record(rid: str, name: str, region: str) -> Initiative:
    return Initiative(
        id=rid, name=name, business_unit="Legal", region=region, ai_type="genai", phase=2, phase_since=date(2026, 1, 1)
    )


RECORDS = [
    record("LEG-1", "계약서 검토 AI", "Korea"),
    record("VN-2", "Phân tích hợp đồng", "Vietnam"),
    record("JP-3", "請求書仕分けAI", "Japan"),
    record("CLM-001", "Claims Triage Assistant", "Japan"),
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("계약서 검토 AI의 리스크는?", "LEG-1"),  # the full name, a particle attached
        ("계약서 검토는 어떻게 되고 있나요?", "LEG-1"),  # a loose mention
        ("Phân tích hợp đồng cần gì để lên giai đoạn 3?", "VN-2"),
        ("phan tich hop dong dang o giai doan nao?", "VN-2"),  # typed without accents
        ("請求書仕分けAIの状況は？", "JP-3"),
        ("請求書仕分けの次のフェーズは？", "JP-3"),
        ("what is missing for the claims triage assistant?", "CLM-001"),
    ],
)
def test_names_match_in_every_script(question, expected):
    assert [m.record.id for m in best_matches(question, RECORDS)] == [expected]


def test_a_question_naming_none_of_them_matches_none():
    assert best_matches("how do we measure ROI?", RECORDS) == []
