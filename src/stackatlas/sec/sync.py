"""Fetch and ingest the SEC facts of atlas companies (``stackatlas sync``).

For each selected company with a CIK: companyfacts from STACKATLAS_SEC_DIR when set, else from
SEC (conditional request against the cache; offline: cache only), then one transaction
replacing its ``sec_facts`` rows and logging it in ``sec_sync_log``. A failure is recorded
with its reason and the run goes on; the report says, per company, fetched / cached / local /
failed / skipped.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd
from rich.console import Group
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from stackatlas import config
from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Company
from stackatlas.errors import DataUnavailableError, StackAtlasError
from stackatlas.sec import facts_store
from stackatlas.sec.client import SecClient, resolve_user_agent
from stackatlas.sec.endpoints import companyfacts
from stackatlas.store import Store

Status = Literal["fetched", "cached", "local", "failed", "skipped"]
_STATUS_OF_SOURCE: dict[str, Status] = {"network": "fetched", "cache": "cached", "dir": "local"}
_STYLE = {"fetched": "green", "cached": "cyan", "local": "cyan", "failed": "red",
          "skipped": "yellow"}


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
class SyncReport:
    """Outcome of ``sync_companies``: one row per selected company."""

    rows: list[SyncRow] = field(default_factory=list)
    seconds: float = 0.0
    offline: bool = False
    source: str = "network"  # "network" or the SEC_DIR path

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.rows))

    @property
    def ok(self) -> bool:
        return not any(r.status == "failed" for r in self.rows)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(r) for r in self.rows],
                            columns=["company", "name", "cik", "status", "facts", "reason"])

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "seconds": round(self.seconds, 3),
                "offline": self.offline, "source": self.source,
                "companies": [asdict(r) for r in self.rows]}

    def __rich__(self) -> Group:
        table = Table(title="SEC sync", show_lines=False)
        for col in ("company", "CIK", "status", "facts", "reason / note"):
            table.add_column(col, justify="right" if col in {"CIK", "facts"} else "left")
        for r in self.rows:
            table.add_row(r.company, f"{r.cik:010d}" if r.cik else "-",
                          f"[{_STYLE[r.status]}]{r.status}[/]", f"{r.facts:,}", r.reason)
        summary = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items()))
        return Group(table, Text(f"{summary or 'nothing to do'} in {self.seconds:.1f} s "
                                 f"(source: {self.source})"))


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


def sync_companies(atlas: Atlas, companies: str | Sequence[str] = "all", *,
                   offline: bool | None = None, store: Store | None = None,
                   progress: bool = True, client: SecClient | None = None) -> SyncReport:
    """Fetch and ingest the companyfacts of the selected atlas companies.

    Network use needs the SEC User-Agent (checked once, before any request). With
    STACKATLAS_SEC_DIR set, files come from there ("local"); a company without a file is
    skipped with reason "not in SEC_DIR"; offline without a cached copy fails.
    """
    offline = config.offline() if offline is None else offline
    sec_dir = config.sec_dir()
    selected = select_companies(atlas, companies)
    if sec_dir is None and not offline and client is None:
        resolve_user_agent()  # fail fast with instructions, before touching anything
    report = SyncReport(offline=offline, source=str(sec_dir) if sec_dir else
                        ("cache (offline)" if offline else "network"))
    start = time.perf_counter()
    own_store, own_client = store is None, client is None
    store = store if store is not None else Store()
    client = client if client is not None else SecClient(offline=offline)
    failure_source = "dir" if sec_dir else ("cache" if offline else "network")
    try:
        for company in _progress(selected, progress):
            row = _sync_one(company, store, client, failure_source)
            report.rows.append(row)
    finally:
        report.seconds = time.perf_counter() - start
        if own_client:
            client.close()
        if own_store:
            store.close()
    return report


def _sync_one(company: Company, store: Store, client: SecClient,
              failure_source: str) -> SyncRow:
    if not company.cik:
        return SyncRow(company.id, company.name, None, "skipped",
                       reason="no CIK in the atlas (does not file with the SEC)")
    try:
        got = companyfacts(company.cik, client=client)
    except StackAtlasError as exc:
        if isinstance(exc, DataUnavailableError) and config.sec_dir() is not None:
            # Not an error: the local folder is a partial set and lacks this company.
            return SyncRow(company.id, company.name, company.cik, "skipped",
                           reason="not in SEC_DIR")
        reason = str(exc).splitlines()[0]
        if isinstance(exc, DataUnavailableError):
            reason = "offline and not in the SEC cache"
        facts_store.record_failure(store, company.cik, source=failure_source, error=reason)
        return SyncRow(company.id, company.name, company.cik, "failed", reason=reason)
    rows = facts_store.ingest_facts(store, got.facts, source=got.source, origin=got.origin,
                                    fetched_at=got.fetched_at)
    return SyncRow(company.id, company.name, company.cik, _STATUS_OF_SOURCE[got.source],
                   facts=rows, reason=got.note)


def _progress(companies: list[Company], enabled: bool) -> Iterable[Company]:
    if not enabled or not companies:
        yield from companies
        return
    columns = (TextColumn("[bold]SEC sync"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.description}"))
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("", total=len(companies))
        for company in companies:
            bar.update(task, description=company.id)
            yield company
            bar.advance(task)
