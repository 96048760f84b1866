"""The advisor's brain: settings, framework, portfolio, assessment, search and answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.core import Advisor

__all__ = ["Advisor"]


def __getattr__(name: str):
    # Lazy, so that `advisor --help` and light imports (errors, settings) stay fast.
    if name == "Advisor":
        from advisor.core import Advisor

        return Advisor
    raise AttributeError(name)
