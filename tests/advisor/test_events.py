"""Each event is claimed exactly once, against SQLite and the PostgreSQL server."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from advisor.db import make_engine, processed_events
from advisor.errors import StorageError
from advisor.events import EventLedger
from tests.conftest import make_settings


@pytest.fixture
def engine(database_url, tmp_path):
    engine = make_engine(make_settings(tmp_path / "data", database_url=database_url))
    yield engine
    engine.dispose()


def test_first_claim_wins_and_retries_lose(engine):
    ledger = EventLedger(engine)
    assert ledger.claim("Ev001") is True
    assert ledger.claim("Ev001") is False
    assert ledger.claim("Ev002") is True
    assert ledger.seen("Ev001") and not ledger.seen("Ev003")


def test_only_one_of_many_concurrent_workers_gets_the_event(engine, database_url, tmp_path):
    """Several processes race for one retried event: each worker has its own engine (pool)."""
    engines = [engine] + [make_engine(make_settings(tmp_path / "data", database_url=database_url)) for _ in range(3)]
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def worker(i: int) -> None:
        ledger = EventLedger(engines[i % len(engines)])
        barrier.wait()
        results.append(ledger.claim("EvRACE"))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for extra in engines[1:]:
        extra.dispose()
    assert sorted(results) == [False] * 7 + [True]


def test_forget_before_drops_only_old_ids(engine):
    ledger = EventLedger(engine)
    ledger.claim("EvOLD")
    ledger.claim("EvNEW")
    long_ago = datetime.now(UTC) - timedelta(days=3)
    with engine.begin() as conn:
        conn.execute(update(processed_events).where(processed_events.c.event_id == "EvOLD").values(created_at=long_ago))
    assert ledger.forget_before(datetime.now(UTC) - timedelta(days=1)) == 1
    assert not ledger.seen("EvOLD") and ledger.seen("EvNEW")
    assert ledger.claim("EvOLD") is True  # a forgotten id can be claimed again


def test_bad_ids_are_refused():
    ledger = EventLedger(engine=None)  # never reaches the database
    with pytest.raises(ValueError):
        ledger.claim("")
    with pytest.raises(ValueError):
        ledger.claim("E" * 129)


def test_unreachable_database_is_a_storage_error(tmp_path):
    from sqlalchemy import create_engine

    broken = create_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    with pytest.raises(StorageError, match="cannot record event"):
        EventLedger(broken).claim("Ev1")
