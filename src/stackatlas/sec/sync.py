"""Fetch and ingest the SEC facts of atlas companies (``stackatlas sync``).

For each selected company with a CIK: companyfacts from STACKATLAS_SEC_DIR when set, else from
SEC (conditional request against the cache; offline: cache only). Parsed companies are
written in batches (``facts_store.ingest_batch``: one transaction replacing their ``sec_facts``
rows and logging each in ``sec_sync_log``; up to ``BATCH_FACTS`` facts per batch). A company
that cannot be fetched or parsed is recorded with its reason and the run goes on (it is never
part of a batch); if a batch cannot be stored, its companies are retried one transaction each,
so a store error stops the run exactly where a per-company write would have. The report says,
per company, fetched / cached / local / failed / skipped.

The network part is bounded: the whole run gets ``deadline`` seconds (``STACKATLAS_SEC_DEADLINE``,
default 900) and the client gives up on SEC after a few attempts in a row without any answer
(offline, DNS down, a host that never replies); the companies left are then served from the
cache when it holds them and reported failed ("not attempted") otherwise, and the report says
why the run stopped. A corrupt cache entry is quarantined and refetched, never fatal.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd
from rich.console import Group, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from stackatlas import config
from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Company
from stackatlas.errors import DataUnavailableError, StackAtlasError, StoreError, ValidationError
from stackatlas.notebook import Tabular
from stackatlas.sec import facts_store
from stackatlas.sec.client import SecClient, resolve_user_agent
from stackatlas.sec.endpoints import CompanyFacts, companyfacts
from stackatlas.store import Store

Status = Literal["fetched", "cached", "local", "failed", "skipped"]
_STATUS_OF_SOURCE: dict[str, Status] = {"network": "fetched", "cache": "cached", "dir": "local"}
BATCH_FACTS = 500_000  # facts held in memory before a batch is written
_STYLE = {
    "fetched": "green",
    "cached": "cyan",
    "local": "cyan",
    "failed": "red",
    "skipped": "yellow",
}


@dataclass(frozen=True)
class SyncRow:
    """What happened to one company."""

    company: str  # atlas id
    name: str
    cik: int | None
    status: Status
    facts: int = 0
    reason: str = ""  # why it failed / was skipped, or a note (e.g. "304 not modified")


@dataclass
class SyncReport(Tabular):
    """Outcome of ``sync_companies``: one row per selected company."""

    rows: list[SyncRow] = field(default_factory=list)
    seconds: float = 0.0
    offline: bool = False
    source: str = "network"  # "network" or the SEC_DIR path
    stopped: str = ""  # why the run stopped fetching early (SEC unreachable, deadline), if so
    cache_notes: list[str] = field(default_factory=list)  # corrupt cache entries moved aside

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.rows))

    @property
    def ok(self) -> bool:
        return not any(r.status == "failed" for r in self.rows)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [asdict(r) for r in self.rows],
            columns=["company", "name", "cik", "status", "facts", "reason"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "seconds": round(self.seconds, 3),
            "offline": self.offline,
            "source": self.source,
            "stopped": self.stopped or None,
            "cache_quarantined": self.cache_notes,
            "companies": [asdict(r) for r in self.rows],
        }

    def __rich__(self) -> Group:
        table = Table(title="SEC sync", show_lines=False)
        for col in ("company", "CIK", "status", "facts", "reason / note"):
            table.add_column(col, justify="right" if col in {"CIK", "facts"} else "left")
        for r in self.rows:
            table.add_row(
                r.company,
                f"{r.cik:010d}" if r.cik else "-",
                f"[{_STYLE[r.status]}]{r.status}[/]",
                f"{r.facts:,}",
                r.reason,
            )
        summary = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items()))
        lines: list[RenderableType] = [
            table,
            Text(f"{summary or 'nothing to do'} in {self.seconds:.1f} s (source: {self.source})"),
        ]
        if self.stopped:
            lines.append(Text(f"stopped early: {self.stopped}", style="bold red"))
        lines += [Text(f"cache: quarantined {note}", style="yellow") for note in self.cache_notes]
        return Group(*lines)


def select_companies(atlas: Atlas, companies: str | Sequence[str] = "all") -> list[Company]:
    """Atlas companies to sync: every one with a CIK for "all", else each name / ticker / id
    given (``NotFoundError`` with suggestions for an unknown one)."""
    if isinstance(companies, str):
        if companies.strip().lower() == "all":
            return [c for c in atlas.companies.values() if c.cik]
        companies = [part for part in companies.split(",") if part.strip()]
    chosen: dict[str, Company] = {}
    for query in companies:
        company = atlas.find_company(query.strip())
        chosen.setdefault(company.id, company)
    return list(chosen.values())


def sync_companies(
    atlas: Atlas,
    companies: str | Sequence[str] = "all",
    *,
    offline: bool | None = None,
    store: Store | None = None,
    progress: bool = True,
    client: SecClient | None = None,
    deadline: float | None = None,
) -> SyncReport:
    """Fetch and ingest the companyfacts of the selected atlas companies.

    Network use needs the SEC User-Agent (checked once, before any request). With
    STACKATLAS_SEC_DIR set, files come from there ("local"); a company without a file is
    skipped with reason "not in SEC_DIR"; offline without a cached copy fails. ``deadline``:
    seconds the run may spend fetching (default ``config.sec_deadline()``; 0 = no limit).
    """
    offline = config.offline() if offline is None else offline
    sec_dir = config.sec_dir()
    selected = select_companies(atlas, companies)
    if sec_dir is None and not offline and client is None:
        resolve_user_agent()  # fail fast with instructions, before touching anything
    report = SyncReport(
        offline=offline,
        source=str(sec_dir) if sec_dir else ("cache (offline)" if offline else "network"),
    )
    start = time.perf_counter()
    own_store, own_client = store is None, client is None
    store = store if store is not None else Store()
    client = client if client is not None else SecClient(offline=offline)
    seconds = config.sec_deadline() if deadline is None else (deadline or None)
    earlier_deadline = client.deadline
    client.deadline_hit = False
    if seconds is not None:
        client.deadline = client.clock() + seconds
    failure_source = "dir" if sec_dir else ("cache" if offline else "network")
    slots: list[SyncRow | None] = []  # report order = selection order
    pending: list[tuple[int, Company, CompanyFacts]] = []
    try:
        try:
            for company in _progress(selected, progress):
                got = _fetch_one(company, store, client, failure_source)
                if isinstance(got, SyncRow):
                    slots.append(got)
                    continue
                if any(c.cik == company.cik for _, c, _ in pending):  # same CIK: flush first
                    _flush(pending, store, slots)
                pending.append((len(slots), company, got))
                slots.append(None)
                if sum(g.facts.num_rows for _, _, g in pending) >= BATCH_FACTS:
                    _flush(pending, store, slots)
        except KeyboardInterrupt:  # keep what was already parsed, as one-by-one writes did
            _flush(pending, store, slots)
            raise
        _flush(pending, store, slots)
        report.rows.extend(r for r in slots if r is not None)
    finally:
        report.seconds = time.perf_counter() - start
        report.stopped = _stopped(client, seconds)
        report.cache_notes = list(client.cache.quarantined)
        client.deadline = earlier_deadline
        if own_client:
            client.close()
        if own_store:
            store.close()
    return report


def _stopped(client: SecClient, seconds: float | None) -> str:
    """Why the client stopped fetching before the end, or ''."""
    if client.unreachable:
        return client.unreachable
    if client.deadline_hit and seconds is not None:
        return (
            f"the sync deadline of {seconds:g} s passed (raise it with --deadline SECONDS or "
            "STACKATLAS_SEC_DEADLINE; 0 = no limit)"
        )
    return ""


def _fetch_one(
    company: Company, store: Store, client: SecClient, failure_source: str
) -> CompanyFacts | SyncRow:
    """The parsed companyfacts, or the row saying why there are none (failures logged)."""
    if not company.cik:
        return SyncRow(
            company.id,
            company.name,
            None,
            "skipped",
            reason="no CIK in the atlas (does not file with the SEC)",
        )
    try:
        got = companyfacts(company.cik, client=client)
    except StackAtlasError as exc:
        if isinstance(exc, DataUnavailableError) and config.sec_dir() is not None:
            # Not an error: the local folder is a partial set and lacks this company.
            return SyncRow(
                company.id, company.name, company.cik, "skipped", reason="not in SEC_DIR"
            )
        reason = str(exc).splitlines()[0]
        if isinstance(exc, DataUnavailableError):
            reason = "offline and not in the SEC cache"
        facts_store.record_failure(store, company.cik, source=failure_source, error=reason)
        return SyncRow(company.id, company.name, company.cik, "failed", reason=reason)
    return got


def _flush(
    pending: list[tuple[int, Company, CompanyFacts]], store: Store, slots: list[SyncRow | None]
) -> None:
    """Store the pending companies in one transaction (one each if that fails) and fill their
    report rows; empties ``pending``."""
    if not pending:
        return
    batch = [g for _, _, g in pending]
    try:
        facts_store.ingest_batch(
            store,
            [g.facts for g in batch],
            source="",
            sources=[g.source for g in batch],
            origins=[g.origin for g in batch],
            fetched_ats=[g.fetched_at for g in batch],
        )
        counts = [g.facts.num_rows for g in batch]
    except (StoreError, ValidationError):  # as one by one: those before the culprit are kept
        counts = [
            facts_store.ingest_facts(
                store, g.facts, source=g.source, origin=g.origin, fetched_at=g.fetched_at
            )
            for g in batch
        ]
    for (slot, company, got), facts in zip(pending, counts, strict=True):
        slots[slot] = SyncRow(
            company.id,
            company.name,
            company.cik,
            _STATUS_OF_SOURCE[got.source],
            facts=facts,
            reason=got.note,
        )
    pending.clear()


def _progress(companies: list[Company], enabled: bool) -> Iterable[Company]:
    if not enabled or not companies:
        yield from companies
        return
    columns = (
        TextColumn("[bold]SEC sync"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("", total=len(companies))
        for company in companies:
            bar.update(task, description=company.id)
            yield company
            bar.advance(task)
