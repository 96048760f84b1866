"""Answers that decline or ask back: out of scope, not covered by the knowledge base, a name that
fits no initiative, a name that fits several.

Their English wording is kept here, in one place (``MESSAGES``); the message catalogue
(advisor/locale) gives each in Japanese, Korean and Vietnamese.
"""

from __future__ import annotations

from advisor.answering.evidence import Evidence, Item, Quoter, Section
from advisor.answering.listing import LISTED_AT_MOST, record_items
from advisor.messages import translator
from advisor.portfolio.records import Initiative
from advisor.understanding.entities import Mention


def N_(text: str) -> str:
    """Marks a message for the catalogue; translated where it is used."""
    return text


MESSAGES = {
    "out_of_scope": N_(
        "That is not something I advise on. I help move AI initiatives from proof of concept to "
        "production; you could ask me about:"
    ),
    "what_i_do": [
        N_("one initiative: its status, next phase, missing infrastructure or risks"),
        N_(
            "the portfolio: which initiatives are stalled, lack a capability or are ready to move on, by phase, "
            "region, unit or AI type"
        ),
        N_("a practice: evaluation, guardrails, token costs, measuring ROI, ownership, agents, regulation"),
    ],
    "not_covered": N_("The knowledge base does not cover this, so I won't guess. The closest topics it does cover:"),
    "unknown_initiative": N_("I don't know an initiative called “{name}”."),
    "did_you_mean": N_("Did you mean:"),
    "no_similar_name": N_("No initiative has a similar name; the portfolio overview lists them all."),
    "ambiguous": N_("Several initiatives match “{name}”; ask again with the name or id of the one you mean."),
    "ambiguous_heading": N_("Matching initiatives"),
}


def initiative_label(record: Initiative) -> str:
    return f"{record.name} ({record.id})"


def message(key: str, language: str = "en", **values) -> str:
    return translator(language).gettext(MESSAGES[key]).format(**values)


def out_of_scope(question: str, language: str = "en") -> Evidence:
    t = translator(language)
    return Evidence(
        question=question,
        intent="out_of_scope",
        language=language,
        found=False,
        summary=message("out_of_scope", language),
        suggestions=[t.gettext(line) for line in MESSAGES["what_i_do"]],
    )


def not_covered(question: str, topics: list[str], language: str = "en") -> Evidence:
    return Evidence(
        question=question,
        intent="not_covered",
        language=language,
        found=False,
        summary=message("not_covered", language),
        suggestions=topics,
    )


def unknown_initiative_message(mention: Mention, language: str = "en") -> str:
    """One line for the CLI and Slack errors; the same words as :func:`unknown_initiative`."""
    text = message("unknown_initiative", language, name=mention.typed)
    if not mention.closest:
        return f"{text} {message('no_similar_name', language)}"
    closest = ", ".join(initiative_label(r) for r in mention.closest)
    return f"{text} {message('did_you_mean', language)} {closest}?"


def unknown_initiative(question: str, intent: str, mention: Mention, language: str = "en") -> Evidence:
    summary = message("unknown_initiative", language, name=mention.typed)
    summary += " " + message("did_you_mean" if mention.closest else "no_similar_name", language)
    return Evidence(
        question=question,
        intent=intent,
        language=language,
        found=False,
        summary=summary,
        suggestions=[initiative_label(r) for r in mention.closest],
    )


def ambiguous_message(typed: str, records: list[Initiative], language: str = "en") -> str:
    named = ", ".join(initiative_label(r) for r in records[:LISTED_AT_MOST])
    if len(records) > LISTED_AT_MOST:
        more = translator(language).gettext("…and {count} more.").format(count=len(records) - LISTED_AT_MOST)
        return message("ambiguous", language, name=typed) + f" {named} {more}"
    return message("ambiguous", language, name=typed) + f" {named}."


def ambiguous(
    question: str, intent: str, typed: str, records: list[Initiative], quoter: Quoter, language: str = "en"
) -> Evidence:
    def item(record: Initiative) -> Item:
        quote = quoter.record_phase(record)
        return Item(quote=quote) if quote else Item(lead=initiative_label(record))

    items = record_items(records, quoter, translator(language), item)
    return Evidence(
        question=question,
        intent=intent,
        language=language,
        summary=message("ambiguous", language, name=typed),
        sections=[Section(heading=message("ambiguous_heading", language), items=items)],
    )
