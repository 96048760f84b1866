"""Token usage records: the hourly window, the report per day and per user, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from advisor.db import make_engine
from advisor.feedback import FeedbackEntry, FeedbackStore, UsageEntry, UsageStore
from tests.conftest import make_settings

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


@pytest.fixture
def engine(database_url, tmp_path):
    engine = make_engine(make_settings(tmp_path / "data", database_url=database_url))
    yield engine
    engine.dispose()


def used(user, tokens_in, tokens_out, at, composer="openai:gpt-4.1-mini", limited=False) -> UsageEntry:
    return UsageEntry(
        user_id=user,
        channel_id="D1",
        composer=composer,
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        limited=limited,
        created_at=at,
    )


def test_tokens_since_counts_one_users_answers_inside_the_window(engine):
    store = UsageStore(engine)
    store.record(used("U1", 1000, 200, NOW - timedelta(minutes=70)))  # outside the hour
    store.record(used("U1", 800, 150, NOW - timedelta(minutes=50)))
    store.record(used("U1", 300, 50, NOW - timedelta(minutes=1)))
    store.record(used("U2", 5000, 900, NOW - timedelta(minutes=5)))
    store.record(used(None, 40, 10, NOW - timedelta(minutes=5)))
    hour_ago = NOW - timedelta(hours=1)
    assert store.tokens_since("U1", hour_ago) == 800 + 150 + 300 + 50
    assert store.tokens_since("U2", hour_ago) == 5900
    assert store.tokens_since(None, hour_ago) == 50
    assert store.tokens_since("U3", hour_ago) == 0


def test_report_per_utc_day_and_per_user_busiest_first(engine):
    store = UsageStore(engine)
    store.record(used("U1", 100, 10, datetime(2026, 11, 23, 23, 59, tzinfo=UTC)))
    store.record(used("U1", 200, 20, datetime(2026, 11, 24, 0, 1, tzinfo=UTC)))
    store.record(used("U2", 900, 90, datetime(2026, 11, 24, 12, 0, tzinfo=UTC)))
    store.record(used("U2", 0, 0, datetime(2026, 11, 25, 9, 0, tzinfo=UTC), composer="extractive", limited=True))
    store.record(used(None, 5, 5, datetime(2026, 11, 25, 10, 0, tzinfo=UTC)))
    store.record(used("U9", 7000, 700, datetime(2026, 11, 20, 10, 0, tzinfo=UTC)))  # before the report starts

    report = store.report(since=date(2026, 11, 23))
    assert [(r.key, r.answers, r.input_tokens, r.output_tokens, r.limited) for r in report.by_day] == [
        ("2026-11-23", 1, 100, 10, 0),
        ("2026-11-24", 2, 1100, 110, 0),
        ("2026-11-25", 2, 5, 5, 1),
    ]
    assert [(r.key, r.answers, r.tokens, r.limited) for r in report.by_user] == [
        ("U2", 2, 990, 1),
        ("U1", 2, 330, 0),
        ("(terminal)", 1, 10, 0),
    ]
    assert (report.total.answers, report.total.tokens, report.total.limited) == (5, 1330, 1)


def test_an_empty_report_has_zero_totals(engine):
    report = UsageStore(engine).report(since=date(2026, 11, 1))
    assert report.by_day == [] and report.by_user == [] and report.total.tokens == 0


def test_negative_tokens_are_refused():
    with pytest.raises(ValidationError, match="input_tokens"):
        UsageEntry(user_id="U1", composer="openai:x", input_tokens=-1)


def test_a_rating_keeps_the_composer_and_tokens_of_the_answer(engine):
    feedback = FeedbackStore(engine)
    rated = feedback.add(
        FeedbackEntry(
            user_id="U1",
            rating="not_helpful",
            question="q",
            answer="a [1]",
            composer="openai:gpt-4.1-mini",
            input_tokens=1234,
            output_tokens=321,
        )
    )
    saved = feedback.get(rated)
    assert (saved.composer, saved.input_tokens, saved.output_tokens) == ("openai:gpt-4.1-mini", 1234, 321)
    unrated_cost = feedback.get(feedback.add(FeedbackEntry(user_id="U1", rating="helpful", question="q", answer="a")))
    assert unrated_cost.input_tokens is None
