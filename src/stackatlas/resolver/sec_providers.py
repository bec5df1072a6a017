"""The two SEC providers: companyfacts (store or folder) and the inline-XBRL filings at hand.

Both turn SEC facts into standard metrics with ``stackatlas.fundamentals.compute_metrics`` (the
same concept table, restatement and derivation rules), so a number read from a 10-K document
equals the one companyfacts would give. Results are kept in memory per facts version (store
row count and latest filing, or file size and mtime), so a re-sync or an edited file is picked
up; failures are never cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from stackatlas import config
from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Company
from stackatlas.errors import DataUnavailableError
from stackatlas.resolver.providers import empty_facts, from_metric_frame

if TYPE_CHECKING:
    from stackatlas.store import Store

MONEY_METRICS: tuple[str, ...] = (
    "revenue",
    "gross_profit",
    "operating_income",
    "capex",
    "operating_cash_flow",
    "free_cash_flow",
)
NO_FACTS = "no SEC facts in the store or STACKATLAS_SEC_DIR (run `stackatlas sync`)"
_CACHE: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}
_CACHE_MAX = 512


def _remember(key: tuple | None, frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    if key is None:
        return
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = frames


def clear_cache() -> None:
    """Forget every cached company (benchmarks time a cold read with it)."""
    _CACHE.clear()


def _select(
    frames: tuple[pd.DataFrame, pd.DataFrame], metrics: Sequence[str], periods: Sequence[str]
) -> pd.DataFrame:
    parts = [f for kind, f in zip(("annual", "quarterly"), frames, strict=True) if kind in periods]
    parts = [p[p["metric"].isin(metrics)] for p in parts if not p.empty]
    if not parts:
        return empty_facts()
    return from_metric_frame(pd.concat(parts, ignore_index=True))


def _metric_frames(key: tuple, facts: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Annual and quarterly money metrics of one company's ``facts``, remembered under ``key``."""
    from stackatlas.fundamentals import compute_metrics

    metrics = list(MONEY_METRICS)
    frames = (
        compute_metrics(facts, "annual", metrics),
        compute_metrics(facts, "quarterly", metrics),
    )
    _remember(key, frames)
    return frames


class CompanyFactsProvider:
    """SEC companyfacts: the store's ``sec_facts`` table when it has the company, else
    ``<folder>/companyfacts/CIK##########.json`` (``folder`` defaults to
    ``$STACKATLAS_SEC_DIR``)."""

    name = "sec-companyfacts"
    label = "SEC companyfacts"
    filing = True

    def __init__(self, store: Store | None = None, folder: Path | None = None) -> None:
        self.store = store
        self.folder = Path(folder) if folder is not None else None

    def _folder(self) -> Path | None:
        return self.folder if self.folder is not None else config.sec_dir()

    def _fingerprint(self, cik: int) -> tuple | None:
        store = self.store
        if store is not None and store.has_table("sec_facts"):
            n, filed = store.con.execute(
                "SELECT count(*), max(filed) FROM sec_facts WHERE cik = ?", [cik]
            ).fetchone() or (0, None)
            if n:
                return ("store", str(store.path), n, str(filed))
        folder = self._folder()
        if folder is not None:
            path = folder / "companyfacts" / f"CIK{cik:010d}.json"
            if path.is_file():
                st = path.stat()
                return ("dir", str(path), st.st_size, st.st_mtime_ns)
        return None

    def version(self, company: Company) -> tuple:
        """What this provider's answer for ``company`` depends on (the resolver's cache key)."""
        if company.cik is None:
            return ("no-cik",)
        return self._fingerprint(int(company.cik)) or ("absent", str(self._folder()))

    def frames(self, cik: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Annual and quarterly money metrics of one CIK (``fundamentals`` columns)."""
        from stackatlas.fundamentals import load_company_facts

        key = self._fingerprint(int(cik))
        if key is not None and key in _CACHE:
            return _CACHE[key]
        if key is not None and key[0] == "dir" and self.folder is not None:
            from stackatlas.sec.companyfacts import read_companyfacts

            facts = read_companyfacts(Path(key[1]))
        elif key is None:
            raise DataUnavailableError(NO_FACTS)
        else:
            facts = load_company_facts(int(cik), store=self.store)
        return _metric_frames(key, facts)

    def fetch(
        self, company: Company, metrics: Sequence[str], periods: Sequence[str]
    ) -> pd.DataFrame:
        if company.cik is None:
            raise DataUnavailableError("no SEC CIK (not an SEC filer)")
        return _select(self.frames(int(company.cik)), metrics, periods)


class FilingsProvider:
    """Company-level facts of the inline-XBRL 10-K / 10-Q documents in ``folder`` (default
    ``$STACKATLAS_SEC_DIR/filings``): what a filing states when companyfacts are not at hand.
    With an ``atlas``, ``doc:`` references become the atlas source's accession number."""

    name = "sec-filing"
    label = "inline-XBRL filings"
    filing = True

    def __init__(self, folder: Path | None = None, atlas: Atlas | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.atlas = atlas
        self.skipped: list[str] = []

    def _folder(self) -> Path | None:
        if self.folder is not None:
            return self.folder
        base = config.sec_dir()
        return base / "filings" if base is not None else None

    def _documents_version(self) -> tuple:
        from stackatlas.sec.filings import documents

        folder = self._folder()
        if folder is None or not folder.is_dir():
            return ("absent", str(folder))
        stats = [(p.name, p.stat()) for p in documents(folder)]
        return (str(folder.resolve()), *((n, st.st_size, st.st_mtime_ns) for n, st in stats))

    def version(self, company: Company) -> tuple:
        """The filings folder's documents (names, sizes, mtimes) and the atlas accessions."""
        sources = (
            tuple(
                sorted(
                    (s.accession, str(s.published), s.url or "")
                    for s in self.atlas.sources.values()
                    if s.accession
                )
            )
            if self.atlas is not None
            else ()
        )
        return ("filings", company.cik, sources, self._documents_version())

    def frames(self, cik: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        from stackatlas.sec.filings import company_facts_from_filings

        folder = self._folder()
        if folder is None or not folder.is_dir():
            raise DataUnavailableError("no filings folder ($STACKATLAS_SEC_DIR/filings)")
        key = ("filings", int(cik), self._documents_version())
        if key in _CACHE:
            return _CACHE[key]
        facts, skipped = company_facts_from_filings(folder, int(cik))
        self.skipped = skipped
        if facts.empty:
            note = f" ({len(skipped)} unreadable document(s) left out)" if skipped else ""
            raise DataUnavailableError(f"no filing for CIK {cik} in {folder}{note}")
        return _metric_frames(key, facts)

    def fetch(
        self, company: Company, metrics: Sequence[str], periods: Sequence[str]
    ) -> pd.DataFrame:
        if company.cik is None:
            raise DataUnavailableError("no SEC CIK (not an SEC filer)")
        from stackatlas.sec.filings import accession_map

        facts = _select(self.frames(int(company.cik)), metrics, periods)
        folder = self._folder()
        known = accession_map(folder, int(company.cik), self.atlas) if folder else {}
        if known:  # the atlas names the filing: cite its accession, not the document name
            facts["reference"] = facts["reference"].map(lambda r: known.get(str(r), r))
        return facts
