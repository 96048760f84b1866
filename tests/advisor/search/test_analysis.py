"""Keyword search reads English, Japanese, Korean and Vietnamese (real bm25s, ICU and Snowball)."""

import pytest

from advisor.search.analysis import analyze
from advisor.search.keyword import KeywordIndex

DOCS = {
    "ja-eval": "生成AIを本番環境へ移行する前に、業務部門と一緒に評価データセットを整備します。",
    "ja-owner": "事業オーナーが決まっていない取り組みは、PoCの後に予算がつかず停滞しがちです。",
    "ja-cost": "トークン費用はユースケースごと、利用者ごとに記録し、月次の予算を超えたら通知します。",
    "ko-portfolio": "한국에서 진행 중인 생성형 AI 이니셔티브는 분기마다 경영진에게 보고됩니다.",
    "ko-agent": "에이전트가 결제 시스템에 쓰기 권한을 갖기 전에 사람의 승인이 필요합니다.",
    "vi-roi": "Đo lường ROI của dự án AI tạo sinh bằng một KPI kinh doanh có giá trị cơ sở và mục tiêu.",
    "vi-drift": "Giám sát trôi dữ liệu giúp phát hiện khi mô hình bắt đầu dự đoán sai.",
    "en-pipelines": "Continuous deployment pipelines roll models out with canary releases and rollbacks.",
    "en-owners": "Every initiative needs a named business owner who is accountable for adoption.",
}


@pytest.fixture(scope="module")
def keyword():
    ids = list(DOCS)
    return KeywordIndex.build(ids, [DOCS[i] for i in ids], [{} for _ in ids])


def top(keyword: KeywordIndex, query: str) -> str:
    return keyword.ids[keyword.search(query, 3, None)[0][0]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("本番環境に移行する前に何を準備すべき？", "ja-eval"),  # no spaces: dictionary words and bigrams
        ("オーナー不在のまま停滞", "ja-owner"),
        ("トークンの予算", "ja-cost"),
        ("한국 생성형 AI 이니셔티브 현황", "ko-portfolio"),  # 이니셔티브 inside 이니셔티브는
        ("에이전트 쓰기 권한 승인", "ko-agent"),
        ("Làm thế nào để đo lường ROI?", "vi-roi"),
        ("lam the nao de do luong ROI", "vi-roi"),  # typed without accents
        ("giam sat troi du lieu", "vi-drift"),
        ("deploying a pipeline with rollback", "en-pipelines"),  # English stemming kept
        ("who owns the initiative", "en-owners"),
    ],
)
def test_each_language_finds_its_document(keyword, query, expected):
    assert top(keyword, query) == expected


def test_english_is_stemmed_and_stop_words_dropped():
    assert analyze(["The pipelines are deploying models"])[0] == ["pipelin", "deploy", "model"]


def test_vietnamese_keeps_accents_and_adds_the_folded_form():
    assert analyze(["Đo lường"])[0] == ["đo", "do", "lường", "luong"]


def test_japanese_keeps_voicing_marks_and_reads_fullwidth_latin():
    terms = analyze(["ＡＩエージェントのフェーズ"])[0]
    assert "ai" in terms and "フェーズ" in terms and "フェース" not in terms


def test_coverage_says_how_much_of_a_question_keyword_search_can_read(keyword):
    english_only = KeywordIndex.build(["a"], [DOCS["en-owners"]], [{}])
    assert english_only.coverage("the initiative's business owner") == 1.0
    assert english_only.coverage("事業オーナーは誰ですか") == 0.0
    assert keyword.coverage("事業オーナーは誰ですか") > 0.5
