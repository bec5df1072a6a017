"""CIK-partitioned Parquet files of SEC facts, read through the store's ``sec_facts`` view.

``sec bulk --engine ray`` writes one file per company beside the store file::

    <home>/stackatlas.sec_facts/cik=320193/facts.parquet

Each file holds FACTS_SCHEMA without ``cik`` (the folder name carries it; DuckDB's Hive
partitioning restores it and skips other companies' files on ``WHERE cik = ?``) and records
its CIK, row count and entity name in the Parquet metadata. Files are written atomically, so a
file that exists, opens and agrees with its metadata is complete: a rerun skips it.

The store's ``sec_facts`` is a view: the facts stored in DuckDB (``sec_facts_db``, written by
``sync`` and the local bulk engine) plus the partitions of companies the database does not
hold, so every command that reads ``sec_facts`` sees both without change.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from stackatlas._io import atomic_write
from stackatlas.sec.companyfacts import FACTS_SCHEMA, facts_cik
from stackatlas.store import Store

FILE = "facts.parquet"
SIDECAR = "sec_facts"  # the folder beside the store file (one of store.VIEW_SIDECARS)
_DIR = re.compile(r"^cik=(\d+)$")
DATA_COLUMNS = [n for n in FACTS_SCHEMA.names if n != "cik"]
_DATA_SCHEMA = pa.schema([FACTS_SCHEMA.field(n) for n in DATA_COLUMNS])


def partition_root(store: Store) -> Path:
    """The partitions folder of ``store``: ``<store stem>.sec_facts`` beside its file."""
    return store.sidecar_dir(SIDECAR)


def readable_dirs(store: Store) -> list[str]:
    """Folders the ``sec_facts`` view reads: a connection that switches DuckDB's external
    access off must keep these in ``allowed_directories`` or the view stops working."""
    return [f"{partition_root(store)}/"]


def partition_path(root: Path, cik: int) -> Path:
    return root / f"cik={int(cik)}" / FILE


def encode_partition(table: pa.Table) -> bytes:
    """One company's facts (``parse_companyfacts`` output) as Parquet bytes, without the CIK
    column; CIK, rows and entity name go into the file's metadata."""
    cik = facts_cik(table)
    if cik is None:
        raise ValueError("facts table carries no CIK (parse it with parse_companyfacts)")
    meta = table.schema.metadata or {}
    data = table.select(DATA_COLUMNS).cast(_DATA_SCHEMA)
    data = data.replace_schema_metadata(
        {
            b"cik": str(cik).encode(),
            b"rows": str(table.num_rows).encode(),
            b"entity_name": meta.get(b"entity_name", b""),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(data, buffer, compression="zstd", compression_level=1)
    return buffer.getvalue()


def write_partition(root: Path, cik: int, data: bytes) -> Path:
    """Write one company's file atomically (old file or whole new one, never a mix)."""
    path = partition_path(root, cik)
    atomic_write(path, data)
    return path


def read_partition_meta(path: Path, cik: int) -> tuple[int, str | None] | None:
    """(rows, entity name) when the file is complete and belongs to ``cik``, else None."""
    try:
        meta = pq.read_metadata(path)
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowInvalid):
        return None
    kv = meta.metadata or {}
    try:
        rows = int(kv[b"rows"])
        ok = int(kv[b"cik"]) == int(cik) and rows == meta.num_rows
    except (KeyError, ValueError):
        return None
    if not ok or schema.remove_metadata() != _DATA_SCHEMA:
        return None
    name = kv.get(b"entity_name", b"").decode() or None
    return rows, name


def list_partitions(root: Path) -> dict[int, Path]:
    """CIK -> file of every partition folder present (not yet validated)."""
    out: dict[int, Path] = {}
    if not root.is_dir():
        return out
    for entry in root.iterdir():
        match = _DIR.match(entry.name)
        if match and (entry / FILE).is_file():
            out[int(match.group(1))] = entry / FILE
    return out


def facts_view_sql(db_table: str, root: Path | None) -> str:
    """``sec_facts``: the database's facts, plus the partitions of other companies."""
    columns = ", ".join(f'"{n}"' for n in FACTS_SCHEMA.names)
    sql = f"SELECT {columns} FROM {db_table}"
    if root is not None:
        glob = str(root / "cik=*" / FILE).replace("'", "''")
        sql += (
            f" UNION ALL SELECT {columns} FROM read_parquet('{glob}', hive_partitioning = true, "
            f"hive_types = {{'cik': BIGINT}}) WHERE cik NOT IN (SELECT DISTINCT cik FROM "
            f"{db_table})"
        )
    return sql


def store_partitions(store: Store, tables: list[pa.Table], origins: list[str]) -> int:
    """Ingest parsed companies as partitions in this process: each file written atomically
    (fsynced), then every company logged in one transaction (and dropped from
    ``sec_facts_db``); the view is refreshed when these are the first partitions. Returns
    the facts stored."""
    from stackatlas.sec import facts_store

    root = partition_root(store)
    first = not list_partitions(root)
    rows = []
    for table, origin in zip(tables, origins, strict=True):
        cik = facts_cik(table)
        if cik is None:
            raise ValueError(f"{origin}: facts table carries no CIK")
        write_partition(root, cik, encode_partition(table))
        name = (table.schema.metadata or {}).get(b"entity_name", b"").decode() or None
        rows.append((cik, "ok", table.num_rows, None, name, origin))
    facts_store.log_companies(store, rows)
    if first:
        facts_store.refresh_view(store)
    return sum(t.num_rows for t in tables)
