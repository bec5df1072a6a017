"""The ``sec_facts`` view and the ``sec_facts_db`` / ``sec_sync_log`` tables of the store.

``sec_facts`` has FACTS_SCHEMA (one row per reported fact): the rows of ``sec_facts_db`` plus,
after ``sec bulk --engine ray``, the CIK-partitioned Parquet files of companies the table does
not hold (``partitions.py``). Readers use ``sec_facts``; writers here use ``sec_facts_db``.
A store from before the view (a ``sec_facts`` table) is migrated by renaming the table.
Ingesting companies replaces their rows and appends a ``sec_sync_log`` row per company in ONE
transaction, with an Arrow bulk insert (no per-row Python). ``sec_sync_log`` columns: cik,
fetched_at (UTC), status ("ok" / "failed"), source ("network" / "cache" / "dir" / "bulk"),
facts, error, entity_name, origin.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from stackatlas.errors import StoreError, ValidationError
from stackatlas.sec.companyfacts import FACTS_SCHEMA, facts_cik
from stackatlas.store import Store

FACTS_TABLE = "sec_facts"  # the view every reader uses
DB_TABLE = "sec_facts_db"  # facts stored inside the DuckDB file
LOG_TABLE = "sec_sync_log"
_LOG_DDL = (
    f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} (cik BIGINT, fetched_at TIMESTAMP, "
    "status VARCHAR, source VARCHAR, facts BIGINT, error VARCHAR, entity_name VARCHAR, "
    "origin VARCHAR)"
)
_FACTS_DDL = (
    f"CREATE TABLE IF NOT EXISTS {DB_TABLE} (cik BIGINT, taxonomy VARCHAR, "
    'concept VARCHAR, unit VARCHAR, start DATE, "end" DATE, value DOUBLE, '
    "accession VARCHAR, fy INTEGER, fp VARCHAR, form VARCHAR, filed DATE, "
    "frame VARCHAR)"
)


_ready: weakref.WeakSet[Store] = weakref.WeakSet()


def ensure_tables(store: Store) -> None:
    """Create ``sec_facts_db``, ``sec_sync_log`` and the ``sec_facts`` view if missing
    (checked once per Store); an old ``sec_facts`` table becomes ``sec_facts_db``."""
    if store in _ready:
        return
    with store.transaction() as con:
        if _kind(store, FACTS_TABLE) == "BASE TABLE" and not _kind(store, DB_TABLE):
            con.execute(f"ALTER TABLE {FACTS_TABLE} RENAME TO {DB_TABLE}")
        con.execute(_FACTS_DDL)
        con.execute(_LOG_DDL)
        if _kind(store, FACTS_TABLE) != "VIEW":
            refresh_view(store)
    _ready.add(store)


def refresh_view(store: Store) -> None:
    """(Re)define ``sec_facts`` over ``sec_facts_db`` and the partitions present now."""
    from stackatlas.sec.partitions import facts_view_sql, list_partitions, partition_root

    root = partition_root(store)
    sql = facts_view_sql(DB_TABLE, root if list_partitions(root) else None)
    with store.transaction() as con:
        con.execute(f"CREATE OR REPLACE VIEW {FACTS_TABLE} AS {sql}")


def ingest_facts(
    store: Store,
    table: pa.Table,
    *,
    source: str = "network",
    origin: str = "",
    fetched_at: datetime | None = None,
) -> int:
    """Replace one company's rows in ``sec_facts`` with ``table``; returns rows inserted."""
    return ingest_batch(store, [table], source=source, origins=[origin], fetched_at=fetched_at)


def ingest_batch(
    store: Store,
    tables: Sequence[pa.Table],
    *,
    source: str,
    origins: Sequence[str] | None = None,
    fetched_at: datetime | None = None,
    sources: Sequence[str] | None = None,
    fetched_ats: Sequence[datetime | None] | None = None,
) -> int:
    """Replace several companies' rows and log each, all in one transaction. ``sources`` /
    ``fetched_ats`` give each table its own log values (else ``source`` / ``fetched_at``)."""
    if not tables:
        return 0
    ciks = [_cik_of(t) for t in tables]
    if len(set(ciks)) != len(ciks):
        raise ValidationError("ingest_batch: the same CIK appears twice in one batch")
    parts = [t.select(FACTS_SCHEMA.names).cast(FACTS_SCHEMA) for t in tables]
    data = parts[0] if len(parts) == 1 else pa.concat_tables(parts)
    now = datetime.now(UTC)
    whens = [
        (w or fetched_at or now).astimezone(UTC).replace(tzinfo=None)
        for w in (fetched_ats or [None] * len(ciks))
    ]
    origins = list(origins) if origins else [""] * len(ciks)
    log_rows = [
        (cik, when, "ok", src, t.num_rows, None, _entity(t), origin)
        for cik, t, origin, when, src in zip(
            ciks, tables, origins, whens, sources or [source] * len(ciks), strict=True
        )
    ]
    ensure_tables(store)
    marks = ", ".join("?" * len(ciks))
    try:
        with store.transaction() as con:
            con.register("_incoming_sec_facts", data)
            try:
                con.execute(f"DELETE FROM {DB_TABLE} WHERE cik IN ({marks})", ciks)
                con.execute(f"INSERT INTO {DB_TABLE} SELECT * FROM _incoming_sec_facts")
            finally:
                con.unregister("_incoming_sec_facts")
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(log_rows))
            con.execute(
                f"INSERT INTO {LOG_TABLE} VALUES {values}", [v for row in log_rows for v in row]
            )
    except duckdb.Error as exc:
        raise StoreError(f"cannot store SEC facts for CIK(s) {ciks}: {exc}") from exc
    return data.num_rows


def record_failure(
    store: Store, cik: int | None, *, source: str, error: str, origin: str = ""
) -> None:
    """Append a ``failed`` row to ``sec_sync_log`` (the company's facts stay as they were)."""
    ensure_tables(store)
    with store.transaction() as con:
        con.execute(
            f"INSERT INTO {LOG_TABLE} (cik, fetched_at, status, source, facts, error, "
            "origin) VALUES (?, ?, 'failed', ?, 0, ?, ?)",
            [cik, datetime.now(UTC).replace(tzinfo=None), source, error, origin],
        )


def load_facts(store: Store, cik: int) -> pa.Table | None:
    """A company's facts from the store (FACTS_SCHEMA), or None if it was never ingested."""
    if not _exists(store, FACTS_TABLE):
        return None
    table = store.query_arrow(
        f'SELECT * FROM {FACTS_TABLE} WHERE cik = ? ORDER BY taxonomy, concept, unit, "end", '
        "filed, accession",
        [int(cik)],
    )
    if table.num_rows == 0:
        return None
    meta = {b"cik": str(int(cik)).encode()}
    return table.select(FACTS_SCHEMA.names).cast(FACTS_SCHEMA).replace_schema_metadata(meta)


def ingested_ciks(store: Store) -> set[int]:
    """CIKs whose latest ``sec_sync_log`` row is ``ok`` (used to resume bulk runs)."""
    if not _exists(store, LOG_TABLE):
        return set()
    rows = store.con.execute(
        f"SELECT cik FROM {LOG_TABLE} WHERE cik IS NOT NULL "
        "QUALIFY row_number() OVER (PARTITION BY cik ORDER BY fetched_at DESC, rowid DESC) = 1 "
        "AND status = 'ok'"
    ).fetchall()
    return {int(r[0]) for r in rows}


def sync_log(store: Store) -> pa.Table:
    """The whole ``sec_sync_log`` (empty table when nothing was synced)."""
    if not _exists(store, LOG_TABLE):
        return pa.table({})
    return store.query_arrow(f"SELECT * FROM {LOG_TABLE} ORDER BY fetched_at, cik")


def log_companies(
    store: Store, rows: Sequence[tuple[int, str, int, str | None, str | None, str]]
) -> None:
    """In one transaction: drop these companies' ``sec_facts_db`` rows (their facts now live in
    partitions) and log each as (cik, status, facts, error, entity_name, origin), source bulk.
    Failed companies keep their rows."""
    if not rows:
        return
    ensure_tables(store)
    now = datetime.now(UTC).replace(tzinfo=None)
    ok = [r[0] for r in rows if r[1] == "ok"]
    with store.transaction() as con:
        if ok:
            con.execute(f"DELETE FROM {DB_TABLE} WHERE cik IN ({', '.join('?' * len(ok))})", ok)
        values = ", ".join(["(?, ?, ?, 'bulk', ?, ?, ?, ?)"] * len(rows))
        params = [
            v for cik, st, n, err, name, org in rows for v in (cik, now, st, n, err, name, org)
        ]
        con.execute(f"INSERT INTO {LOG_TABLE} VALUES {values}", params)


def _kind(store: Store, name: str) -> str | None:
    """'BASE TABLE', 'VIEW' or None."""
    rows = store.con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ? "
        "AND table_schema = 'main'",
        [name],
    ).fetchall()
    return str(rows[0][0]) if rows else None


def _exists(store: Store, name: str) -> bool:
    """Table existence check that drains its result (DuckDB 2 refuses new work on a connection
    with an unfinished result, which ``fetchone`` can leave behind)."""
    rows = store.con.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main'",
        [name],
    ).fetchall()
    return bool(rows)


def _cik_of(table: pa.Table) -> int:
    cik = facts_cik(table)
    if cik is None and table.num_rows:
        values = table.column("cik").unique()
        if len(values) == 1:
            cik = int(values[0].as_py())
    if cik is None:
        raise ValidationError("facts table carries no CIK (parse it with parse_companyfacts)")
    return cik


def _entity(table: pa.Table) -> str | None:
    raw = (table.schema.metadata or {}).get(b"entity_name")
    return raw.decode() if raw else None
