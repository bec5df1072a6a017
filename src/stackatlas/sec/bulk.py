"""Stream SEC's bulk ``companyfacts.zip`` (one ``CIK##########.json`` per filer) into the store.

Worker processes each open the archive themselves and parse members (JSON -> Arrow, see
``companyfacts.py``); at most ``2 x workers + 2`` members are in flight, so memory stays
bounded however large the archive. The parent process is the single writer: it batches parsed
companies into one transaction per ~250k facts (``facts_store.ingest_batch``), which also logs
every company in ``sec_sync_log`` with source "bulk". A rerun skips CIKs whose latest log row
is ``ok``, so an interrupted run resumes where it stopped. A malformed member is logged as a
failure and skipped; the run goes on and the report lists every failure.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import re
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stackatlas.errors import DataUnavailableError, StackAtlasError
from stackatlas.notebook import Tabular
from stackatlas.sec import facts_store
from stackatlas.sec.companyfacts import facts_cik, invalid, parse_companyfacts
from stackatlas.store import Store

_MEMBER = re.compile(r"(?:^|/)CIK(\d{10})\.json$")


def member_cik(name: str) -> int:
    """The CIK of an archive member named ``.../CIK##########.json`` (names are pre-filtered)."""
    match = _MEMBER.search(name)
    if match is None:
        raise ValueError(f"not a companyfacts member: {name!r}")
    return int(match.group(1))


BATCH_FACTS = 250_000


@dataclass
class BulkReport(Tabular):
    """Outcome of one bulk run (counts are members of the archive)."""

    archive: str
    members: int = 0
    ingested: int = 0
    skipped: int = 0  # already ingested by an earlier run
    ignored: int = 0  # archive entries that are not CIK##########.json
    facts: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (member, reason)
    interrupted: bool = False

    @property
    def facts_per_second(self) -> float:
        return self.facts / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "archive": self.archive,
            "members": self.members,
            "ingested": self.ingested,
            "skipped": self.skipped,
            "ignored": self.ignored,
            "facts": self.facts,
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
            "failures": [{"member": m, "error": e} for m, e in self.failures],
        }

    def __rich__(self) -> Table:
        table = Table(title=f"SEC bulk ingest: {self.archive}", show_header=False)
        for label, value in (
            ("members", f"{self.members:,}"),
            ("ingested", f"{self.ingested:,}"),
            ("skipped (already ingested)", f"{self.skipped:,}"),
            ("failed", f"{len(self.failures):,}"),
            ("facts", f"{self.facts:,}"),
            ("time", f"{self.seconds:.1f} s ({self.facts_per_second:,.0f} facts/s)"),
        ):
            table.add_row(label, value)
        if self.interrupted:
            table.add_row("interrupted", "yes - rerun the same command to resume")
        for member, error in self.failures[:20]:
            table.add_row(f"[red]failed[/] {member}", error)
        if len(self.failures) > 20:
            table.add_row("...", f"{len(self.failures) - 20} more failures")
        return table


# ---- worker side --------------------------------------------------------------------------
_zip: zipfile.ZipFile | None = None


def _open_archive(path: str) -> None:
    global _zip
    _zip = zipfile.ZipFile(path)


def _close_archive() -> None:
    global _zip
    if _zip is not None:
        _zip.close()
        _zip = None


def _parse_member(name: str) -> tuple[str, pa.Table | None, str | None]:
    """Read and parse one member inside a worker; errors come back as text, never raise."""
    assert _zip is not None, "worker archive not opened"
    return parse_member(_zip, name)


def parse_member(archive: zipfile.ZipFile, name: str) -> tuple[str, pa.Table | None, str | None]:
    """Read and parse one ``CIK##########.json`` member: (name, facts, None) or (name, None,
    error text) - never raises for a bad member (the run goes on and reports it)."""
    try:
        raw = archive.read(name)
        table = parse_companyfacts(raw, origin=name)
    except (StackAtlasError, zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        return name, None, str(exc)
    expected = member_cik(name)
    if facts_cik(table) != expected:
        return name, None, f"{name}: document is for CIK {facts_cik(table)}, not {expected}"
    return name, table, None


def require_archive(path: Path) -> None:
    """Raise, saying where to get it, when the companyfacts bulk archive is not at ``path``."""
    if not path.is_file():
        raise DataUnavailableError(
            f"{path}: bulk archive not found (download companyfacts.zip "
            "from https://www.sec.gov/Archives/edgar/daily-index/xbrl/companyfacts.zip)"
        )


# ---- parent side --------------------------------------------------------------------------
def ingest_bulk(
    archive: str | Path,
    *,
    store: Store | None = None,
    workers: int | None = None,
    progress: bool = True,
    batch_facts: int = BATCH_FACTS,
    on_batch: Callable[[BulkReport], None] | None = None,
    memory_limit: str | None = "1GB",
) -> BulkReport:
    """Ingest every companyfacts member of ``archive``; ``workers=0`` parses in-process.

    ``on_batch`` is called after each committed batch (progress hooks, tests). On Ctrl-C the
    batches already committed stay; the exception propagates after the pool is shut down.
    ``memory_limit`` caps DuckDB's buffer pool so a long run cannot grow it to most of the
    RAM; it applies only to the store this function opens (a passed ``store`` is left alone).
    """
    path = Path(archive)
    require_archive(path)
    own_store = store is None
    store = store if store is not None else Store()
    report = BulkReport(archive=str(path))
    start = time.perf_counter()
    try:
        names = members(path, report)
        if own_store and memory_limit is not None:
            store.con.execute("SET memory_limit = ?", [memory_limit])
        done = facts_store.ingested_ciks(store)
        todo = [n for n in names if member_cik(n) not in done]
        report.skipped = len(names) - len(todo)
        writer = _Writer(store, report, batch_facts, on_batch, start)
        parsed = _parsed(path, todo, workers)
        with progress_bar(progress, len(todo)) as advance, contextlib.closing(parsed), writer:
            try:
                for item in parsed:
                    writer.put(item)
                    advance()
            except KeyboardInterrupt:
                report.interrupted = True
                raise
    finally:
        report.seconds = time.perf_counter() - start
        if own_store:
            store.close()
    return report


def members(path: Path, report: BulkReport) -> list[str]:
    """The archive's companyfacts members, sorted; counts members and ignored entries."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise invalid(str(path), f"not a readable zip archive: {exc}") from exc
    found = sorted(n for n in names if _MEMBER.search(n))
    report.members = len(found)
    report.ignored = sum(1 for n in names if not n.endswith("/")) - len(found)
    return found


def _parsed(
    path: Path, names: list[str], workers: int | None
) -> Generator[tuple[str, pa.Table | None, str | None], None, None]:
    """Parsed members in completion order, with bounded work in flight."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers <= 0 or len(names) <= 1:
        _open_archive(str(path))
        try:
            yield from (_parse_member(n) for n in names)
        finally:
            _close_archive()
        return
    context: multiprocessing.context.BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")  # no fork of a DuckDB-holding parent
        context.set_forkserver_preload(["stackatlas.sec.companyfacts"])
    else:
        context = multiprocessing.get_context("spawn")
    limit = 2 * workers + 2
    queue = iter(names)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_open_archive, initargs=(str(path),)
    ) as pool:
        pending: set[Future] = set()
        try:
            for name in _take(queue, limit):
                pending.add(pool.submit(_parse_member, name))
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    for name in _take(queue, 1):
                        pending.add(pool.submit(_parse_member, name))
                    try:
                        result = future.result()
                    except BrokenProcessPool as exc:
                        raise StackAtlasError(
                            f"{path}: a parsing worker process died ({exc}); rerun to resume, "
                            "or use --workers 0 to parse in-process"
                        ) from exc
                    yield result
        except BaseException:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _take(queue: Iterator[str], n: int) -> Iterable[str]:
    for _ in range(n):
        item = next(queue, None)
        if item is None:
            return
        yield item


class _Writer:
    """The single writer, on its own thread so parsing never waits for DuckDB: batches parsed
    companies into one transaction per ``batch_facts`` facts. The queue is bounded, so at most
    a few parsed companies wait in memory."""

    def __init__(
        self,
        store: Store,
        report: BulkReport,
        batch_facts: int,
        on_batch: Callable[[BulkReport], None] | None,
        start: float,
    ) -> None:
        self.store, self.report, self.batch_facts = store, report, batch_facts
        self.on_batch, self.start = on_batch, start
        self.tables: list[pa.Table] = []
        self.names: list[str] = []
        self.rows = 0
        self.queue: queue.Queue = queue.Queue(maxsize=8)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="sec-bulk-writer", daemon=True)

    def __enter__(self) -> _Writer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._send(None)  # flush what was received (complete companies only), then stop
        self.thread.join()
        if self.error is not None and exc[0] is None:
            raise self.error

    def put(self, item: tuple[str, pa.Table | None, str | None]) -> None:
        self._send(item)
        if self.error is not None:
            raise self.error

    def _send(self, item: object) -> None:
        while self.thread.is_alive():
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        try:
            while (item := self.queue.get()) is not None:
                self._add(*item)
            self._flush()
        except BaseException as exc:  # handed to the parsing thread, which re-raises it
            self.error = exc

    def _add(self, name: str, table: pa.Table | None, error: str | None) -> None:
        if table is None:
            cik = member_cik(name)
            self.report.failures.append((name, error or "unknown error"))
            facts_store.record_failure(
                self.store, cik, source="bulk", error=error or "", origin=name
            )
            return
        self.tables.append(table)
        self.names.append(name)
        self.rows += table.num_rows
        if self.rows >= self.batch_facts:
            self._flush()

    def _flush(self) -> None:
        if not self.tables:
            return
        self.report.facts += facts_store.ingest_batch(
            self.store, self.tables, source="bulk", origins=self.names
        )
        self.report.ingested += len(self.tables)
        self.tables, self.names, self.rows = [], [], 0
        self.report.seconds = time.perf_counter() - self.start
        if self.on_batch is not None:
            self.on_batch(self.report)


@contextlib.contextmanager
def progress_bar(enabled: bool, total: int) -> Iterator[Callable[[], None]]:
    if not enabled:
        yield lambda: None
        return
    columns = (TextColumn("[bold]SEC bulk"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("members", total=total)
        yield lambda: bar.advance(task)
