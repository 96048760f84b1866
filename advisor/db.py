"""The relational store: one SQLAlchemy engine, the tables, and append-only migrations.

SQLite under the data dir by default; PostgreSQL (or any SQLAlchemy URL) through
``ADVISOR_DATABASE_URL``. The same code serves both.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from advisor.errors import StorageError
from advisor.settings import Settings

metadata = MetaData()

initiatives = Table(
    "initiatives",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("source", Text, nullable=False, index=True),
    Column("data", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("source", Text, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("chunks", Integer, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("allowed", JSON),  # the `--allow` ids it was ingested with; NULL for rows from before they were kept
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(64), nullable=False),
    Column("channel_id", String(64)),
    Column("rating", String(20), nullable=False),
    Column("comment", Text),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("composer", String(200)),  # what wrote the rated answer, and the tokens it took
    Column("input_tokens", Integer),
    Column("output_tokens", Integer),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False, server_default="done"),  # claimed, done, failed
    Column("owner", String(64)),  # the worker process holding the lease
    Column("lease_until", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="1"),
    Column("payload", Text),  # the event as received (JSON), kept until it is answered
    Index("ix_processed_events_status_lease", "status", "lease_until"),
)

bot_threads = Table(
    "bot_threads",
    metadata,
    Column("channel_id", String(64), primary_key=True),
    Column("thread_ts", String(32), primary_key=True),  # "" for the conversation itself
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

llm_usage = Table(
    "llm_usage",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("user_id", String(64)),  # None: the terminal's local administrator
    Column("channel_id", String(64)),
    Column("composer", String(200), nullable=False),  # "extractive" or the chat model's provider:model
    Column("input_tokens", Integer, nullable=False),
    Column("output_tokens", Integer, nullable=False),
    Column("limited", Boolean, nullable=False, server_default="0"),  # the hourly limit replaced the model
    Index("ix_llm_usage_created_at", "created_at"),
    Index("ix_llm_usage_user_created_at", "user_id", "created_at"),
)

index_state = Table(
    "index_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
)

index_meta = Table(
    "index_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(settings: Settings) -> Engine:
    """Create the engine for the configured database and bring its schema up to date."""
    url = settings.resolved_database_url
    private_dir(settings.data_dir)
    if url.startswith("sqlite"):
        _create_private_file(url)
    try:
        engine = create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        migrate(engine)
    except SQLAlchemyError as exc:
        reason = exc.orig if hasattr(exc, "orig") else exc
        raise StorageError(f"cannot open the database {_redacted(url)}: {exc.__class__.__name__}: {reason}") from exc
    return engine


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by this user only: it holds restricted content."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # whatever the umask
    return path


def _create_private_file(url: str) -> None:
    """Create a SQLite database file as 0600 before SQLite does (its journal files inherit the mode)."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        private_dir(path.parent)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def migrate(engine: Engine) -> None:
    """Apply every pending migration (idempotent)."""
    if _at_heads(engine):
        return  # the common case, without importing Alembic (a quarter of a second at every start)
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")  # migrations may branch; every head applies


_REVISION = re.compile(r'^(down_)?revision\s*=\s*"([^"]*)"', re.MULTILINE)


def _heads() -> set[str]:
    """The revisions no other migration builds on, read from the migration files themselves."""
    revisions, parents = set(), set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (parents if down else revisions).add(value)
    return revisions - parents


def _at_heads(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            applied = set(conn.execute(text("select version_num from alembic_version")).scalars())
    except SQLAlchemyError:
        return False  # a new database: no version table yet
    return applied == _heads()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: commits survive a crash of the process, not of the OS
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
