"""The portfolio store: initiative records in SQL, replaced per source file atomically."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from advisor.access import Requester
from advisor.db import index_state, initiatives
from advisor.errors import DuplicateIdError
from advisor.portfolio.records import Initiative

VERSION_ROW = "initiatives"  # the index_state row counting changes of the records table
BATCH = 500  # ids per IN (...) query: SQLite and PostgreSQL both take this many parameters easily


class PortfolioStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._cached: tuple[int | None, list[Initiative]] | None = None  # (table version, every record)
        self._read: dict[str, tuple[dict, Initiative]] = {}  # id -> (stored data, the record made from it)

    def replace_source(self, source: str, records: list[Initiative]) -> dict[str, int]:
        """Store the records of one file in one transaction.

        An id belongs to one file: when another file already holds one of these ids, nothing is
        stored and :class:`DuplicateIdError` names the ids and that file (so removing either file
        never takes the other's records with it). Records that this file held before and no longer
        holds are removed. Returns counts of ``added``, ``updated`` and ``removed``.
        """
        now = datetime.now(UTC)
        ids = [r.id for r in records]
        with self.engine.begin() as conn:
            holders = {}
            for start in range(0, len(ids), BATCH):
                found = select(initiatives.c.id, initiatives.c.source).where(
                    initiatives.c.id.in_(ids[start : start + BATCH])
                )
                holders.update({rid: src for rid, src in conn.execute(found)})
            taken = {rid: holder for rid, holder in holders.items() if holder != source}
            if taken:
                raise DuplicateIdError(source, dict(sorted(taken.items())))
            existing = set(holders)
            stale = delete(initiatives).where(initiatives.c.source == source)
            removed = conn.execute(stale.where(initiatives.c.id.not_in(ids))).rowcount
            for record in records:
                row = {"id": record.id, "source": source, "data": record.model_dump(mode="json"), "updated_at": now}
                conn.execute(_upsert(self.engine, row))
            _bump_version(conn, self.engine)
        return {"added": len(set(ids) - existing), "updated": len(existing), "removed": removed}

    def delete_source(self, source: str) -> int:
        with self.engine.begin() as conn:
            deleted = conn.execute(delete(initiatives).where(initiatives.c.source == source)).rowcount
            _bump_version(conn, self.engine)
            return deleted

    def all(self, requester: Requester) -> list[Initiative]:
        """Every record the requester may see, ordered by id.

        The records are read and validated once per change of the table (any process's, told by a
        version counter written in the same transaction as the records), not at every question:
        at 10,000 initiatives that is most of a second saved per answer. The same objects are
        returned until the table changes, so callers may key caches on them; after a change, a
        record whose stored data is the same stays the same object (one file of 1,000 records
        changed: 1,000 validated and assessed again, not 10,000).
        """
        with self.engine.connect() as conn:
            version = conn.execute(select(index_state.c.version).where(index_state.c.name == VERSION_ROW)).scalar()
            cached = self._cached
            if cached is None or cached[0] != version:
                rows = conn.execute(select(initiatives.c.id, initiatives.c.data).order_by(initiatives.c.id)).all()
                known, self._read = self._read, {}
                for rid, data in rows:
                    previous = known.get(rid)
                    same = previous is not None and previous[0] == data
                    self._read[rid] = previous if same else (data, Initiative.model_validate(data))
                cached = (version, [record for _data, record in self._read.values()])
                self._cached = cached
        return [r for r in cached[1] if r.visible_to(requester)]

    def all_with_sources(self) -> list[tuple[str, Initiative]]:
        """Every record with the source (file) it came from, ordered by id; for checks, not for answers."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(initiatives.c.source, initiatives.c.data).order_by(initiatives.c.id)).all()
            return [(source, Initiative.model_validate(data)) for source, data in rows]

    def get(self, initiative_id: str, requester: Requester) -> Initiative | None:
        with self.engine.connect() as conn:
            data = conn.execute(
                select(initiatives.c.data).where(initiatives.c.id == initiative_id)
            ).scalar_one_or_none()
        record = Initiative.model_validate(data) if data is not None else None
        return record if record is not None and record.visible_to(requester) else None

    def ids_under(self, folder: str) -> set[str]:
        """Ids of the records whose source file lies under ``folder`` (an absolute path)."""
        prefix = folder.rstrip("/") + "/"
        with self.engine.connect() as conn:
            found = select(initiatives.c.id).where(initiatives.c.source.startswith(prefix, autoescape=True))
            return set(conn.scalars(found))

    def source_of(self, initiative_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(initiatives.c.source).where(initiatives.c.id == initiative_id)
            ).scalar_one_or_none()


def _upsert(engine: Engine, row: dict):
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(initiatives).values(**row)
    changes = {k: statement.excluded[k] for k in ("source", "data", "updated_at")}
    return statement.on_conflict_do_update(index_elements=["id"], set_=changes)


def _bump_version(conn, engine: Engine) -> None:
    """Count a change of the records table, in the transaction that makes it (see ``all``)."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(index_state).values(name=VERSION_ROW, version=1)
    conn.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"version": index_state.c.version + 1}))
