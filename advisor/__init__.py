"""The advisor's brain: settings, framework, portfolio, assessment, search and answers."""

from advisor.core import Advisor

__all__ = ["Advisor"]
