"""Fiscal -> calendar: the one rule every company's numbers go through before they are summed.

**The rule.** A fiscal year belongs to the calendar year that holds most of its days; when the
two largest shares are within ``TIE_DAYS`` of each other (a year ending mid-June to mid-July)
it belongs to the year it ends in. So a year ending in January belongs to the *previous*
calendar year (NVIDIA's FY2026 ending 2026-01-25 is CY2025; Salesforce's and Snowflake's
FY2025 ending 2025-01-31 are CY2024), as the filers and most data vendors treat it; a
September year (Apple) is the year it ends in; a 53-week year that touches three calendar
years belongs to the middle one.

How the value is obtained for that calendar year:

1. *as filed* — a fiscal year ending within ``ALIGNED_DAYS`` of 31 December (mid-November to
   mid-February, 52/53-week years included) is taken whole, evidence unchanged;
2. *quarter sum* — otherwise the four fiscal quarters whose midpoints fall in the calendar
   year are summed (evidence ``derived``);
3. *estimate* — lacking those quarters, the fiscal year assigned by the rule stands for that
   calendar year, evidence ``estimated`` (it covers other months) — but only once the
   calendar year is over in the company's data (Microsoft's FY2026 ending June 2026 does not
   stand for a CY2026 still in progress);
4. a figure already stated for a calendar year is taken as is; a fiscal-year figure whose
   dates are unknown is taken for the calendar year of its label, ``estimated``.

Quarters map to the calendar quarter holding their midpoint; ``TTM`` is the sum of the latest
four consecutive calendar quarters.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from stackatlas.evidence import Evidence, combine

ALIGNED_DAYS = 46
TIE_DAYS = 14
STALE_TTM_QUARTERS = 2
"""A TTM ending more than this many calendar quarters before the newest TTM of a set is not
summed with the others (a filer whose data stop in 2025 would add a stale year to 2026)."""
CALENDAR_COLUMNS = [
    "metric",
    "period",
    "calendar_year",
    "value",
    "evidence",
    "basis",
    "rule",
    "reference",
]


def _date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, pd.Timestamp):
        return value
    return pd.Timestamp(value).date()


def calendar_year_of(start: date | pd.Timestamp, end: date | pd.Timestamp) -> int:
    """The calendar year a fiscal year belongs to (see the module docstring)."""
    s, e = _date(start), _date(end)
    days = {}
    for year in range(s.year, e.year + 1):
        lo = max(s, date(year, 1, 1))
        hi = min(e, date(year, 12, 31))
        days[year] = (hi - lo).days + 1
    ranked = sorted(days.items(), key=lambda kv: (-kv[1], -kv[0]))
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] <= TIE_DAYS:
        return max(ranked[0][0], ranked[1][0])
    return ranked[0][0]


def is_aligned(end: date | pd.Timestamp) -> bool:
    """A fiscal year ending within ``ALIGNED_DAYS`` of a 31 December (either side)."""
    e = _date(end)
    return min(abs((e - date(y, 12, 31)).days) for y in (e.year - 1, e.year)) <= ALIGNED_DAYS


def _mid(start: pd.Series, end: pd.Series) -> pd.Series:
    s, e = pd.to_datetime(start), pd.to_datetime(end)
    return s + (e - s) / 2


def calendar_quarters(quarterly: pd.DataFrame) -> pd.DataFrame:
    """Fiscal quarters (metric, fiscal_period Q1-Q4, start, end, value, evidence) by the
    calendar quarter of their midpoint; adds calendar_year, calendar_quarter, period
    ``2025Q3``, basis and end."""
    cols = [
        "metric",
        "period",
        "calendar_year",
        "calendar_quarter",
        "value",
        "evidence",
        "basis",
        "end",
        "reference",
    ]
    if quarterly.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    q = quarterly[quarterly["fiscal_period"].astype(str).str.match(r"^Q[1-4]$")].copy()
    q = q[q["start"].notna() & q["end"].notna()]
    if q.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    mid = _mid(q["start"], q["end"])
    q["calendar_year"] = mid.dt.year.astype(int)
    q["calendar_quarter"] = mid.dt.quarter.astype(int)
    q["period"] = q["calendar_year"].astype(str) + "Q" + q["calendar_quarter"].astype(str)
    q["basis"] = "fiscal " + q["fiscal_period"].astype(str) + " FY" + q["fiscal_year"].astype(str)
    q["end"] = pd.to_datetime(q["end"]).dt.date
    q["reference"] = q["reference"] if "reference" in q.columns else None
    q = q.sort_values("end").drop_duplicates(["metric", "period"], keep="last")
    return q[cols].reset_index(drop=True)


def calendar_annual(annual: pd.DataFrame, quarterly: pd.DataFrame | None = None) -> pd.DataFrame:
    """One company's annual metrics per calendar year (``CALENDAR_COLUMNS``; the rule in the
    module docstring). ``annual`` rows with ``fiscal_period`` ``CY`` are calendar-year
    figures already."""
    rows: list[dict] = []
    done: set[tuple[str, int]] = set()
    fy = annual[annual["fiscal_period"].astype(str).isin(["FY", "CY"])]
    records = fy.to_dict("records")
    dated = [r for r in records if _has(r["start"]) and _has(r["end"])]
    placed: list[tuple[dict, int]] = []
    for r in dated:
        year = calendar_year_of(r["start"], r["end"])
        if r["fiscal_period"] == "CY" or is_aligned(r["end"]):
            key = (r["metric"], year)
            if key in done:
                continue
            what = (
                f"CY{year} figure"
                if r["fiscal_period"] == "CY"
                else f"FY{r['fiscal_year']} ({_d(r['start'])}..{_d(r['end'])}) is CY{year}"
            )
            if not _has(r["value"]) and _has(r.get("basis")):
                what += f": {r['basis']}"  # why it is missing (e.g. no FX rate)
            rule = "calendar-year figure" if r["fiscal_period"] == "CY" else "as filed"
            rows.append(_row(r["metric"], year, r["value"], r["evidence"], what, rule, _ref(r)))
            done.add(key)
        else:
            placed.append((r, year))
    cq = calendar_quarters(quarterly) if quarterly is not None and len(quarterly) else None
    if cq is not None and not cq.empty:
        groups: dict[tuple[str, int], list[dict]] = {}
        for q in cq.to_dict("records"):
            groups.setdefault((str(q["metric"]), int(q["calendar_year"])), []).append(q)
        for key, grp in groups.items():
            quarters = {q["calendar_quarter"] for q in grp}
            if key in done or len(quarters) != 4 or not all(_has(q["value"]) for q in grp):
                continue
            grp.sort(key=lambda q: q["end"])
            what = "sum of fiscal " + ", ".join(str(q["basis"])[7:] for q in grp)
            ev = combine(q["evidence"] for q in grp)
            refs = ", ".join(
                dict.fromkeys(str(q["reference"]) for q in grp if _has(q["reference"]))
            )
            value = sum(float(q["value"]) for q in grp)
            rows.append(_row(key[0], key[1], value, ev, what, "quarter sum", refs or None))
            done.add(key)
    ends = [
        _date(r["end"])
        for frame in (records, quarterly.to_dict("records") if quarterly is not None else [])
        for r in frame
        if _has(r["end"])
    ]
    latest = max(ends, default=None)
    for r, year in placed:
        key = (r["metric"], year)
        over = latest is not None and date(year, 12, 31) <= latest
        if key not in done and over:
            what = (
                f"FY{r['fiscal_year']} ({_d(r['start'])}..{_d(r['end'])}) stands for CY{year} "
                "(it covers other months; calendar quarters missing)"
            )
            rows.append(
                _row(r["metric"], year, r["value"], Evidence.ESTIMATED, what, "estimate", _ref(r))
            )
            done.add(key)
    for r in records:
        if _has(r["start"]) and _has(r["end"]):
            continue
        year = int(r["fiscal_year"])
        key = (r["metric"], year)
        if key not in done:
            what = f"FY{year} taken as CY{year} (the fiscal year's dates are not known)"
            ev = r["evidence"] if r["fiscal_period"] == "CY" else Evidence.ESTIMATED
            rule = "calendar-year figure" if r["fiscal_period"] == "CY" else "estimate"
            rows.append(_row(r["metric"], year, r["value"], ev, what, rule, _ref(r)))
            done.add(key)
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CALENDAR_COLUMNS})
    return pd.DataFrame(rows, columns=CALENDAR_COLUMNS)


def _d(value: object) -> str:
    return str(_date(value))


def _has(value: object) -> bool:
    if value is None or value is pd.NaT:
        return False
    return not (isinstance(value, float) and value != value)


def _ref(row: dict) -> str | None:
    value = row.get("reference")
    return str(value) if _has(value) else None


def _row(
    metric: str,
    year: int,
    value: float,
    evidence: str,
    basis: str,
    rule: str,
    reference: str | None = None,
) -> dict:
    ok = value is not None and not pd.isna(value)
    return {
        "metric": metric,
        "period": str(int(year)),
        "calendar_year": int(year),
        "value": float(value) if ok else None,
        "evidence": Evidence(evidence) if ok else Evidence.UNRESOLVED,
        "basis": basis,
        "rule": rule,
        "reference": reference,
    }


def trailing_four(cal_quarters: pd.DataFrame) -> pd.DataFrame:
    """Sum of the latest four consecutive calendar quarters per metric, period ``TTM``
    (``last_quarter`` = year * 4 + quarter, for ``drop_stale_ttm``)."""
    rows = []
    for metric, grp in cal_quarters.groupby("metric"):
        grp = grp.sort_values(["calendar_year", "calendar_quarter"]).tail(4)
        idx = (grp["calendar_year"] * 4 + grp["calendar_quarter"]).tolist()
        if len(grp) != 4 or idx != list(range(idx[0], idx[0] + 4)) or grp["value"].isna().any():
            continue
        last = grp.iloc[-1]
        extra = {
            col: " + ".join(dict.fromkeys(str(x) for x in grp[col] if _has(x))) or None
            for col in ("source", "reference")
            if col in grp.columns
        }
        rows.append(
            {
                **extra,
                "metric": metric,
                "period": "TTM",
                "calendar_year": int(last.calendar_year),
                "value": float(grp["value"].sum()),
                "evidence": combine(grp["evidence"]),
                "basis": f"four calendar quarters to {last['period']} (ends {last['end']})",
                "rule": "quarter sum",
                "last_quarter": idx[-1],
            }
        )
    cols = [*CALENDAR_COLUMNS, "last_quarter"]
    if "source" in cal_quarters.columns:
        cols.append("source")
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return pd.DataFrame(rows, columns=cols)


def drop_stale_ttm(ttm: pd.DataFrame) -> pd.DataFrame:
    """TTM rows (with ``last_quarter``) of companies whose trailing four quarters end more than
    ``STALE_TTM_QUARTERS`` before the newest: value None, unresolved, the reason in basis."""
    if ttm.empty or "last_quarter" not in ttm.columns:
        return ttm.drop(columns=["last_quarter"], errors="ignore")
    ttm = ttm.copy()
    last = pd.to_numeric(ttm["last_quarter"])
    newest = int(last.max())
    stale = last < newest - STALE_TTM_QUARTERS
    newest_label = f"{(newest - 1) // 4}Q{(newest - 1) % 4 + 1}"
    ttm["value"] = ttm["value"].astype(object)
    ttm.loc[stale, "value"] = None
    ttm.loc[stale, "evidence"] = Evidence.UNRESOLVED
    ttm.loc[stale, "basis"] = ttm.loc[stale, "basis"] + (
        f"; stale: not summed with trailing totals to {newest_label}"
    )
    return ttm.drop(columns=["last_quarter"])
