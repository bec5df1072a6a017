"""Fiscal periods from start/end dates: classification, fiscal-year labels, calendar alignment.

A fact's period is identified only by its dates, never by the filing's ``fy``/``fp`` labels
(a 10-K carries prior-year comparatives under the current ``fy``).

- Length: durations of 80-100 days are quarters, 170-200 days half-years, 260-290 days
  nine-month year-to-date periods and 350-380 days fiscal years (52/53-week years included).
- Fiscal year: the calendar year in which the fiscal year ends (NVIDIA's FY2026 ends
  2026-01-25). The one exception is the company's own label: when the 10-K whose main period is
  that year says ``DocumentFiscalYearFocus`` (the ``fy`` of its facts) is the year *before* the
  end year - as for retailers whose "fiscal 2025" ends on 1 February 2026, or 52/53-week years
  ending on 1-7 January - that label is used (see ``_dei_shift`` for how stray ``fy`` values
  in old filings are kept from relabelling a year).
- Quarter number: counted back from the fiscal year end (Q4 ends on it, Q1 ends about 273
  days before it), so it is relative to the fiscal year, not the calendar.
- Calendar alignment: a period maps to the calendar year and quarter that hold most of its
  days, i.e. the ones containing its midpoint.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

QUARTER_DAYS = 91.3125
_DAY = pd.Timedelta(days=1)
# (min_days, max_days, number of quarters) for the period lengths we recognise
_LENGTHS = ((80, 100, 1), (170, 200, 2), (260, 290, 3), (350, 380, 4))


def quarters_spanned(start: pd.Series, end: pd.Series) -> pd.Series:
    """Number of fiscal quarters a duration covers (1, 2, 3, 4) or 0 for other lengths/instants."""
    days = (end - start).dt.days
    out = np.zeros(len(days), dtype=np.int8)
    values = days.to_numpy(dtype="float64", na_value=np.nan)
    for low, high, n in _LENGTHS:
        out[(values >= low) & (values <= high)] = n
    return pd.Series(out, index=start.index)


def fiscal_calendar(facts: pd.DataFrame) -> pd.DataFrame:
    """Fiscal years of one company: fiscal_year, fy_start, fy_end, source.

    Built from every annual-length duration in the facts (any concept): for each fiscal-year
    label the period reported by the most facts wins. Missing years between the first and last
    one, and the year after the last (for the quarters of the year in progress), are filled in
    by shifting a known year end by whole years (``source = "inferred"``).
    """
    cols = ["fiscal_year", "fy_start", "fy_end", "source"]
    dur = facts[facts["start"].notna()]
    spans = quarters_spanned(dur["start"], dur["end"])
    annual = dur[spans == 4]
    if annual.empty:
        return _calendar_without_annual(dur, spans)[cols]
    counts = annual.groupby(["start", "end"]).size().rename("n").reset_index()
    counts["fiscal_year"] = counts["end"].dt.year
    counts["fiscal_year"] += _dei_shift(counts, _dei_labels(annual))
    counts = counts.sort_values(["fiscal_year", "n", "end"]).drop_duplicates(
        "fiscal_year", keep="last"
    )
    cal = pd.DataFrame(
        {
            "fiscal_year": counts["fiscal_year"].astype(int).to_numpy(),
            "fy_start": counts["start"].to_numpy(),
            "fy_end": counts["end"].to_numpy(),
            "source": "reported",
        }
    )
    cal = _fill_years(cal)
    return cal[cols]


def _calendar_without_annual(dur: pd.DataFrame, spans: pd.Series) -> pd.DataFrame:
    """A company with no fiscal year reported yet (only 10-Qs): year-to-date periods start on
    the fiscal year's first day; with none of those either, assume calendar years."""
    ytd_starts = dur.loc[spans.isin([2, 3]), "start"]
    if not ytd_starts.empty:
        start = ytd_starts.max()
        end = start + pd.DateOffset(years=1) - _DAY
    elif not dur.empty:
        end = pd.Timestamp(year=int(dur["end"].max().year), month=12, day=31)
    else:
        return pd.DataFrame(columns=["fiscal_year", "fy_start", "fy_end", "source"])
    cal = pd.DataFrame(
        {
            "fiscal_year": [int(end.year)],
            "fy_start": [end - pd.DateOffset(years=1) + _DAY],
            "fy_end": [end],
            "source": ["inferred"],
        }
    )
    first = int(dur["end"].min().year) - 1
    cal = _fill_years(cal, first=first)
    cal["source"] = "inferred"
    return cal


def _dei_shift(counts: pd.DataFrame, labels: pd.DataFrame) -> np.ndarray:
    """Years to subtract from end-year labels: 0, or -1 where the company's dei says so.

    ``fy`` in companyfacts is sometimes wrong for a few old filings (NVIDIA's 2011-2014 10-Ks
    say fy = end year - 1), so a -1 label is used only (a) for every year when the three latest
    labelled years all say -1 (a company convention, e.g. retailers), or (b) for a 52/53-week
    year ending on 1-7 January that its own 10-K labels as the previous year.
    """
    shift = np.zeros(len(counts), dtype=int)
    if labels.empty:
        return shift
    merged = counts.merge(labels, on=["start", "end"], how="left")
    offset = (merged["dei_fy"] - merged["end"].dt.year).to_numpy(dtype=float)
    labelled = offset[~np.isnan(offset)]
    order = merged["end"].to_numpy()[~np.isnan(offset)].argsort()
    if len(labelled) and (labelled[order][-3:] == -1).all():
        return shift - 1
    early_january = (merged["end"].dt.month == 1) & (merged["end"].dt.day <= 7)
    shift[(early_january & (offset == -1)).to_numpy()] = -1
    return shift


def _dei_labels(annual: pd.DataFrame) -> pd.DataFrame:
    """Most common ``fy`` of the main (latest) annual period of each annual-report filing."""
    fy_rows = annual[(annual["fp"] == "FY") & annual["fy"].notna()]
    if fy_rows.empty:
        return pd.DataFrame(columns=["start", "end", "dei_fy"])
    latest = fy_rows.groupby("accession")["end"].transform("max")
    main = fy_rows[fy_rows["end"] == latest]
    mode = main.groupby(["start", "end", "fy"]).size().rename("n").reset_index()
    mode = mode.sort_values("n").drop_duplicates(["start", "end"], keep="last")
    return mode.rename(columns={"fy": "dei_fy"})[["start", "end", "dei_fy"]]


def _fill_years(cal: pd.DataFrame, first: int | None = None) -> pd.DataFrame:
    """Add inferred fiscal years for gaps and for the year after the last reported one."""
    known = cal.set_index("fiscal_year")
    low = int(known.index.min()) if first is None else min(first, int(known.index.min()))
    wanted = range(low, int(known.index.max()) + 2)
    missing = [y for y in wanted if y not in known.index]
    if not missing:
        return cal
    years = known.index.to_numpy()
    rows = []
    for year in missing:  # a handful of years at most: not a per-fact loop
        ref = int(years[np.abs(years - year).argmin()])
        end = known.at[ref, "fy_end"] + pd.DateOffset(years=year - ref)
        rows.append({"fiscal_year": year, "fy_start": pd.NaT, "fy_end": end, "source": "inferred"})
    cal = pd.concat([cal, pd.DataFrame(rows)], ignore_index=True).sort_values("fiscal_year")
    prev_end = cal["fy_end"].shift(1)
    fill = cal["fy_start"].isna() & prev_end.notna()
    cal.loc[fill, "fy_start"] = prev_end[fill] + _DAY
    first = cal["fy_start"].isna()
    cal.loc[first, "fy_start"] = cal.loc[first, "fy_end"] - pd.DateOffset(years=1) + _DAY
    return cal.reset_index(drop=True)


def assign_fiscal(df: pd.DataFrame, cal: pd.DataFrame) -> pd.DataFrame:
    """Add ``fiscal_year`` and ``qk`` (quarter 1-4 within it, by end date) to dated rows.

    Rows whose end date falls outside the calendar (or cannot be placed) get ``qk = 0``.
    """
    out = df.copy()
    if cal.empty or out.empty:
        out["fiscal_year"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["qk"] = np.zeros(len(out), dtype=np.int8)
        return out
    out["_key"] = (out["end"] - pd.Timedelta(days=14)).astype("datetime64[ns]")
    out["_order"] = np.arange(len(out))
    right = cal[["fiscal_year", "fy_end"]].sort_values("fy_end")
    right = right.assign(fy_end=right["fy_end"].astype("datetime64[ns]"))
    merged = pd.merge_asof(
        out.sort_values("_key"), right, left_on="_key", right_on="fy_end", direction="forward"
    ).sort_values("_order")
    gap = (merged["fy_end"] - merged["end"]).dt.days.to_numpy(dtype="float64", na_value=np.nan)
    qk = 4 - np.rint(gap / QUARTER_DAYS)
    ok = (qk >= 1) & (qk <= 4)
    merged["qk"] = np.where(ok, qk, 0).astype(np.int8)
    merged["fiscal_year"] = merged["fiscal_year"].astype("Int64")
    return merged.drop(columns=["_key", "_order", "fy_end"]).set_index(df.index)


def calendar_alignment(start: pd.Series, end: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Calendar year and quarter holding most of each period's days (instants: the date)."""
    begin = start.fillna(end)
    mid = begin + (end - begin) / 2
    return mid.dt.year.astype("Int64"), mid.dt.quarter.astype("Int64")
