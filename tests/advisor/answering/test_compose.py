"""Guidance answers as an advisor writes them, and the answer's own words in the asker's language."""

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from advisor.access import Requester
from advisor.answering import declines
from advisor.answering.sentences import is_meta, normalize
from advisor.messages import LOCALE_DIR, catalogue_path, translator
from tests.conftest import KNOWLEDGE, TODAY, make_settings

EMPLOYEE = Requester(user_id="U1", channel_id="C_GENERAL")
ROOT = KNOWLEDGE.parent
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def headings(text: str) -> list[str]:
    return [line.strip("*") for line in text.splitlines() if line.startswith("**") and line.endswith("**")]


def quoted(text: str) -> list[tuple[int, str]]:
    """(citation number, quoted sentence) of every cited line."""
    found = []
    for line in text.splitlines():
        match = re.match(r"^\s*(?:-\s+)?(?:.* — )?(.+?) \[(\d+)\]$", line)
        if match:
            found.append((int(match.group(2)), normalize(match.group(1))))
    return found


def assert_quotes_are_verbatim(advisor, answer):
    by_n = {c.n: c for c in answer.citations}
    for n, sentence in quoted(answer.text):
        citation = by_n[n]
        stored = advisor.index.vectors.get(where={"section": citation.section})
        passages = [normalize(doc) for _, doc, meta in stored if citation.source in (meta["source"], meta.get("url"))]
        assert any(sentence in p for p in passages), (answer.question, n, sentence)


def test_token_spend_answer_opens_with_the_answer_and_stays_on_topic(bundled_advisor):
    answer = bundled_advisor.ask("our LLM bill tripled, how do we keep token spend under control?", EMPLOYEE)
    first = answer.text.splitlines()[0]
    assert re.search(r"\[1\]$", first) and "token" in first.lower()
    sections = [c.section for c in answer.citations]
    assert not any("No business owner" in s for s in sections), sections
    assert any(s.endswith("> Token cost tracking") or s.endswith("> Token cost") for s in sections)
    assert 1 <= len(headings(answer.text)) <= 3
    assert_quotes_are_verbatim(bundled_advisor, answer)


def test_no_meta_sentence_fragment_or_duplicate_in_guidance(bundled_advisor):
    questions = [
        "the head of our logistics division is sceptical, how do I get him on board?",
        "who should own an ai project, IT or the business?",
        "how do we stop the bot from making stuff up",
        "what should we log for every agent run so we can audit it later",
    ]
    for question in questions:
        answer = bundled_advisor.ask(question, EMPLOYEE)
        assert "This document" not in answer.text, answer.text
        lines = [line for line in answer.text.splitlines() if line.strip()]
        assert len(set(lines)) == len(lines), answer.text
        for _, sentence in quoted(answer.text):
            assert not is_meta(sentence) and sentence[-1] in ".!?:", sentence
        assert_quotes_are_verbatim(bundled_advisor, answer)


def test_key_points_are_grouped_under_the_section_they_quote(bundled_advisor):
    answer = bundled_advisor.ask("users dont trust the model outputs, how do we fix that", EMPLOYEE)
    by_n = {c.n: c for c in answer.citations}
    current = None
    groups = 0
    for line in answer.text.splitlines()[1:]:
        if line.startswith("**"):
            current, groups = line.strip("*"), groups + 1
        for n in re.findall(r"\[(\d+)\]", line):
            section = by_n[int(n)].section.split(" > ")
            assert current and current.startswith(section[-1]), (line, current)
    assert 1 <= groups <= 3


def test_list_items_are_quoted_under_their_lead_in(bundled_advisor):
    answer = bundled_advisor.ask("what should the business owner of an AI pilot be responsible for?", EMPLOYEE)
    lines = answer.text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("  - "):  # a list item: the line above it in the group introduces its list
            above = next(lines[j] for j in range(i - 1, -1, -1) if not lines[j].startswith("  - "))
            assert re.search(r": \[\d+\]$", above), (above, line)


def test_readiness_framing_uses_the_right_article(bundled_advisor):
    answer = bundled_advisor.ask("what must be in place before we launch an AI agent?", EMPLOYEE)
    assert answer.text.startswith("Before an AI agent initiative goes live")
    assert " a AI" not in answer.text


@pytest.mark.parametrize("language", ["ja", "ko", "vi"])
def test_portfolio_answers_are_framed_in_the_askers_language(bundled_advisor, language):
    from advisor.answering.compose import ExtractiveComposer
    from advisor.answering.evidence import Quoter
    from advisor.answering.portfolio_facts import portfolio_evidence
    from advisor.understanding.intents import parse_filter

    advisor = bundled_advisor
    records = advisor.portfolio.all(EMPLOYEE)
    assessed = {r.id: advisor.assess(r.id, EMPLOYEE) for r in records}
    filters = parse_filter("genai japan", records, advisor.framework)
    quoter = Quoter(advisor.index, advisor.settings.knowledge_dir, EMPLOYEE)
    evidence = portfolio_evidence("q", records, assessed, filters, advisor.framework, quoter, 180, None, language)
    text, _citations = ExtractiveComposer().compose(evidence)
    t = translator(language)
    template = t.ngettext(
        "**{count}** of the {total} initiatives you can see matches: {filter}.",
        "**{count}** of the {total} initiatives you can see match: {filter}.",
        1,
    )
    first = text.splitlines()[0]
    assert "initiatives you can see" not in first and t.gettext("Generative AI") in first
    assert re.fullmatch(".*".join(map(re.escape, _PLACEHOLDER.split(template)[::2])), first), first
    assert f"**{t.gettext('Initiatives')}**" in text


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("토큰 비용이 폭증하지 않게 하려면 어떻게 해야 하나요?", "Token cost tracking"),
        ("AIエージェントの権限はどこまで与えるべき？", "Before an agent gets write access"),
    ],
)
def test_a_short_guide_in_the_askers_language_does_not_crowd_out_the_section_that_answers(
    bundled_advisor, question, wanted
):
    """The Japanese, Korean and Vietnamese guides sit closer to a question in their language only
    because they share it; the English section that treats the question in depth still leads."""
    answer = bundled_advisor.ask(question, EMPLOYEE)
    assert answer.intent == "general_guidance"
    assert any(h.startswith(wanted) for h in headings(answer.text)[:2]), headings(answer.text)
    assert_quotes_are_verbatim(bundled_advisor, answer)


def test_initiative_answer_in_japanese_keeps_quotes_in_english(bundled_advisor):
    answer = bundled_advisor.ask("CLM-001の状況は？", EMPLOYEE)
    t = translator("ja")
    assert answer.language == "ja" and answer.initiative.id == "CLM-001"
    assert t.gettext("From the initiative record") in answer.text
    assert "Claims Triage Assistant (CLM-001) is in phase 2" in answer.text  # the record, quoted as written
    assert t.gettext("Quotes are in the language of their source.") in answer.text
    assert_quotes_are_verbatim(bundled_advisor, answer)


def test_nothing_found_is_said_in_the_askers_language(tmp_path):
    from advisor import Advisor

    advisor = Advisor(make_settings(tmp_path / "data"), today=TODAY)  # nothing indexed
    for language, question in [
        ("ja", "AIのROIはどうやって測ればいい？"),
        ("ko", "AI 프로젝트의 ROI는 어떻게 측정해?"),
    ]:
        answer = advisor.ask(question, EMPLOYEE)
        assert not answer.found and answer.language == language
        assert answer.text.startswith(declines.message("not_covered", language))


def _code_messages() -> set[str]:
    keywords = {"gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for folder in ("advisor", "bot"):
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / folder, keywords=keywords):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _framework_messages() -> set[str]:
    from advisor.framework import load_framework

    f = load_framework(KNOWLEDGE / "framework.yaml")
    texts = {p.name for p in f.phases} | {t.label for t in f.ai_types.values()} | {c.label for c in f.capabilities}
    texts |= {c.text for g in f.gates for c in g.conditions}
    return texts | {r.name for r in f.risks} | {p for r in f.risks for p in r.practices}


@pytest.mark.parametrize("language", ["ja", "ko", "vi"])
def test_every_message_is_translated_with_the_same_placeholders(language):
    with catalogue_path(language).open("rb") as source:
        catalog = read_po(source, locale=language)
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    wanted = _code_messages() | _framework_messages()
    assert wanted - set(translated) == set(), "untranslated"
    assert set(translated) - wanted == set(), "no longer used"
    for msgid, message in translated.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, msgid
        for string in strings:
            assert set(_PLACEHOLDER.findall(string)) <= set(_PLACEHOLDER.findall(msgid)), (msgid, string)
    assert sorted(p.name for p in LOCALE_DIR.iterdir()) == ["ja", "ko", "vi"]


def test_a_continued_sentence_keeps_the_capitals_of_its_first_word():
    from advisor.answering.facts import _lower_first

    assert _lower_first("Name an accountable owner") == "name an accountable owner"
    assert _lower_first("AI literacy for managers") == "AI literacy for managers"
    assert _lower_first("PoCで測定したKPIの値") == "PoCで測定したKPIの値"


def test_sentence_vectors_are_kept_on_disk_for_the_next_process(bundled_advisor, tmp_path, monkeypatch):
    import numpy as np

    from advisor.answering.sentence_bank import SentenceBank

    index = bundled_advisor.index
    chunks = [h.chunk for h in index.search("how do we detect data drift?", EMPLOYEE, k=4)]
    built = SentenceBank(index, folder=tmp_path).sentences(chunks)
    embedded: list[int] = []
    real = index.embedder.embed_passages
    monkeypatch.setattr(index.embedder, "embed_passages", lambda texts: embedded.append(len(texts)) or real(texts))

    again = SentenceBank(index, folder=tmp_path).sentences(chunks)  # as a new process would
    assert sum(embedded) == 0
    for first, second in zip(built, again):
        assert [c.quote.sentence for c in first.candidates] == [c.quote.sentence for c in second.candidates]
        assert np.allclose(first.vectors, second.vectors, atol=2e-3)

    stored = sorted(tmp_path.rglob("*.npy"))
    assert len(stored) == len(chunks)
    stored[0].write_bytes(b"not an array")  # a damaged file is embedded again, not trusted
    repaired = SentenceBank(index, folder=tmp_path).sentences(chunks)
    assert sum(embedded) > 0
    assert all(np.allclose(a.vectors, b.vectors, atol=2e-3) for a, b in zip(built, repaired))
