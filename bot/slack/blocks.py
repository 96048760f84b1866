"""An Answer as Slack messages in Block Kit: the text, the facts, the sources, feedback buttons.

Slack's limits shape everything here: 3,000 characters per section text, 2,000 per field or
button value, 10 fields per section, 10 elements per context block and 50 blocks per message.
A long answer becomes several messages; the facts, sources and buttons close the last one.
"""

from __future__ import annotations

import base64
import json
import zlib

from advisor.answering.answer import Answer, Citation
from advisor.framework import Framework
from advisor.messages import translator
from bot.slack.mrkdwn import escape, link, split_text, to_mrkdwn_blocks

MAX_BLOCKS = 50
FIELD_LIMIT = 2000
VALUE_LIMIT = 2000
CONTEXT_ELEMENTS = 10
FALLBACK_LIMIT = 3000
FEEDBACK_ACTIONS = {"feedback_helpful": "helpful", "feedback_not_helpful": "not_helpful"}
SHARE_ACTION = "share_answer"
LIST_ITEMS = 6


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(*texts: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def answer_body_blocks(answer: Answer) -> list[dict]:
    """The answer text as sections of at most 3,000 characters, then suggestions if nothing was found."""
    t = translator(answer.language)
    blocks = [section(piece) for piece in split_text(to_mrkdwn_blocks(answer.text))]
    if not answer.found and answer.suggestions:
        tips = "\n".join(f"• {escape(s)}" for s in answer.suggestions[:LIST_ITEMS])
        blocks.append(section(f"*{t.gettext('You could ask about:')}*\n{tips}"))
    return blocks or [section(f"_{t.gettext('(no answer text)')}_")]


def answer_tail_blocks(
    answer: Answer, framework: Framework, share_value: str | None = None, note: str | None = None
) -> list[dict]:
    """What closes an answer: facts, sources, a note (mrkdwn) if any, and the feedback (and share) buttons."""
    tail = facts_blocks(answer, framework) + sources_blocks(answer.citations, answer.language)
    if note:
        tail.append(context(f":lock: {note}"))
    tail.append(feedback_block(answer, share_value))
    return tail


def answer_messages(
    answer: Answer, framework: Framework, share_value: str | None = None, note: str | None = None
) -> list[dict]:
    """The whole answer as one or more ``{"text", "blocks"}`` messages within Slack's limits."""
    body = answer_body_blocks(answer)
    tail = answer_tail_blocks(answer, framework, share_value, note)
    return paginate(body, tail, fallback_text(answer.text), answer.language)


def paginate(body: list[dict], tail: list[dict], text: str, language: str = "en") -> list[dict]:
    """Split blocks into messages of at most 50 blocks; ``tail`` stays together at the end."""
    pages = [body[i : i + MAX_BLOCKS] for i in range(0, len(body), MAX_BLOCKS)] or [[]]
    if len(pages[-1]) + len(tail) <= MAX_BLOCKS:
        pages[-1] = pages[-1] + tail
    else:
        pages.append(tail)
    continued = translator(language).gettext("(continued)")
    return [{"text": text if i == 0 else continued, "blocks": blocks} for i, blocks in enumerate(pages)]


def fallback_text(markdown: str) -> str:
    """The notification (and accessibility) text: the answer's beginning, in mrkdwn."""
    pieces = split_text(to_mrkdwn_blocks(markdown), FALLBACK_LIMIT - 1) or [""]
    return pieces[0] + ("…" if len(pieces) > 1 else "")


def facts_blocks(answer: Answer, framework: Framework) -> list[dict]:
    fields = [f for f in _fact_fields(answer, framework) if f]
    if not fields:
        return []
    return [{"type": "section", "fields": [{"type": "mrkdwn", "text": f[:FIELD_LIMIT]} for f in fields[:10]]}]


def _fact_fields(answer: Answer, framework: Framework) -> list[str]:
    t = translator(answer.language)
    fields = []
    a = answer.initiative
    if a is not None:
        days = t.gettext("{days} days, *stalled*") if a.stalled else t.gettext("{days} days")
        days = days.format(days=a.days_in_phase)
        fields.append(f"*{t.gettext('Initiative')}*\n{escape(a.name)} (`{escape(a.id)}`)")
        fields.append(f"*{t.gettext('Phase')}*\n{a.phase} · {escape(t.gettext(a.phase_name))} ({days})")
    next_phase = answer.next_phase if answer.next_phase is not None else (a.next_phase if a else None)
    if next_phase is not None:
        fields.append(f"*{t.gettext('Next phase')}*\n{next_phase} · {escape(_phase_name(framework, next_phase, t))}")
    fields.append(_list_field(t, t.gettext("Unmet gate conditions"), [t.gettext(g) for g in answer.unmet_gates]))
    capabilities = [t.gettext(_capability_label(framework, c)) for c in answer.missing_capabilities]
    fields.append(_list_field(t, t.gettext("Missing capabilities"), capabilities))
    risks = [t.gettext(_risk_name(framework, answer, r)) for r in answer.risks]
    fields.append(_list_field(t, t.gettext("Risks"), risks))
    return fields


def _list_field(t, title: str, items: list[str]) -> str:
    if not items:
        return ""
    shown = [f"• {escape(i)}" for i in items[:LIST_ITEMS]]
    if len(items) > LIST_ITEMS:
        shown.append("_" + t.gettext("and {count} more").format(count=len(items) - LIST_ITEMS) + "_")
    return f"*{title}*\n" + "\n".join(shown)


def _phase_name(framework: Framework, number: int, t) -> str:
    try:
        return t.gettext(framework.phase(number).name)
    except (KeyError, ValueError, IndexError):
        return t.gettext("phase {phase}").format(phase=number)


def _capability_label(framework: Framework, capability_id: str) -> str:
    return framework.capability(capability_id).label if framework.has_capability(capability_id) else capability_id


def _risk_name(framework: Framework, answer: Answer, risk_id: str) -> str:
    if answer.initiative is not None:
        for detail in answer.initiative.risk_details:
            if detail.id == risk_id:
                return detail.name
    risk = framework.risk(risk_id)
    return risk.name if risk is not None else risk_id


def sources_blocks(citations: list[Citation], language: str = "en") -> list[dict]:
    """A "Sources" context: ``[n] Title › section``, linked where the source has a URL."""
    if not citations:
        return []
    items = [_source_item(c) for c in sorted(citations, key=lambda c: c.n)]
    items[0] = f"*{translator(language).gettext('Sources')}* {items[0]}"
    return [context(*items[i : i + CONTEXT_ELEMENTS]) for i in range(0, len(items), CONTEXT_ELEMENTS)]


def _source_item(citation: Citation) -> str:
    label = citation.title.strip() or citation.source
    last_section = citation.section.split(">")[-1].strip() if citation.section else ""
    if last_section.lower().startswith(label.lower()):
        label = last_section  # a record's section already names it: "Name (ID)"
    elif last_section:
        label = f"{label} › {last_section}"
    label = label if len(label) <= 150 else label[:149] + "…"
    shown = link(citation.url, escape(label)) if citation.url else escape(label)
    return f"[{citation.n}] {shown}"


def feedback_block(answer: Answer, share_value: str | None = None) -> dict:
    t = translator(answer.language)
    value = pack_feedback(answer)
    elements = [
        button("👍 " + t.gettext("Helpful"), "feedback_helpful", value),
        button("👎 " + t.gettext("Not helpful"), "feedback_not_helpful", value),
    ]
    if share_value:
        elements.append(button(t.gettext("Share in channel"), SHARE_ACTION, share_value, style="primary"))
    return {"type": "actions", "block_id": "advisor_feedback", "elements": elements}


def citation_refs(citations: list[Citation]) -> list[dict]:
    return [{"n": c.n, "source": c.source, "title": c.title, "section": c.section, "url": c.url} for c in citations]


def pack_feedback(answer: Answer) -> str:
    """What feedback is stored with, compressed into a button value (at most 2,000 characters).

    Carried by the button itself, so a click on any worker process, on an ephemeral message or
    days later still knows which question, answer and sources were rated. A very long answer is
    cut until it fits; the question and the sources are kept.
    """
    data = {"q": answer.question[:500], "a": answer.text, "c": citation_refs(answer.citations), "m": answer.composer}
    if answer.usage is not None:  # what the answer cost, kept with its rating
        data["u"] = [answer.usage.input_tokens, answer.usage.output_tokens]
    value = _encode(data)
    while len(value) > VALUE_LIMIT and data["a"]:
        data["a"] = data["a"][: len(data["a"]) * 3 // 4] + "…" if len(data["a"]) > 40 else ""
        value = _encode(data)
    while len(value) > VALUE_LIMIT and data["c"]:
        data["c"] = data["c"][:-1]
        value = _encode(data)
    return value


def unpack_feedback(value: str) -> dict:
    """The question, answer, citations, composer and tokens of a feedback button; ValueError when unreadable."""
    try:
        data = json.loads(zlib.decompress(base64.urlsafe_b64decode(value.encode())).decode())
    except (ValueError, zlib.error) as exc:
        raise ValueError("unreadable feedback value") from exc
    if not isinstance(data, dict) or not isinstance(data.get("q"), str):
        raise ValueError("unreadable feedback value")
    rated = {"question": data["q"], "answer": str(data.get("a", "")), "citations": list(data.get("c", []))}
    if isinstance(data.get("m"), str):
        rated["composer"] = data["m"][:200]
    usage = data.get("u")
    if isinstance(usage, list) and len(usage) == 2 and all(isinstance(n, int) and n >= 0 for n in usage):
        rated["input_tokens"], rated["output_tokens"] = usage
    return rated


def _encode(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode()
