"""Lists of initiatives in answers: a handful, then how many more and where to see every one.

A portfolio of thousands must not become an answer of thousands of lines (nor a Slack thread of
dozens of messages). Every list of initiatives shows at most ``LISTED_AT_MOST``; the rest are
counted, and `advisor portfolio --csv FILE` / `--json` hold them all.
"""

from __future__ import annotations

from collections.abc import Callable
from gettext import NullTranslations

from advisor.answering.evidence import Item, Quoter
from advisor.portfolio.records import Initiative

LISTED_AT_MOST = 15


def more_item(count: int, t: NullTranslations) -> Item:
    """ "…and N more", and where the whole list is."""
    more = t.gettext("…and {count} more.").format(count=count)
    where = t.gettext(
        "Every initiative with its assessment: `advisor portfolio --csv FILE` or `advisor portfolio --json`."
    )
    return Item(lead=f"{more} {where}")


def record_items(
    records: list[Initiative],
    quoter: Quoter,
    t: NullTranslations,
    item: Callable[[Initiative], Item],
    at_most: int = LISTED_AT_MOST,
) -> list[Item]:
    """``item(record)`` for the first ``at_most`` records (their quotes fetched together), then how many more."""
    shown = records[:at_most]
    quoter.prefetch_records(shown)
    items = [item(r) for r in shown]
    if len(records) > at_most:
        items.append(more_item(len(records) - at_most, t))
    return items
