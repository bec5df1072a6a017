"""Public entry points: standard metrics of one company from its companyfacts.

``compute_metrics(facts, period)`` turns a facts table (FACTS_SCHEMA) into one row per metric and
fiscal period; ``company_metrics(cik, period)`` finds the facts first (store, then
``$STACKATLAS_SEC_DIR``). Everything is column-wise pandas / numpy: no per-fact Python loop.

Output columns (``METRIC_COLUMNS``): metric, fiscal_year, fiscal_period (FY, Q1-Q4, TTM), start,
end (``datetime.date``), value (full units: USD, or shares), unit, currency (as reported),
fx_rate (USD per unit), concept, accession, form, filed, derivation, evidence (reported /
derived / unresolved), calendar_year, calendar_quarter (the calendar year and quarter holding
most of the period's days; for annual rows the quarter is empty; TTM rows use their last
quarter; balances use the fiscal period they close).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from stackatlas import config
from stackatlas.errors import DataUnavailableError, NotFoundError, StoreError, ValidationError
from stackatlas.fundamentals.concepts import ALL_SPECS, METRICS, needed_metrics
from stackatlas.fundamentals.derive import add_derived
from stackatlas.fundamentals.fx import convert_to_usd
from stackatlas.fundamentals.periods import calendar_alignment, fiscal_calendar
from stackatlas.fundamentals.quarterly import (
    annual_rows,
    company_slots,
    quarterly_rows,
    ttm_rows,
)
from stackatlas.fundamentals.resolve import reporting_period_ends, resolve
from stackatlas.sec.companyfacts import FACTS_SCHEMA

if TYPE_CHECKING:
    from stackatlas.store import Store

PERIODS = ("annual", "quarterly", "ttm")
METRIC_COLUMNS = [
    "metric",
    "fiscal_year",
    "fiscal_period",
    "start",
    "end",
    "value",
    "unit",
    "currency",
    "fx_rate",
    "concept",
    "accession",
    "form",
    "filed",
    "derivation",
    "evidence",
    "calendar_year",
    "calendar_quarter",
]
_FACT_COLUMNS = [c for c in FACTS_SCHEMA.names if c not in ("cik", "frame")]
"""The facts columns metrics read (the CIK and SEC's calendar frame are not needed)."""


def quarterly_gap_note(frame: pd.DataFrame, period: str) -> str | None:
    """Why a quarterly / TTM result holds balances only: the file has no quarterly income or
    cash-flow figures (annual filers such as 20-F issuers, e.g. TSMC), or None."""
    if period == "annual" or frame.empty:
        return None
    durations = [n for n, spec in ALL_SPECS.items() if spec.kind == "duration"]
    flows = frame[frame["metric"].isin(durations)]
    if flows["value"].notna().any():
        return None
    return (
        f"no {period} income or cash-flow figures: they need quarterly filings (10-Q / 6-K "
        "XBRL) and this file has none (an annual filer, e.g. 20-F); only balances are shown. "
        "Use --period annual for the yearly figures"
    )


def compute_metrics(
    facts: pa.Table | pd.DataFrame,
    period: str = "annual",
    metrics: Sequence[str] | None = None,
    *,
    to_usd: bool = True,
) -> pd.DataFrame:
    """Standard metrics per fiscal period (``annual``, ``quarterly`` or ``ttm``).

    ``to_usd=False`` keeps amounts in the reported currency. Raises ``ValidationError`` for an
    unknown period and ``NotFoundError`` for an unknown metric name.
    """
    if period not in PERIODS:
        raise ValidationError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    names = _check_metrics(metrics)
    frame = _facts_frame(facts)
    empty = pd.DataFrame(columns=METRIC_COLUMNS)
    if frame.empty:
        return empty
    cal = fiscal_calendar(frame)
    if cal.empty:
        return empty
    needed = needed_metrics(names)
    resolved = resolve(
        frame, needed, cal, reporting_period_ends(frame, cal), prefer_convenience=to_usd
    )
    if period == "annual":
        rows = add_derived(annual_rows(resolved), needed)
    else:
        rows = add_derived(quarterly_rows(resolved), needed)
        if period == "ttm":
            kinds = {n: ALL_SPECS[n].kind for n in needed}
            rows = ttm_rows(rows, company_slots(frame, cal), kinds)
    rows = rows[rows["metric"].isin(names)]
    if rows.empty:
        return empty
    return _finish(rows.reset_index(drop=True), names, to_usd)


def company_metrics(
    cik: int,
    period: str = "annual",
    metrics: Sequence[str] | None = None,
    *,
    store: Store | None = None,
) -> pd.DataFrame:
    """``compute_metrics`` for one company: facts from the store's ``sec_facts`` table when it
    has rows for ``cik``, else ``$STACKATLAS_SEC_DIR/companyfacts/CIK##########.json``, else
    ``DataUnavailableError``."""
    if period not in PERIODS:
        raise ValidationError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    _check_metrics(metrics)
    return compute_metrics(load_company_facts(int(cik), store=store), period, metrics)


def load_company_facts(cik: int, *, store: Store | None = None) -> pa.Table:
    """The facts of one company (see ``company_metrics`` for the search order)."""
    if store is not None:
        # query first and ask has_table only on failure: Store.has_table leaves a pending
        # result on the connection that makes a following query_arrow fail (reported)
        try:
            table = store.query_arrow("SELECT * FROM sec_facts WHERE cik = ?", [cik])
        except StoreError:
            if store.has_table("sec_facts"):
                raise
            table = None
        if table is not None and table.num_rows:
            return table
    sec_dir = config.sec_dir()
    if sec_dir is not None:
        path = Path(sec_dir) / "companyfacts" / f"CIK{cik:010d}.json"
        if path.is_file():
            from stackatlas.sec.companyfacts import read_companyfacts

            return read_companyfacts(path)
    where = "the store" + (f" or {sec_dir}/companyfacts" if sec_dir else "")
    raise DataUnavailableError(
        f"no SEC facts for CIK {cik} in {where}; run `stackatlas sync` or set STACKATLAS_SEC_DIR"
    )


def _check_metrics(metrics: Sequence[str] | None) -> list[str]:
    if metrics is None:
        return list(METRICS)
    names = [m.strip() for m in metrics if m and m.strip()]
    unknown = [m for m in names if m not in METRICS]
    if unknown:
        from stackatlas.display import suggest

        close = suggest(unknown[0], METRICS)
        raise NotFoundError(f"unknown metric {unknown[0]!r}", close or list(METRICS))
    return [m for m in METRICS if m in names]


def _facts_frame(facts: pa.Table | pd.DataFrame) -> pd.DataFrame:
    """Facts as pandas with datetime64 dates; only the columns metrics need."""
    ciks = (
        facts["cik"]
        if "cik" in (facts.column_names if isinstance(facts, pa.Table) else facts.columns)
        else None
    )
    if ciks is not None and len(pc.unique(pa.array(ciks))) > 1:
        raise ValidationError("facts hold more than one company (cik); pass one company's facts")
    if isinstance(facts, pa.Table):
        missing = [c for c in _FACT_COLUMNS if c not in facts.column_names]
        if missing:
            raise ValidationError(f"facts table lacks column(s): {', '.join(missing)}")
        table = facts.select(_FACT_COLUMNS)
        keep = pc.is_in(table["taxonomy"], pa.array(["us-gaap", "ifrs-full", "dei"]))
        frame = table.filter(keep).to_pandas()
    else:
        missing = [c for c in _FACT_COLUMNS if c not in facts.columns]
        if missing:
            raise ValidationError(f"facts frame lacks column(s): {', '.join(missing)}")
        frame = facts[_FACT_COLUMNS].copy()
    for col in ("start", "end", "filed"):
        frame[col] = pd.to_datetime(frame[col])
    frame["fy"] = pd.to_numeric(frame["fy"], errors="coerce")
    return frame[frame["end"].notna() & frame["value"].notna()]


def _finish(rows: pd.DataFrame, names: list[str], to_usd: bool) -> pd.DataFrame:
    align_start = pd.to_datetime(
        rows["last_start"] if "last_start" in rows.columns else rows["start"]
    )
    # a balance is aligned with the fiscal period it closes (a quarter, or the year)
    span = pd.to_timedelta(np.where(rows["fiscal_period"] == "FY", 364, 90), unit="D")
    align_start = align_start.fillna(pd.to_datetime(rows["end"]) - span)
    cal_year, cal_quarter = calendar_alignment(align_start, pd.to_datetime(rows["end"]))
    rows = rows.assign(calendar_year=cal_year, calendar_quarter=cal_quarter)
    rows.loc[rows["fiscal_period"] == "FY", "calendar_quarter"] = pd.NA
    units = rows.dropna(subset=["unit"]).groupby("metric")["unit"].agg(lambda s: s.mode().iloc[0])
    rows["unit"] = rows["unit"].fillna(rows["metric"].map(units))
    is_money = {name: spec.unit == "money" for name, spec in ALL_SPECS.items()}
    money = rows["metric"].map(is_money).astype(bool)
    if to_usd:
        rows = convert_to_usd(rows, money)
    else:
        rows["currency"] = rows["unit"].where(money, None)
        rows["fx_rate"] = float("nan")
    order = {m: i for i, m in enumerate(names)}
    period_order = {"FY": 0, "Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4, "TTM": 5}
    rows = rows.assign(
        _m=rows["metric"].map(order), _p=rows["fiscal_period"].map(period_order)
    ).sort_values(["_m", "fiscal_year", "_p"], kind="stable")
    rows["fiscal_year"] = rows["fiscal_year"].astype(int)
    for col in ("start", "end", "filed"):
        rows[col] = pd.to_datetime(rows[col]).dt.date.astype(object)
        rows.loc[pd.isna(rows[col]), col] = None
    rows["value"] = rows["value"].astype(float)
    return rows[METRIC_COLUMNS].reset_index(drop=True)
