"""The feedback store, against SQLite and the PostgreSQL server."""

import pytest
from pydantic import ValidationError

from advisor.db import make_engine
from advisor.feedback import FeedbackEntry, FeedbackStore
from tests.conftest import make_settings

CITATIONS = [{"n": 1, "source": "knowledge/practices/mlops.md", "title": "MLOps", "section": "Monitoring", "url": None}]


@pytest.fixture
def store(database_url, tmp_path):
    engine = make_engine(make_settings(tmp_path / "data", database_url=database_url))
    yield FeedbackStore(engine)
    engine.dispose()


def entry(**changes) -> FeedbackEntry:
    values = dict(
        user_id="U1",
        channel_id="C1",
        rating="helpful",
        question="What is missing?",
        answer="Monitoring is missing [1].",
        citations=CITATIONS,
    )
    values.update(changes)
    return FeedbackEntry(**values)


def test_rating_is_stored_with_question_answer_citations_and_user(store):
    feedback_id = store.add(entry())
    saved = store.get(feedback_id)
    assert saved.user_id == "U1" and saved.channel_id == "C1" and saved.rating == "helpful"
    assert saved.question == "What is missing?" and saved.answer == "Monitoring is missing [1]."
    assert saved.citations == CITATIONS
    assert saved.comment is None and saved.created_at is not None


def test_comment_is_attached_only_by_the_user_who_rated(store):
    feedback_id = store.add(entry(rating="not_helpful"))
    assert store.add_comment(feedback_id, "U2", "hijack") is False
    assert store.add_comment(feedback_id, "U1", "   ") is False
    assert store.add_comment(feedback_id, "U1", "  Sources were outdated.  ") is True
    assert store.get(feedback_id).comment == "Sources were outdated."
    assert store.add_comment(feedback_id + 1000, "U1", "nothing there") is False


def test_recent_and_counts(store):
    first = store.add(entry())
    second = store.add(entry(rating="not_helpful", comment="wrong initiative"))
    store.add(entry(user_id="U3"))
    assert [e.id for e in store.recent(limit=2)][0] > first
    assert [e.id for e in store.recent(rating="not_helpful")] == [second]
    assert store.recent(rating="not_helpful")[0].comment == "wrong initiative"
    assert store.counts() == {"helpful": 2, "not_helpful": 1}


def test_unknown_rating_is_refused():
    with pytest.raises(ValidationError):
        entry(rating="meh")
