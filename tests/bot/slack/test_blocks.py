"""An Answer as Block Kit: text, facts, sources, feedback; within Slack's limits."""

import json

import pytest

from advisor.answering.answer import Citation
from advisor.messages import translator
from bot.slack.blocks import (
    FIELD_LIMIT,
    MAX_BLOCKS,
    VALUE_LIMIT,
    answer_messages,
    pack_feedback,
    sources_blocks,
    unpack_feedback,
)
from tests.bot.slack.fakes import make_answer


def test_answer_message_has_text_facts_sources_and_feedback(framework):
    [message] = answer_messages(make_answer(), framework)
    blocks = message["blocks"]
    assert [b["type"] for b in blocks] == ["section", "section", "context", "actions"]
    text = blocks[0]["text"]["text"]
    assert text.startswith("*Claims Triage Assistant* (CLM-001) is in phase 2.")
    assert "• *Guardrails* &lt;checked&gt; outside the model [2]" in text
    facts = [f["text"] for f in blocks[1]["fields"]]
    assert "*Next phase*\n3 · " + framework.phase(3).name in facts
    assert "*Missing capabilities*\n• Monitoring and observability\n• Guardrails" in facts
    assert f"*Risks*\n• {framework.risk('hallucination').name}" in facts  # the risk's name, not its id
    assert message["text"] == text  # the notification fallback, in mrkdwn too


@pytest.mark.parametrize("language", ["ja", "ko", "vi"])
def test_labels_and_buttons_are_in_the_answers_language(framework, language):
    t = translator(language)
    [message] = answer_messages(make_answer(language=language), framework, share_value="x")
    facts = [f["text"] for f in message["blocks"][1]["fields"]]
    capabilities = t.gettext("Missing capabilities")
    assert f"*{capabilities}*\n• {t.gettext('Monitoring and observability')}\n• {t.gettext('Guardrails')}" in facts
    assert message["blocks"][2]["elements"][0]["text"].startswith(f"*{t.gettext('Sources')}* [1]")
    buttons = [e["text"]["text"] for e in message["blocks"][3]["elements"]]
    assert buttons == ["👍 " + t.gettext("Helpful"), "👎 " + t.gettext("Not helpful"), t.gettext("Share in channel")]
    assert "Missing capabilities" not in json.dumps(message, ensure_ascii=False)


def test_sources_are_numbered_titled_and_linked_when_they_have_a_url():
    [block] = sources_blocks(make_answer().citations)
    texts = [e["text"] for e in block["elements"]]
    assert texts == [
        "*Sources* [1] The MLOps checklist › Monitoring and observability",
        "[2] <https://example.com/guardrails?a=1&amp;b=2|Guardrails &amp; &lt;you&gt;>",
    ]


def test_many_sources_spread_over_context_blocks_of_ten():
    citations = [Citation(n=i, source=f"d{i}.md", title=f"Doc {i}", section="", snippet="s") for i in range(1, 24)]
    blocks = sources_blocks(citations)
    assert [len(b["elements"]) for b in blocks] == [10, 10, 3]


def test_feedback_buttons_carry_question_answer_and_sources_within_limits():
    answer = make_answer()
    value = pack_feedback(answer)
    assert len(value) <= VALUE_LIMIT
    unpacked = unpack_feedback(value)
    assert unpacked["question"] == answer.question and unpacked["answer"] == answer.text
    assert [c["n"] for c in unpacked["citations"]] == [1, 2]
    assert unpacked["citations"][1]["url"] == "https://example.com/guardrails?a=1&b=2"


def test_feedback_value_of_a_huge_answer_is_cut_to_fit():
    huge = make_answer(text="Words that do not compress well: " + " ".join(str(i * 7919) for i in range(6000)))
    value = pack_feedback(huge)
    assert len(value) <= VALUE_LIMIT
    unpacked = unpack_feedback(value)
    assert unpacked["answer"].endswith("…") and unpacked["question"] == huge.question and unpacked["citations"]


def test_unreadable_feedback_value_is_a_value_error():
    with pytest.raises(ValueError):
        unpack_feedback("not-a-value")


def test_long_answer_is_split_into_sections_and_messages_within_limits(framework):
    paragraphs = [f"Paragraph {i}: " + "evidence " * 300 + f"[{i % 2 + 1}]" for i in range(80)]
    messages = answer_messages(make_answer(text="\n\n".join(paragraphs)), framework)
    assert len(messages) >= 2
    for message in messages:
        assert len(message["blocks"]) <= MAX_BLOCKS
        for block in message["blocks"]:
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= 3000
            for field in block.get("fields", []):
                assert len(field["text"]) <= FIELD_LIMIT
    assert messages[-1]["blocks"][-1]["type"] == "actions"  # facts, sources and buttons close the answer
    shown = "".join(b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] == "section" and "text" in b)
    assert all(f"Paragraph {i}:" in shown for i in range(80))


def test_not_found_answer_offers_suggestions_and_no_empty_facts(framework):
    answer = make_answer(
        text="I found nothing about quantum widgets.",
        found=False,
        citations=[],
        suggestions=["Drift detection", "Guardrails"],
        missing_capabilities=[],
        unmet_gates=[],
        next_phase=None,
        risks=[],
    )
    [message] = answer_messages(answer, framework)
    types = [b["type"] for b in message["blocks"]]
    assert types == ["section", "section", "actions"]
    assert message["blocks"][1]["text"]["text"] == "*You could ask about:*\n• Drift detection\n• Guardrails"


def test_share_button_is_added_when_asked(framework):
    [message] = answer_messages(make_answer(), framework, share_value=json.dumps({"cmd": "ask", "arg": "q"}))
    actions = message["blocks"][-1]["elements"]
    assert [a["action_id"] for a in actions] == ["feedback_helpful", "feedback_not_helpful", "share_answer"]
