"""The Advisor: one object wiring settings to the framework, the portfolio store and the index."""

from __future__ import annotations

from datetime import date
from functools import cached_property

from advisor.assessment import Assessment, PortfolioSummary, assess_initiative, summarize_portfolio
from advisor.errors import NotFoundError
from advisor.framework import Framework, load_framework
from advisor.matching import best_matches
from advisor.records import Initiative, Requester
from advisor.settings import Settings


class Advisor:
    """Entry point of the brain. The faces (CLI, Slack) build one and call its methods.

    ``today`` fixes the date used for days-in-phase and stall checks (tests, reports);
    by default the real date is used at each call.
    """

    def __init__(self, settings: Settings, today: date | None = None):
        self.settings = settings
        self._today = today

    @property
    def today(self) -> date:
        return self._today or date.today()

    @cached_property
    def framework(self) -> Framework:
        return load_framework(self.settings.knowledge_dir / "framework.yaml")

    @cached_property
    def engine(self):
        from advisor.db import make_engine

        return make_engine(self.settings)

    @cached_property
    def portfolio(self):
        from advisor.portfolio import PortfolioStore

        return PortfolioStore(self.engine)

    @cached_property
    def index(self):
        from advisor.index import Index

        return Index(self.settings, self.engine)

    def find_initiative(self, id_or_name: str, requester: Requester) -> Initiative:
        """The one visible initiative named by id, name or a loose form of its name."""
        records = self.portfolio.all(requester)
        matches = best_matches(id_or_name, records)
        if not matches:
            raise NotFoundError(f"no initiative matches {id_or_name!r}")
        if len(matches) > 1:
            names = ", ".join(f"{m.record.name} ({m.record.id})" for m in matches)
            raise NotFoundError(f"{id_or_name!r} matches several initiatives: {names}; use the id")
        return matches[0].record

    def assess(self, id_or_name: str, requester: Requester) -> Assessment:
        record = self.find_initiative(id_or_name, requester)
        return assess_initiative(self.framework, record, self.today, self.settings.stall_days)

    def portfolio_summary(self, requester: Requester) -> PortfolioSummary:
        records = self.portfolio.all(requester)
        return summarize_portfolio(self.framework, records, self.today, self.settings.stall_days)
