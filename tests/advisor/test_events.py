"""Each event is claimed exactly once and none is lost, against SQLite and the PostgreSQL server."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from advisor.db import make_engine, processed_events
from advisor.errors import StorageError
from advisor.events import MAX_ATTEMPTS, BotThreads, EventLedger
from tests.conftest import make_settings

SHORT = timedelta(seconds=0.3)


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


def test_a_worker_that_died_mid_answer_is_taken_over_once_its_lease_expires(engine):
    dead = EventLedger(engine, lease=SHORT, owner="worker-that-died")
    retry = EventLedger(engine, lease=SHORT, owner="worker-b")
    event = {"event_id": "EvDied", "event": {"type": "app_mention", "channel": "C1", "ts": "1.1"}}
    assert dead.claim("EvDied", event) is True
    assert retry.claim("EvDied") is False  # the lease is alive: the first worker may still answer
    assert retry.expired() == []
    time.sleep(0.4)
    assert retry.expired() == [event]  # survives the dead worker: still waiting, as received
    assert retry.claim("EvDied") is True and EventLedger(engine, lease=SHORT).claim("EvDied") is False
    retry.complete("EvDied")
    time.sleep(0.4)
    assert retry.status("EvDied") == "done" and retry.expired() == []
    assert EventLedger(engine, lease=SHORT).claim("EvDied") is False  # answered: never again


def test_renewed_leases_are_not_taken_over_and_completion_is_final(engine):
    worker = EventLedger(engine, lease=SHORT, owner="busy")
    other = EventLedger(engine, lease=SHORT, owner="other")
    assert worker.claim("EvBusy", {"event_id": "EvBusy"})
    for _ in range(4):
        time.sleep(0.15)
        assert worker.renew() == 1
        assert other.claim("EvBusy") is False
    other.complete("EvBusy")  # not its event: no effect
    assert worker.status("EvBusy") == "claimed"
    worker.complete("EvBusy")
    assert worker.renew() == 0 and worker.status("EvBusy") == "done"


def test_failed_delivery_is_retried_then_given_up_after_the_last_attempt(engine):
    ledger = EventLedger(engine, lease=SHORT)
    event = {"event_id": "EvFlaky", "event": {"type": "app_mention", "channel": "C9", "ts": "9.1"}}
    assert ledger.claim("EvFlaky", event)
    for attempt in range(2, MAX_ATTEMPTS + 1):
        ledger.retry_later("EvFlaky")
        assert ledger.expired() == [event] and ledger.give_up_exhausted() == []
        assert ledger.claim("EvFlaky") is True, f"attempt {attempt}"
    ledger.retry_later("EvFlaky")
    assert ledger.expired() == [] and ledger.claim("EvFlaky") is False
    assert ledger.give_up_exhausted() == [event] and ledger.give_up_exhausted() == []
    assert ledger.status("EvFlaky") == "failed"


def test_bot_threads_are_remembered_and_forgotten(engine):
    threads = BotThreads(engine)
    assert not threads.knows("C1", "1.1")
    threads.remember("C1", "1.1")
    threads.remember("C1", "1.1")  # again: no error, just fresher
    assert threads.knows("C1", "1.1") and not threads.knows("C2", "1.1") and not threads.knows("C1", "")
    assert threads.forget_before(datetime.now(UTC) - timedelta(days=1)) == 0
    assert threads.forget_before(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert not threads.knows("C1", "1.1")
