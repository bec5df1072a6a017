"""Company money metrics, calendar-aligned, as inputs for the money analyses.

Gathers SEC fundamentals (``stackatlas.fundamentals.company_metrics``) for atlas companies and
fills companies without SEC data from atlas figures (estimates). Every row keeps its evidence.

Calendar alignment (so companies with different fiscal years can be summed):
- a fiscal year ending within ~6 weeks of 31 December (Alphabet, Nvidia's late-January year)
  counts for the calendar year holding most of it, value as filed;
- otherwise (Microsoft, June year-end) the calendar year is the sum of the four fiscal quarters
  whose midpoints fall in it (``derived``);
- if those quarters are missing, the fiscal year is mapped to the calendar year of its midpoint
  and marked ``estimated`` (it covers a different twelve months).

Frames use full USD; columns: company_id, metric, period, calendar_year, value, evidence, basis.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import SourceKind, SubjectType
from stackatlas.config import sec_dir
from stackatlas.errors import DataUnavailableError, NotFoundError, ValidationError
from stackatlas.evidence import Evidence, combine

MONEY_METRICS: tuple[str, ...] = (
    "revenue",
    "gross_profit",
    "operating_income",
    "capex",
    "operating_cash_flow",
    "free_cash_flow",
)
COLUMNS = ["company_id", "metric", "period", "calendar_year", "value", "evidence", "basis"]

FIGURE_METRICS: dict[str, tuple[str, float]] = {
    # atlas figure metric -> (standard metric, sign); burn is negative free cash flow.
    # ``annualized_revenue`` (ARR, a year-end run rate) is deliberately not revenue.
    "revenue": ("revenue", 1.0),
    "gross_profit": ("gross_profit", 1.0),
    "operating_income": ("operating_income", 1.0),
    "operating_loss": ("operating_income", -1.0),
    "capex": ("capex", 1.0),
    "operating_cash_flow": ("operating_cash_flow", 1.0),
    "free_cash_flow": ("free_cash_flow", 1.0),
    "cash_burn": ("free_cash_flow", -1.0),
    "burn": ("free_cash_flow", -1.0),
}
UNIT_SCALE = {"usd_billion": 1e9, "usd_million": 1e6, "usd": 1.0}
# a company's TTM ending more than this many calendar quarters before the newest TTM of the set
# is not summed with the others (a filer whose data stops in 2025 would otherwise add a stale
# year to a 2026 trailing total); its TTM rows stay, unresolved, with the reason
STALE_TTM_QUARTERS = 2
NO_FACTS = "no SEC facts in the store or STACKATLAS_SEC_DIR (run `stackatlas sync`)"
_YEAR = re.compile(r"^(?:CY|FY)?\s*(\d{4})E?$", re.IGNORECASE)


@dataclass
class MetricInputs:
    """Calendar-aligned metrics of a set of companies, and those not covered (with reason)."""

    annual: pd.DataFrame
    quarterly: pd.DataFrame
    ttm: pd.DataFrame
    not_covered: dict[str, str] = field(default_factory=dict)

    def all_periods(self) -> pd.DataFrame:
        return pd.concat([self.annual, self.ttm], ignore_index=True)


def empty_frame(extra: Sequence[str] = ()) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in [*COLUMNS, *extra]})


def _mid(start: pd.Series, end: pd.Series) -> pd.Series:
    s, e = pd.to_datetime(start), pd.to_datetime(end)
    return s + (e - s) / 2


def calendar_quarters(quarterly: pd.DataFrame) -> pd.DataFrame:
    """Fiscal quarters (metric, fiscal_period Q1-Q4, start, end, value, evidence) by calendar
    quarter of their midpoint; adds calendar_year, calendar_quarter, period ``2025Q3``."""
    q = quarterly[quarterly["fiscal_period"].astype(str).str.match(r"^Q[1-4]$")].copy()
    if q.empty:
        return empty_frame(["calendar_quarter", "end"])
    mid = _mid(q["start"], q["end"])
    q["calendar_year"] = mid.dt.year.astype(int)
    q["calendar_quarter"] = mid.dt.quarter.astype(int)
    q["period"] = q["calendar_year"].astype(str) + "Q" + q["calendar_quarter"].astype(str)
    q["basis"] = "fiscal " + q["fiscal_period"].astype(str) + " FY" + q["fiscal_year"].astype(str)
    q["end"] = pd.to_datetime(q["end"]).dt.date
    q = q.sort_values("end").drop_duplicates(["metric", "period"], keep="last")
    return q[
        [
            "metric",
            "period",
            "calendar_year",
            "calendar_quarter",
            "value",
            "evidence",
            "basis",
            "end",
        ]
    ].reset_index(drop=True)


def calendar_annual(annual: pd.DataFrame, quarterly: pd.DataFrame | None = None) -> pd.DataFrame:
    """One company's annual metrics per calendar year (see module docstring for the rule)."""
    fy = annual[annual["fiscal_period"].astype(str) == "FY"].copy()
    rows: list[dict] = []
    cq = calendar_quarters(quarterly) if quarterly is not None and len(quarterly) else None
    if not fy.empty:
        end = pd.to_datetime(fy["end"])
        fy["calendar_year"] = _mid(fy["start"], fy["end"]).dt.year.astype(int)
        aligned = (
            (end.dt.month == 12) | (end.dt.month == 1) | ((end.dt.month == 2) & (end.dt.day <= 15))
        )
        for (_, r), ok in zip(fy.iterrows(), aligned, strict=True):
            label = f"FY{r['fiscal_year']} ending {pd.Timestamp(r['end']).date()}"
            if ok:
                rows.append(
                    _row(
                        r["metric"],
                        r["calendar_year"],
                        r["value"],
                        r["evidence"],
                        f"fiscal year {label}",
                    )
                )
    done = {(r["metric"], r["calendar_year"]) for r in rows}
    if cq is not None and not cq.empty:
        for (metric, year), grp in cq.groupby(["metric", "calendar_year"]):
            if (metric, year) in done or grp["calendar_quarter"].nunique() != 4:
                continue
            if grp["value"].isna().any():
                continue
            rows.append(
                _row(
                    metric,
                    int(year),
                    float(grp["value"].sum()),
                    combine(grp["evidence"]),
                    "sum of four fiscal quarters",
                )
            )
            done.add((metric, int(year)))
    for _, r in fy.iterrows():
        key = (r["metric"], int(r["calendar_year"]))
        if key not in done:
            rows.append(
                _row(
                    r["metric"],
                    key[1],
                    r["value"],
                    Evidence.ESTIMATED,
                    f"fiscal year FY{r['fiscal_year']} ending "
                    f"{pd.Timestamp(r['end']).date()} taken for calendar {key[1]} "
                    "(quarters missing)",
                )
            )
            done.add(key)
    if not rows:
        return empty_frame()[COLUMNS[1:]]
    return pd.DataFrame(rows)


def _row(metric: str, year: int, value: float, evidence: str, basis: str) -> dict:
    ev = Evidence(evidence)
    ok = value is not None and not pd.isna(value)
    return {
        "metric": metric,
        "period": str(int(year)),
        "calendar_year": int(year),
        "value": float(value) if ok else None,
        "evidence": ev if ok else Evidence.UNRESOLVED,
        "basis": basis,
    }


def trailing_four(cal_quarters: pd.DataFrame) -> pd.DataFrame:
    """Sum of the latest four consecutive calendar quarters per metric, period ``TTM``."""
    rows = []
    for metric, grp in cal_quarters.groupby("metric"):
        grp = grp.sort_values(["calendar_year", "calendar_quarter"]).tail(4)
        idx = (grp["calendar_year"] * 4 + grp["calendar_quarter"]).tolist()
        if len(grp) != 4 or idx != list(range(idx[0], idx[0] + 4)) or grp["value"].isna().any():
            continue
        last = grp.iloc[-1]
        rows.append(
            {
                "metric": metric,
                "period": "TTM",
                "calendar_year": int(last.calendar_year),
                "value": float(grp["value"].sum()),
                "evidence": combine(grp["evidence"]),
                "basis": f"four calendar quarters to {last['period']} (ends {last['end']})",
                "last_quarter": idx[-1],
            }
        )
    return (
        pd.DataFrame(rows)
        if rows
        else empty_frame(["last_quarter"])[[*COLUMNS[1:], "last_quarter"]]
    )


def drop_stale_ttm(ttm: pd.DataFrame) -> pd.DataFrame:
    """TTM rows (with ``last_quarter`` = year * 4 + quarter) of companies whose trailing four
    quarters end more than ``STALE_TTM_QUARTERS`` before the newest: value None, unresolved."""
    if ttm.empty or "last_quarter" not in ttm.columns:
        return ttm.drop(columns=["last_quarter"], errors="ignore")
    ttm = ttm.copy()
    last = pd.to_numeric(ttm["last_quarter"])
    newest = int(last.max())
    stale = last < newest - STALE_TTM_QUARTERS
    newest_label = f"{(newest - 1) // 4}Q{(newest - 1) % 4 + 1}"
    ttm.loc[stale, "value"] = None
    ttm.loc[stale, "evidence"] = Evidence.UNRESOLVED
    ttm.loc[stale, "basis"] = ttm.loc[stale, "basis"] + (
        f"; stale: not summed with trailing totals to {newest_label}"
    )
    return ttm.drop(columns=["last_quarter"])


def figure_metrics(atlas: Atlas, company_ids: Iterable[str]) -> pd.DataFrame:
    """Annual money figures of companies from the atlas (evidence: estimated unless the source
    is a filing). Only figures whose metric is in ``FIGURE_METRICS`` and unit is USD."""
    wanted = set(company_ids)
    rows = []
    for f in atlas.figures:
        if f.subject_type != SubjectType.COMPANY or f.subject not in wanted:
            continue
        mapped = FIGURE_METRICS.get(f.metric)
        scale = UNIT_SCALE.get(f.unit)
        match = _YEAR.match(f.period.strip())
        if mapped is None or scale is None or match is None:
            continue
        metric, sign = mapped
        source = atlas.sources.get(f.source)
        ev = (
            Evidence.REPORTED
            if source is not None and source.kind == SourceKind.FILING
            else Evidence.ESTIMATED
        )
        year = int(match.group(1))
        rows.append(
            {
                "company_id": f.subject,
                "metric": metric,
                "period": str(year),
                "calendar_year": year,
                "value": sign * f.value * scale,
                "evidence": ev,
                "basis": f"atlas figure {f.id} ({f.kind.value}, period {f.period}"
                + (", fiscal year taken as calendar" if "FY" in f.period.upper() else "")
                + ")",
            }
        )
    return pd.DataFrame(rows) if rows else empty_frame()


_FRAMES: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}
_FRAMES_MAX = 512


def _fingerprint(cik: int, store: object | None) -> tuple | None:
    """What the facts of ``cik`` would be read from, and its version (row count and latest
    filing in the store; size and mtime of a STACKATLAS_SEC_DIR file); None = not found."""
    if store is not None and store.has_table("sec_facts"):  # type: ignore[attr-defined]
        n, filed = store.con.execute(  # type: ignore[attr-defined]
            "SELECT count(*), max(filed) FROM sec_facts WHERE cik = ?", [cik]
        ).fetchone()
        if n:
            return ("store", str(store.path), n, str(filed))  # type: ignore[attr-defined]
    folder = sec_dir()
    if folder is not None:
        path = Path(folder) / "companyfacts" / f"CIK{cik:010d}.json"
        if path.is_file():
            st = path.stat()
            return ("dir", str(path), st.st_size, st.st_mtime_ns)
    return None


def _company_frames(cik: int, store: object | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Annual and quarterly money metrics of one company (read-only frames). Results are kept
    in memory per facts version, so a re-sync or an edited file is picked up; failures are
    never cached."""
    from stackatlas.fundamentals import compute_metrics, load_company_facts

    key = _fingerprint(int(cik), store)
    if key is not None and key in _FRAMES:
        return _FRAMES[key]
    facts = load_company_facts(int(cik), store=store)
    metrics = list(MONEY_METRICS)
    frames = (
        compute_metrics(facts, "annual", metrics),
        compute_metrics(facts, "quarterly", metrics),
    )
    if key is not None:
        if len(_FRAMES) >= _FRAMES_MAX:
            _FRAMES.pop(next(iter(_FRAMES)))
        _FRAMES[key] = frames
    return frames


_CALENDAR: dict[tuple, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]] = {}


def _company_calendar(
    cik: int, store: object | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Calendar years, calendar quarters and TTM of one company (cached like the frames)."""
    key = _fingerprint(int(cik), store)
    if key is not None and key in _CALENDAR:
        return _CALENDAR[key]
    annual, quarterly = _company_frames(cik, store)
    cal_q = calendar_quarters(quarterly)
    result = (calendar_annual(annual, quarterly), cal_q, trailing_four(cal_q))
    if key is not None:
        if len(_CALENDAR) >= _FRAMES_MAX:
            _CALENDAR.pop(next(iter(_CALENDAR)))
        _CALENDAR[key] = result
    return result


def gather(
    atlas: Atlas,
    company_ids: Iterable[str],
    *,
    store: object | None = None,
    use_figures: bool = True,
) -> MetricInputs:
    """SEC metrics (calendar-aligned) for each company with a CIK; atlas figures for companies
    without SEC data; companies with neither are ``not_covered`` (with the reason)."""
    annual_parts, quarter_parts, ttm_parts = [], [], []
    not_covered: dict[str, str] = {}
    unreadable: dict[str, str] = {}
    ids = list(dict.fromkeys(company_ids))
    for cid in ids:
        company = atlas.companies.get(cid)
        if company is None:
            raise NotFoundError(f"unknown company {cid!r}")
        if company.cik is None:
            not_covered[cid] = "no SEC CIK (not an SEC filer)"
            continue
        try:
            calendar = _company_calendar(company.cik, store)
        except DataUnavailableError:
            not_covered[cid] = NO_FACTS
            continue
        except ValidationError as exc:  # one unreadable file must not sink every other company
            where = "; ".join(str(pr) for pr in exc.problems)
            unreadable[cid] = f"unreadable SEC facts: {where}"  # said, not hidden by figures
            continue
        for part, frame in zip((annual_parts, quarter_parts, ttm_parts), calendar, strict=True):
            if not frame.empty:
                part.append(frame.assign(company_id=cid))
    annual = _concat(annual_parts)
    if use_figures:  # figures stand in only for companies without any SEC data
        figs = figure_metrics(atlas, [c for c in ids if c in not_covered])
        if not figs.empty:
            annual = _concat([annual, figs])
            for cid in set(figs["company_id"]):
                not_covered.pop(cid, None)
    not_covered.update(unreadable)
    for cid in ids:
        if cid not in not_covered and cid not in set(annual["company_id"]):
            not_covered[cid] = "no money metrics found"
    return MetricInputs(
        annual=annual,
        quarterly=_concat(quarter_parts, ["calendar_quarter", "end"]),
        ttm=drop_stale_ttm(_concat(ttm_parts, ["last_quarter"])),
        not_covered=not_covered,
    )


def _concat(parts: list[pd.DataFrame], extra: Sequence[str] = ()) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_frame(extra)
    out = pd.concat(parts, ignore_index=True)
    return out[[c for c in [*COLUMNS, *extra] if c in out.columns]]
