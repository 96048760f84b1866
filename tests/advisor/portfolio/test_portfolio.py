"""The portfolio store, against SQLite and the PostgreSQL server."""

from datetime import date

import pytest

from advisor.access import Requester
from advisor.db import make_engine
from advisor.errors import DuplicateIdError
from advisor.portfolio.records import Initiative
from advisor.portfolio.store import PortfolioStore
from tests.conftest import make_settings


def rec(rid, **changes):
    data = dict(
        id=rid,
        name=f"Name {rid}",
        business_unit="BU",
        region="Japan",
        ai_type="ml",
        phase=1,
        phase_since=date(2026, 1, 1),
    )
    data.update(changes)
    return Initiative(**data)


@pytest.fixture
def store(database_url, tmp_path):
    engine = make_engine(make_settings(tmp_path / "data", database_url=database_url))
    yield PortfolioStore(engine)
    engine.dispose()


def test_replace_source_adds_updates_and_removes(store):
    admin = Requester.admin()
    assert store.replace_source("a.csv", [rec("A"), rec("B")]) == {"added": 2, "updated": 0, "removed": 0}
    assert store.replace_source("a.csv", [rec("A", phase=3)]) == {"added": 0, "updated": 1, "removed": 1}
    assert [(r.id, r.phase) for r in store.all(admin)] == [("A", 3)]
    assert store.replace_source("a.csv", []) == {"added": 0, "updated": 0, "removed": 1}
    assert store.all(admin) == []


def test_an_id_held_by_another_file_is_refused_whole_and_removing_that_file_keeps_it(store):
    admin = Requester.admin()
    store.replace_source("a.csv", [rec("A"), rec("B")])
    with pytest.raises(DuplicateIdError) as refused:
        store.replace_source("b.yaml", [rec("C"), rec("A", phase=4), rec("B", phase=5)])
    assert refused.value.holders == {"A": "a.csv", "B": "a.csv"}
    assert str(refused.value) == "b.yaml: id 'A' is already defined in a.csv; id 'B' is already defined in a.csv"
    assert [(r.id, r.phase) for r in store.all(admin)] == [("A", 1), ("B", 1)]  # nothing of b.yaml, not even C
    assert store.delete_source("b.yaml") == 0
    assert store.source_of("A") == "a.csv" and len(store.all(admin)) == 2
    # an id moves once the file that held it lets go of it
    store.replace_source("a.csv", [rec("B")])
    store.replace_source("b.yaml", [rec("A", phase=4)])
    assert store.get("A", admin).phase == 4 and store.source_of("A") == "b.yaml"


def test_restricted_records_are_invisible_outside_allowed(store):
    store.replace_source("s.yaml", [rec("PUB"), rec("SEC", visibility="restricted", allowed=["U1", "C9"])])
    assert [r.id for r in store.all(Requester(user_id="U2", channel_id="C1"))] == ["PUB"]
    assert store.get("SEC", Requester(user_id="U2")) is None
    assert store.get("SEC", Requester(user_id="U1")).id == "SEC"
    assert store.get("SEC", Requester(user_id="U2", channel_id="C9")).id == "SEC"
    assert [r.id for r in store.all(Requester.admin())] == ["PUB", "SEC"]


def test_records_round_trip_exactly(store):
    original = rec(
        "R",
        kpi_baseline=1.5,
        kpi_target=0.5,
        kpi_current=None,
        capabilities=["monitoring"],
        risks=["x"],
        notes="n",
        phase_since=date(2025, 2, 28),
    )
    store.replace_source("r.json", [original])
    assert store.get("R", Requester.admin()) == original


def test_after_a_change_only_changed_records_are_read_again(store, database_url, tmp_path):
    """Unchanged records stay the same objects (their assessments are reused); changed ones are new,
    also when another process made the change."""
    admin = Requester.admin()
    store.replace_source("a.csv", [rec("A"), rec("B")])
    store.replace_source("b.csv", [rec("C")])
    before = {r.id: r for r in store.all(admin)}
    other = PortfolioStore(make_engine(make_settings(tmp_path / "data", database_url=database_url)))
    other.replace_source("a.csv", [rec("A"), rec("B", phase=2)])
    after = {r.id: r for r in store.all(admin)}
    assert after["A"] is before["A"] and after["C"] is before["C"]
    assert after["B"] is not before["B"] and after["B"].phase == 2
    other.replace_source("b.csv", [])
    assert [r.id for r in store.all(admin)] == ["A", "B"]
