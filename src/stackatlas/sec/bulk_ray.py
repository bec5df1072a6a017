"""``sec bulk --engine ray``: parse the archive's members in Ray tasks into CIK partitions.

Each task opens the archive itself (so the archive must be at the same path on every node:
this machine for a local cluster, shared storage for a real one), parses a batch of members
and returns one Parquet file's bytes per company (``partitions.encode_partition``). This
process, the single writer, writes each file atomically under the store's partitions folder
and then, in one transaction per batch, logs every company in ``sec_sync_log`` (source
"bulk") and drops the companies' rows from ``sec_facts_db`` so the newest facts win. The
``sec_facts`` view is refreshed at the end, also after Ctrl-C or a failure.

Resumable and idempotent: a member whose partition exists and validates (see
``partitions.read_partition_meta``) is skipped, and logged if an interrupted run had written
the file but not yet its log row. A malformed member is logged as a failure, as locally.
"""

from __future__ import annotations

import contextlib
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from stackatlas.scale.engine import require_ray, run_chunks
from stackatlas.sec import facts_store
from stackatlas.sec.bulk import (
    BulkReport,
    member_cik,
    members,
    parse_member,
    progress_bar,
    require_archive,
)
from stackatlas.sec.partitions import (
    encode_partition,
    partition_path,
    partition_root,
    read_partition_meta,
    write_partition,
)
from stackatlas.store import Store

MEMBERS_PER_TASK = 25


@dataclass(frozen=True)
class Parsed:
    """One member's outcome in a task: Parquet bytes and row count, or the error text."""

    name: str
    cik: int
    data: bytes | None
    rows: int
    entity_name: str | None
    error: str | None


def parse_members(names: list[str], archive: str) -> list[Parsed]:
    """A Ray task: parse ``names`` from ``archive`` into partition bytes (never raises for a
    bad member; an unreadable archive raises)."""
    out: list[Parsed] = []
    with zipfile.ZipFile(archive) as zf:
        for name in names:
            _, table, error = parse_member(zf, name)
            if table is None:
                out.append(Parsed(name, member_cik(name), None, 0, None, error or "unknown"))
                continue
            meta = table.schema.metadata or {}
            entity = meta.get(b"entity_name", b"").decode() or None
            data = encode_partition(table)
            out.append(Parsed(name, member_cik(name), data, table.num_rows, entity, None))
    return out


def ingest_bulk_ray(
    archive: str | Path,
    *,
    store: Store | None = None,
    address: str | None = None,
    progress: bool = True,
    members_per_task: int | None = None,
) -> BulkReport:
    """Ingest every companyfacts member of ``archive`` as CIK partitions, parsing on Ray.
    ``members_per_task`` defaults to 1/16 of the members, at most ``MEMBERS_PER_TASK``."""
    require_ray()  # before any work: says how to install the [scale] extra
    path = Path(archive).resolve()
    require_archive(path)
    own_store = store is None
    store = store if store is not None else Store()
    report = BulkReport(archive=str(path))
    start = time.perf_counter()
    try:
        names = members(path, report)
        facts_store.ensure_tables(store)
        root = partition_root(store)
        todo = _resume(store, root, names, report)
        size = members_per_task or max(1, min(MEMBERS_PER_TASK, -(-len(todo) // 16)))
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        stream = run_chunks(
            parse_members, chunks, engine="ray", address=address, shared=(str(path),)
        )
        with progress_bar(progress, len(todo)) as advance, contextlib.closing(stream):
            try:
                for item in stream:
                    _store_batch(store, root, item.value, report)
                    for _ in item.value:
                        advance()
            except KeyboardInterrupt:
                report.interrupted = True
                raise
            finally:
                facts_store.refresh_view(store)
    finally:
        report.seconds = time.perf_counter() - start
        if own_store:
            store.close()
    return report


def _resume(store: Store, root: Path, names: list[str], report: BulkReport) -> list[str]:
    """Members still to parse; complete partitions are skipped (and logged if they were not)."""
    logged = facts_store.ingested_ciks(store)
    todo: list[str] = []
    unlogged: list[tuple[int, str, int, str | None, str | None, str]] = []
    for name in names:
        cik = member_cik(name)
        found = read_partition_meta(partition_path(root, cik), cik)
        if found is None:
            todo.append(name)
            continue
        report.skipped += 1
        if cik not in logged:
            unlogged.append((cik, "ok", found[0], None, found[1], name))
    facts_store.log_companies(store, unlogged)
    return todo


def _store_batch(store: Store, root: Path, batch: list[Parsed], report: BulkReport) -> None:
    rows: list[tuple[int, str, int, str | None, str | None, str]] = []
    for item in batch:
        if item.data is None:
            report.failures.append((item.name, item.error or "unknown error"))
            rows.append((item.cik, "failed", 0, item.error, None, item.name))
            continue
        write_partition(root, item.cik, item.data)
        report.ingested += 1
        report.facts += item.rows
        rows.append((item.cik, "ok", item.rows, None, item.entity_name, item.name))
    facts_store.log_companies(store, rows)
