"""Shared fixtures. Real components throughout: the bundled embedding model, Chroma on a temp
dir, SQLite, and PostgreSQL where this machine runs one."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy

from advisor.framework import load_framework
from advisor.settings import BUNDLED_KNOWLEDGE_DIR, Settings

# Tests are hermetic: the developer's own advisor and Slack settings never reach them.
_PROVIDER_VARIABLES = ("OPENAI_", "ANTHROPIC_", "GOOGLE_API_KEY", "AZURE_OPENAI_", "AWS_", "OLLAMA_HOST")
for _name in [n for n in os.environ if n.startswith(("ADVISOR_", "SLACK_", *_PROVIDER_VARIABLES))]:
    del os.environ[_name]

TODAY = date(2026, 11, 25)
KNOWLEDGE = BUNDLED_KNOWLEDGE_DIR
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def framework():
    return load_framework(KNOWLEDGE / "framework.yaml")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_settings(data_dir: Path, **overrides) -> Settings:
    """Settings that ignore the developer's environment and .env file."""
    values = {
        "data_dir": data_dir,
        "database_url": None,
        "chroma_url": None,
        "knowledge_dir": KNOWLEDGE,
        "sample_portfolio": True,
        "llm": None,
        "admins": [],
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path / "data")


def _postgres_reachable() -> str | None:
    try:
        engine = sqlalchemy.create_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # any failure means: skip with the reason
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}"


@pytest.fixture
def postgres_url():
    """A fresh schema on the local PostgreSQL server, dropped afterwards."""
    reason = _postgres_reachable()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Run a test against SQLite and against the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def chat_model():
    """A local server speaking the OpenAI chat completions protocol, standing in for a hosted model."""
    from tests.llm_standin import ChatModelStandIn

    stand_in = ChatModelStandIn().start()
    yield stand_in
    stand_in.stop()
