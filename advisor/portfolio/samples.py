"""The fictional sample initiatives bundled with the advisor, and saying so wherever they are counted.

With ``ADVISOR_SAMPLE_PORTFOLIO`` (the default) the sample records under the bundled
``knowledge/initiatives/`` are loaded on first use, so a new installation has something to show.
They must never pass for real ones: the first ingest of real records takes them out (and says so),
and until then every answer and view that counts them says how many of the counted are samples.
"""

from __future__ import annotations

from pathlib import Path

from advisor.messages import translator
from advisor.settings import Settings

NAMED_AT_MOST = 3


def samples_folder(settings: Settings) -> Path:
    return (settings.knowledge_dir / "initiatives").resolve()


def is_sample_source(source_key: str, settings: Settings) -> bool:
    return Path(source_key).is_relative_to(samples_folder(settings))


def sample_note(samples: list[str], total: int, language: str = "en") -> str:
    """One sentence: how many of the ``total`` counted initiatives are fictional samples, and how
    they go away. Empty when none is."""
    if not samples:
        return ""
    t = translator(language)
    named = ", ".join(sorted(samples)[:NAMED_AT_MOST]) + (", …" if len(samples) > NAMED_AT_MOST else "")
    return t.ngettext(
        "_Note: {count} of these {total} initiatives is a fictional sample bundled with the advisor ({ids}); "
        "the samples are removed when you ingest your own initiative records._",
        "_Note: {count} of these {total} initiatives are fictional samples bundled with the advisor ({ids}); "
        "the samples are removed when you ingest your own initiative records._",
        len(samples),
    ).format(count=len(samples), total=total, ids=named)


def samples_removed_text(ids: list[str]) -> str:
    """What an ingest summary says when real records replaced the samples."""
    if not ids:
        return ""
    named = ", ".join(ids[:NAMED_AT_MOST]) + (", …" if len(ids) > NAMED_AT_MOST else "")
    return (
        f"Removed the {len(ids)} fictional sample initiative{'s' if len(ids) != 1 else ''} ({named}) "
        "now that your own initiative records are ingested."
    )
