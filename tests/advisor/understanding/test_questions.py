"""Advisor.ask understands each class of question, in each language, over the bundled knowledge:
one initiative, the portfolio, comparisons and rankings, guidance, follow-ups, declines, names
that fit no initiative or several."""

import pytest

from advisor.access import Requester
from advisor.answering.declines import MESSAGES, message
from advisor.errors import NotFoundError
from advisor.messages import translator

EMPLOYEE = Requester(user_id="U_EMPLOYEE", channel_id="C_GENERAL")


def ask(advisor, question, history=None):
    return advisor.ask(question, EMPLOYEE, history)


@pytest.mark.parametrize(
    ("question", "intent", "initiative"),
    [
        ("whats left before the inventory sync agent can go to phase 3?", "next_phase", "INV-008"),
        ("does the demand forecasting model have drift monitoring", "missing_infrastructure", "DEM-002"),
        ("anything risky about the route optimisation agent?", "risks", "RTE-004"),
        ("CLM-001の状況を教えて", "initiative_status", "CLM-001"),
        ("HR-005에 빠진 인프라가 뭐야?", "missing_infrastructure", "HR-005"),
        ("rủi ro của Payment Fraud Scoring là gì?", "risks", "FRD-009"),
    ],
)
def test_one_initiative(bundled_advisor, question, intent, initiative):
    answer = ask(bundled_advisor, question)
    assert (answer.intent, answer.initiative.id if answer.initiative else None) == (intent, initiative), answer.text


@pytest.mark.parametrize(
    ("question", "initiatives"),
    [
        ("how many agents do we have in phase 2 or 3?", ["INV-008", "TRI-011"]),
        ("what does manufacturing have in the pipeline?", ["PDM-003", "QIN-007"]),
        ("which projects could be promoted to the next phase?", ["DEM-002", "ENG-012", "FRD-009"]),
        ("are there initiatives with nobody accountable on the business side?", ["HR-005"]),
        ("ML models in Japan without drift monitoring", []),
        ("停滞しているイニシアチブはどれ？", ["CSA-006", "PDM-003"]),
        ("한국에 있는 머신러닝 프로젝트 목록", ["DEM-002", "ENG-012"]),
        ("các agent ở giai đoạn 2 hoặc 3", ["INV-008", "TRI-011"]),
    ],
)
def test_the_portfolio(bundled_advisor, question, initiatives):
    answer = ask(bundled_advisor, question)
    assert answer.intent == "portfolio_status" and sorted(answer.initiatives) == initiatives, answer.text


def test_a_ranking_counts_by_region(bundled_advisor):
    answer = ask(bundled_advisor, "which region has the most stalled initiatives?")
    assert answer.intent == "portfolio_status" and sorted(answer.initiatives) == ["CSA-006", "PDM-003"]
    assert "**Global** and **Vietnam** are tied" in answer.text
    assert "[1]" in answer.text and len(answer.citations) == 2  # each initiative cited to its record


def test_a_comparison_of_two_initiatives(bundled_advisor):
    answer = ask(bundled_advisor, "compare CLM-001 and INV-008")
    assert answer.intent == "comparison" and answer.initiatives == ["CLM-001", "INV-008"]
    assert "**Claims Triage Assistant** is the furthest along" in answer.text  # same phase, fewer gaps
    assert "Missing capabilities (5 of 12)" in answer.text and "Missing capabilities (8 of 16)" in answer.text


def test_a_comparison_of_two_regions(bundled_advisor):
    answer = ask(bundled_advisor, "compare japan and korea")
    assert answer.intent == "comparison"
    assert sorted(answer.initiatives) == ["CLM-001", "CON-010", "DEM-002", "ENG-012", "HR-005", "INV-008", "QIN-007"]
    assert "Japan 3, Korea 4" in answer.text


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("ja", "CLM-001とINV-008を比較して"),
        ("ko", "CLM-001이랑 INV-008 비교해줘"),
        ("vi", "so sánh CLM-001 và INV-008"),
    ],
)
def test_a_comparison_is_framed_in_the_askers_language(bundled_advisor, language, question):
    answer = ask(bundled_advisor, question)
    t = translator(language)
    assert answer.intent == "comparison" and answer.language == language
    assert t.gettext("**{name}** is the furthest along.").format(name="Claims Triage Assistant") in answer.text
    assert t.gettext("Missing capabilities ({missing} of {required}): {items}.").split("{")[0] in answer.text
    assert "furthest along" not in answer.text and "Missing capabilities" not in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "what is our AI policy on data retention?",
        "Pinecone or Weaviate?",
        "H100 rental cost in Tokyo?",
        "what does Korea's AI Basic Act require?",
        "韓国のAI基本法では何が義務になりますか？",
    ],
)
def test_not_covered_says_so_with_the_closest_topics(bundled_advisor, question):
    answer = ask(bundled_advisor, question)
    assert answer.intent in ("not_covered", "out_of_scope") and not answer.found and answer.citations == []
    if answer.intent == "not_covered":
        assert answer.text.startswith(message("not_covered", answer.language)) and answer.suggestions


@pytest.mark.parametrize(
    "question",
    [
        "write me a python function that reverses a linked list",
        "what's the weather like in osaka this weekend",
        "any good ramen places near shibuya station?",
        "오늘 서울 날씨 어때?",
        "viết giúp tôi hàm python sắp xếp danh sách",
    ],
)
def test_out_of_scope_is_declined_with_what_the_advisor_does(bundled_advisor, question):
    answer = ask(bundled_advisor, question)
    assert answer.intent == "out_of_scope" and not answer.found and answer.citations == []
    assert answer.text.startswith(message("out_of_scope", answer.language))
    assert answer.suggestions == [translator(answer.language).gettext(s) for s in MESSAGES["what_i_do"]]


@pytest.mark.parametrize(
    "question",
    [
        "do we have a policy for prompt injection?",  # "policy" is a word of the HR Policy Q&A Copilot's name
        "our LLM bill tripled, how do we keep token spend under control?",
        "the head of our logistics division is sceptical, how do I get him on board?",
        "エージェントに本番システムへの書き込みを許可する前に何を確認すべき？",
        "모델 성능이 떨어지는 걸 어떻게 알아차리나요?",
        "lam sao phat hien data drift trong production?",
    ],
)
def test_guidance_is_answered_from_the_practices(bundled_advisor, question):
    answer = ask(bundled_advisor, question)
    assert answer.intent == "general_guidance" and answer.found and answer.initiative is None, answer.text
    assert any(c.kind == "practice" for c in answer.citations)


def test_a_name_no_initiative_has_gets_did_you_mean(bundled_advisor):
    answer = ask(bundled_advisor, "what is missing for the invoice triage assistant?")
    assert answer.intent == "missing_infrastructure" and answer.initiative is None and not answer.found
    assert answer.text.startswith("I don't know an initiative called “invoice triage assistant”. Did you mean:")
    assert answer.suggestions[0] == "Claims Triage Assistant (CLM-001)"


def test_a_name_several_initiatives_share_lists_them(bundled_advisor):
    answer = ask(bundled_advisor, "how is the forecasting project doing?")
    assert answer.initiative is None and answer.initiatives == ["DEM-002", "ENG-012"]
    assert "Several initiatives match" in answer.text


def test_the_cli_and_slack_resolver_say_the_same(bundled_advisor):
    with pytest.raises(NotFoundError, match=r"(?i)several initiatives.*Store Demand Forecasting \(DEM-002\)"):
        bundled_advisor.find_initiative("forecasting", EMPLOYEE)
    with pytest.raises(NotFoundError, match=r"called “invoice triage assistant”\. Did you mean: Claims Triage"):
        bundled_advisor.find_initiative("invoice triage assistant", EMPLOYEE)
    with pytest.raises(NotFoundError, match="No initiative has a similar name"):
        bundled_advisor.find_initiative("payroll anomaly detector", EMPLOYEE)
    assert bundled_advisor.find_initiative("energy forecasting", EMPLOYEE).id == "ENG-012"


def test_restricted_names_are_never_offered(bundled_advisor):
    answer = ask(bundled_advisor, "what is missing for the deal room summary bot?")
    assert "MNA-013" not in answer.model_dump_json() and "Deal Room" not in answer.text
    with pytest.raises(NotFoundError) as error:
        bundled_advisor.find_initiative("deal room", EMPLOYEE)
    assert "MNA-013" not in str(error.value)


CONVERSATION = ["what is missing for CLM-001?"]


@pytest.mark.parametrize(
    ("question", "intent", "initiative"),
    [
        ("and its risks?", "risks", "CLM-001"),
        ("what about the next phase?", "next_phase", "CLM-001"),
        ("and the route optimisation agent?", "missing_infrastructure", "RTE-004"),  # same aspect, new subject
        ("じゃあリスクは？", "risks", "CLM-001"),
        ("그럼 다음 단계는?", "next_phase", "CLM-001"),
        ("còn rủi ro thì sao?", "risks", "CLM-001"),
        ("what's the weather in tokyo today?", "out_of_scope", None),
        ("what is LLMOps?", "general_guidance", None),
        ("how do we measure ROI?", "general_guidance", None),
        ("which initiatives are stalled?", "portfolio_status", None),
    ],
)
def test_context_only_for_real_follow_ups(bundled_advisor, question, intent, initiative):
    answer = ask(bundled_advisor, question, CONVERSATION)
    assert (answer.intent, answer.initiative.id if answer.initiative else None) == (intent, initiative), answer.text


def test_a_portfolio_follow_up_narrows_the_earlier_filter(bundled_advisor):
    answer = ask(bundled_advisor, "what about Korea?", ["which genai initiatives are in Japan?"])
    assert answer.intent == "portfolio_status" and sorted(answer.initiatives) == ["CON-010", "HR-005"]
    vi = ask(bundled_advisor, "còn Hàn Quốc thì sao?", ["các dự án genai ở Nhật Bản"])
    assert sorted(vi.initiatives) == ["CON-010", "HR-005"]


def test_a_follow_up_without_a_conversation_stands_alone(bundled_advisor):
    assert ask(bundled_advisor, "and what are its risks?").initiative is None
