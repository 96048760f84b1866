"""Which sentences of a passage may be quoted: whole sentences, never titles, meta text or fragments."""

import pytest

from advisor.answering.sentences import is_meta, open_list_lead, passage_sentences, split_sentences
from advisor.framework import FrameworkError, load_framework
from advisor.messages import indefinite_article
from tests.conftest import KNOWLEDGE


def test_a_sentence_is_not_cut_at_an_abbreviation():
    text = (
        "The AI steering board is chaired by the Chief Digital Officer, Ms. Sato, and meets every month. "
        "It follows the U.S. and EU rules, e.g. the NIST AI RMF, for every pilot it approves."
    )
    assert split_sentences(text) == [
        "The AI steering board is chaired by the Chief Digital Officer, Ms. Sato, and meets every month.",
        "It follows the U.S. and EU rules, e.g. the NIST AI RMF, for every pilot it approves.",
    ]


def test_a_title_line_is_not_glued_to_the_first_sentence():
    text = "Pilot funding rules\nEvery AI pilot at Acme is funded for at most six months before its first review."
    assert split_sentences(text) == ["Every AI pilot at Acme is funded for at most six months before its first review."]
    wrapped = "Every pilot is reviewed by the\nChief Digital Officer before its budget is renewed for a year."
    assert split_sentences(wrapped) == [
        "Every pilot is reviewed by the Chief Digital Officer before its budget is renewed for a year."
    ]


def test_meta_sentences_headings_and_fragments_are_never_quoted():
    text = (
        "# Business risks\n\n"
        "This document explains each risk and what to do about it in the first month.\n\n"
        "A pilot without a business owner rarely reaches production in a large enterprise.\n\n"
        "| risk | control |\n| --- | --- |\n| drift | monitoring and alerting on every feature |\n\n"
        "Rollback and versioning for every model in production"
    )
    assert split_sentences(text) == [
        "A pilot without a business owner rarely reaches production in a large enterprise."
    ]
    assert is_meta("The measuring value and ROI document explains how to choose a KPI.")
    assert is_meta("Phần này mô tả các rủi ro chính.") and is_meta("本書では主なリスクを説明します。")
    assert not is_meta("A document store needs access control on every query.")


def test_a_list_item_keeps_the_sentence_that_introduces_its_list():
    text = (
        "The business owner has these responsibilities:\n\n"
        "- Decides how the process changes and what staff do differently.\n"
        "- Defends or stops the initiative at budget reviews based on measured results."
    )
    sentences = passage_sentences(text)
    assert [s.text for s in sentences] == [
        "Decides how the process changes and what staff do differently.",
        "Defends or stops the initiative at budget reviews based on measured results.",
    ]
    assert {s.lead for s in sentences} == {"The business owner has these responsibilities:"}
    assert all(s.lead_in_passage for s in sentences)
    assert open_list_lead(text) == "The business owner has these responsibilities:"
    continued = passage_sentences("- Brings operational staff into testing and feedback loops.", carried_lead="X:")
    assert continued[0].lead == "X:" and not continued[0].lead_in_passage


def test_japanese_korean_and_vietnamese_sentences():
    assert split_sentences("生成AIの導入には明確なKPIが必要です。次に、ベースラインを測定します。") == [
        "生成AIの導入には明確なKPIが必要です。",
        "次に、ベースラインを測定します。",
    ]
    assert (
        len(split_sentences("AI 프로젝트에는 비즈니스 오너가 필요합니다. 오너는 KPI를 책임집니다.", min_words=3)) == 2
    )
    assert split_sentences(
        "Ông Nguyễn Văn An là giám đốc dự án AI của công ty. Dự án bắt đầu từ năm 2024 tại Hà Nội."
    ) == [
        "Ông Nguyễn Văn An là giám đốc dự án AI của công ty.",
        "Dự án bắt đầu từ năm 2024 tại Hà Nội.",
    ]


def test_framework_practices_are_whole_sentences(tmp_path):
    framework = load_framework(KNOWLEDGE / "framework.yaml")
    stalled = next(r for r in framework.risks if r.id == "stalled")
    assert stalled.practices == ["Decide within one review cycle whether to unblock, re-scope or stop it"]
    broken = (
        (KNOWLEDGE / "framework.yaml")
        .read_text()
        .replace(
            "    practices:\n      - Decide within one review cycle whether to unblock, re-scope or stop it",
            "    practices: [Decide within one review cycle whether to unblock, re-scope or stop it]",
        )
    )
    (tmp_path / "framework.yaml").write_text(broken)
    with pytest.raises(FrameworkError, match="'re-scope or stop it' does not start a sentence"):
        load_framework(tmp_path / "framework.yaml")


@pytest.mark.parametrize(
    ("phrase", "article"),
    [("AI agent", "an"), ("ML model", "an"), ("Generative AI", "a"), ("GenAI pilot", "a"), ("LLM app", "an")],
)
def test_indefinite_article_by_sound(phrase, article):
    assert indefinite_article(phrase) == article
