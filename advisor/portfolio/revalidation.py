"""Stored records against the framework as it is now.

A record is validated against ``framework.yaml`` when it is ingested; when the framework changes
afterwards (a capability id renamed or removed), the stored records are checked again, and every
id the framework no longer defines is reported by name with the records that use it, instead of
the capability silently turning into a missing one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from advisor.db import index_meta
from advisor.framework import Framework
from advisor.portfolio.assessment import unknown_capabilities
from advisor.portfolio.store import PortfolioStore

CHECKED_KEY = "framework_checked"  # digest of the framework file all stored records agree with
NAMED_AT_MOST = 10


def framework_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unknown_capability_problems(
    framework: Framework, store: PortfolioStore, display: Callable[[str], str] = str
) -> list[str]:
    """One line per capability id that stored records list but the framework does not define."""
    users: dict[str, list[str]] = {}
    for source, record in store.all_with_sources():
        for capability in unknown_capabilities(framework, record):
            users.setdefault(capability, []).append(f"{record.id} ({display(source)})")
    problems = []
    for capability, records in sorted(users.items()):
        named = ", ".join(records[:NAMED_AT_MOST])
        more = f" …and {len(records) - NAMED_AT_MOST} more" if len(records) > NAMED_AT_MOST else ""
        problems.append(
            f"capability {capability!r} is not defined in framework.yaml, but {len(records)} stored "
            f"record{'s list' if len(records) != 1 else ' lists'} it: {named}{more}; rename it in "
            "those records and ingest them again, or define it in framework.yaml"
        )
    return problems


def check_after_framework_change(
    engine: Engine, framework_file: Path, framework: Framework, store: PortfolioStore, display=str
) -> list[str]:
    """The problems of stored records when the framework changed since they last all agreed with
    it (and until they do again); nothing, and no work beyond one lookup, otherwise."""
    digest = framework_digest(framework_file)
    with engine.connect() as conn:
        checked = conn.execute(select(index_meta.c.value).where(index_meta.c.key == CHECKED_KEY)).scalar()
    if checked == digest:
        return []
    problems = unknown_capability_problems(framework, store, display)
    if not problems:
        with engine.begin() as conn:
            conn.execute(delete(index_meta).where(index_meta.c.key == CHECKED_KEY))
            conn.execute(insert(index_meta).values(key=CHECKED_KEY, value=digest))
    return problems
