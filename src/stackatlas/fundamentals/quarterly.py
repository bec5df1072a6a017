"""Annual rows, quarters (Q4 derivation, year-to-date de-cumulation) and trailing twelve months.

Quarter k of a fiscal year, for a duration metric, is in order of preference:
1. the reported three-month value;
2. ``YTD(k) - Q1 - ... - Q(k-1)`` when every earlier quarter is known, where YTD(4) is the
   fiscal year and YTD(2), YTD(3) the reported 6- and 9-month year-to-date values
   (derivation ``derived: FY - Q1 - Q2 - Q3``, ``derived: 6M YTD - Q1`` ...);
3. ``YTD(k) - YTD(k-1)`` when both are reported (``derived: FY - 9M YTD``).
Cash-flow items that companies report only year to date are de-cumulated by rules 2-3.
Instants (cash, debt, assets, shares) are the balance at the quarter's end date.

TTM at quarter k is the sum of that quarter and the three before it when all four exist and
are contiguous (each starts the day after the previous one ends); otherwise the row is kept with
``value = None`` and a derivation saying which quarter is missing. For instants TTM is the
balance at the quarter end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stackatlas.fundamentals.periods import assign_fiscal, quarters_spanned
from stackatlas.fundamentals.resolve import reported_derivation

ROW_COLUMNS = [
    "metric",
    "fiscal_year",
    "fiscal_period",
    "qk",
    "start",
    "end",
    "value",
    "unit",
    "concept",
    "accession",
    "form",
    "filed",
    "derivation",
    "evidence",
]
_CUM_NAMES = ("Q1", "6M YTD", "9M YTD", "FY")
_FIELDS = ("value", "start", "end", "concept", "accession", "form", "filed", "rank", "unit")
_DAY = np.timedelta64(1, "D")


def _reported_rows(res: pd.DataFrame, period: pd.Series) -> pd.DataFrame:
    out = res.assign(
        fiscal_period=period,
        derivation=reported_derivation(res["rank"], res["concept"])
        + res["detail"].fillna("").astype(str),
        evidence="reported",
    )
    return out[ROW_COLUMNS]


def annual_rows(res: pd.DataFrame) -> pd.DataFrame:
    """Fiscal-year rows: reported full-year durations and balances at the fiscal year end."""
    full_year = ((res["kind"] == "duration") & (res["nq"] == 4)) | (
        (res["kind"] == "instant") & (res["qk"] == 4)
    )
    sub = res[full_year]
    return _reported_rows(sub, pd.Series("FY", index=sub.index))


def quarterly_rows(res: pd.DataFrame) -> pd.DataFrame:
    """Quarter rows Q1-Q4 for every metric (see module docstring for the rules)."""
    inst = res[res["kind"] == "instant"]
    inst_rows = _reported_rows(inst, "Q" + inst["qk"].astype(str))
    dur = res[res["kind"] == "duration"]
    if dur.empty:
        return inst_rows.reset_index(drop=True)
    keys = pd.MultiIndex.from_frame(
        dur[["metric", "fiscal_year"]].drop_duplicates().sort_values(["metric", "fiscal_year"])
    )
    disc = _grids(dur[dur["nq"] == 1], keys)
    cum = _grids(dur[dur["nq"] > 1], keys)
    q = {f: disc[f].copy() for f in _FIELDS}
    n = len(keys)
    deriv = np.where(pd.isna(q["value"]), np.array(None), "reported").astype(object)
    fallback = q["rank"] > 0
    deriv[fallback] = "fallback: " + q["concept"][fallback].astype(str)
    evidence = np.where(pd.isna(q["value"]), np.array(None), "reported").astype(object)

    for k in range(1, 4):
        have = ~pd.isna(q["value"][:, k])
        has_cum = ~pd.isna(cum["value"][:, k])
        prior = ~pd.isna(q["value"][:, :k]).any(axis=1)
        by_quarters = ~have & has_cum & prior
        prev_cum = ~pd.isna(cum["value"][:, k - 1]) if k > 1 else np.zeros(n, bool)
        by_ytd = ~have & has_cum & ~by_quarters & prev_cum
        prior_sum = np.nansum(q["value"][:, :k].astype(float), axis=1)
        q["value"][by_quarters, k] = cum["value"][by_quarters, k] - prior_sum[by_quarters]
        q["value"][by_ytd, k] = cum["value"][by_ytd, k] - cum["value"][by_ytd, k - 1]
        derived = by_quarters | by_ytd
        prev_end = np.where(by_quarters, q["end"][:, k - 1], cum["end"][:, k - 1])
        q["start"][derived, k] = prev_end[derived] + _DAY
        for f in ("end", "concept", "accession", "form", "filed", "rank", "unit"):
            q[f][derived, k] = cum[f][derived, k]
        terms = " - ".join(f"Q{i}" for i in range(1, k + 1))
        deriv[by_quarters, k] = f"derived: {_CUM_NAMES[k]} - {terms}"
        deriv[by_ytd, k] = f"derived: {_CUM_NAMES[k]} - {_CUM_NAMES[k - 1]}"
        mixed = by_quarters & (q["concept"][:, :k] != cum["concept"][:, [k]]).any(axis=1)
        deriv[mixed, k] = deriv[mixed, k] + " (inputs use more than one concept)"
        fb = derived & (cum["rank"][:, k].astype(float) > 0)
        deriv[fb, k] = deriv[fb, k] + " (fallback: " + cum["concept"][fb, k].astype(str) + ")"
        evidence[derived, k] = "derived"

    long = pd.DataFrame(
        {
            "metric": np.repeat(keys.get_level_values(0).to_numpy(), 4),
            "fiscal_year": np.repeat(keys.get_level_values(1).to_numpy(), 4),
            "qk": np.tile(np.arange(1, 5), n),
            "derivation": deriv.reshape(-1),
            "evidence": evidence.reshape(-1),
            **{f: q[f].reshape(-1) for f in _FIELDS},
        }
    )
    long = long[long["evidence"].notna()].copy()
    long["fiscal_period"] = "Q" + long["qk"].astype(str)
    for col in ("start", "end", "filed"):
        long[col] = pd.to_datetime(long[col])
    long["value"] = long["value"].astype(float)
    return pd.concat([long[ROW_COLUMNS], inst_rows], ignore_index=True)


def _grids(sub: pd.DataFrame, keys: pd.MultiIndex) -> dict[str, np.ndarray]:
    """Field -> (len(keys), 4) object array indexed by (metric, fiscal_year) x quarter."""
    indexed = sub.set_index(["metric", "fiscal_year", "qk"])
    out = {}
    for f in _FIELDS:
        wide = indexed[f].unstack("qk") if not sub.empty else pd.DataFrame(index=keys)
        wide = wide.reindex(index=keys, columns=[1, 2, 3, 4])
        out[f] = wide.to_numpy(dtype=object)
    out["value"] = out["value"].astype(float)
    out["rank"] = np.where(pd.isna(out["rank"]), -1, out["rank"]).astype(float)
    for f in ("start", "end", "filed"):
        out[f] = pd.to_datetime(pd.Series(out[f].reshape(-1))).to_numpy().reshape(out[f].shape)
    return out


def company_slots(facts: pd.DataFrame, cal: pd.DataFrame) -> pd.DataFrame:
    """The company's reporting quarters: fiscal_year, qk, sid (running index) and end date."""
    dur = facts.loc[facts["start"].notna(), ["start", "end"]].drop_duplicates()
    dur = dur.assign(nq=quarters_spanned(dur["start"], dur["end"]))
    dur = assign_fiscal(dur[dur["nq"] > 0], cal)
    dur = dur[(dur["qk"] > 0) & ((dur["nq"] == 1) | (dur["nq"] == dur["qk"]))]
    if dur.empty:
        return pd.DataFrame(columns=["fiscal_year", "qk", "sid", "end"])
    ends = dur.groupby(["fiscal_year", "qk"])["end"].agg(lambda s: s.mode().iloc[0])
    ends = ends.reset_index()
    ends["sid"] = ends["fiscal_year"].astype(int) * 4 + ends["qk"].astype(int) - 1
    full = pd.DataFrame({"sid": np.arange(ends["sid"].min(), ends["sid"].max() + 1)})
    full = full.merge(ends[["sid", "end"]], on="sid", how="left")
    full["fiscal_year"] = full["sid"] // 4
    full["qk"] = full["sid"] % 4 + 1
    return full


def ttm_rows(quarters: pd.DataFrame, slots: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """TTM rows at every company quarter from each metric's fourth quarter on (see docstring)."""
    if quarters.empty or slots.empty:
        return pd.DataFrame(columns=[*ROW_COLUMNS, "last_start"])
    q = quarters.assign(sid=quarters["fiscal_year"].astype(int) * 4 + quarters["qk"] - 1)
    sids = slots["sid"].to_numpy()
    q = q[q["sid"].isin(sids)]
    metrics = list(dict.fromkeys(q["metric"]))
    piv = q.set_index(["metric", "sid"])

    def grid(field: str) -> np.ndarray:
        return piv[field].unstack("sid").reindex(index=metrics, columns=sids).to_numpy(object)

    value = grid("value").astype(float)
    start = pd.to_datetime(pd.Series(grid("start").reshape(-1))).to_numpy().reshape(value.shape)
    end = pd.to_datetime(pd.Series(grid("end").reshape(-1))).to_numpy().reshape(value.shape)
    unit, concept, accession = grid("unit"), grid("concept"), grid("accession")
    slot_end = pd.to_datetime(slots["end"]).to_numpy()
    labels = np.array(
        [f"Q{k} FY{y}" for y, k in zip(slots["fiscal_year"], slots["qk"], strict=True)],
        dtype=object,
    )
    n_s = value.shape[1]
    present = ~np.isnan(value)
    first = np.where(present.any(axis=1), present.argmax(axis=1), n_s)
    is_instant = np.array([kinds.get(m) == "instant" for m in metrics])

    ttm = np.full(value.shape, np.nan)
    window_ok = np.zeros(value.shape, bool)
    contiguous = np.zeros(value.shape, bool)
    if n_s >= 4:
        win_present = np.stack([present[:, 3 - i : n_s - i] for i in range(4)]).all(axis=0)
        gaps = [(start[:, 3 - i : n_s - i] - end[:, 2 - i : n_s - 1 - i]) / _DAY for i in range(3)]
        contig = np.stack([(g >= 1) & (g <= 4) for g in gaps]).all(axis=0)
        sums = sum(np.nan_to_num(value[:, 3 - i : n_s - i]) for i in range(4))
        window_ok[:, 3:] = win_present
        contiguous[:, 3:] = contig
        ttm[:, 3:] = np.where(win_present & contig, sums, np.nan)
    ttm[is_instant] = value[is_instant]

    cols = np.arange(n_s)
    emit = cols[None, :] >= (first[:, None] + np.where(is_instant, 0, 3)[:, None])
    rows = []
    for i, j in zip(*np.nonzero(emit), strict=True):  # one per output row, not per fact
        if is_instant[i]:
            ok = present[i, j]
            why = (
                "instant at period end"
                if ok
                else (f"unavailable: no balance reported at the end of {labels[j]}")
            )
            lo = j
        else:
            ok = window_ok[i, j] and contiguous[i, j]
            lo = j - 3
            if ok:
                why = f"derived: sum of 4 quarters {labels[lo]}..{labels[j]}"
            elif not window_ok[i, j]:
                missing = [labels[c] for c in range(lo, j + 1) if not present[i, c]]
                why = "unavailable: missing " + ", ".join(missing)
            else:
                why = "unavailable: quarters not contiguous"
        rows.append(
            (
                metrics[i],
                int(slots["fiscal_year"].iat[j]),
                int(slots["qk"].iat[j]),
                None
                if is_instant[i]
                else (
                    start[i, lo]
                    if present[i, lo]
                    else (slot_end[lo - 1] + _DAY if lo > 0 else None)
                ),
                end[i, j] if present[i, j] else slot_end[j],
                ttm[i, j],
                unit[i, j] if present[i, j] else None,
                concept[i, j] if present[i, j] else None,
                accession[i, j] if present[i, j] else None,
                why,
                ("reported" if is_instant[i] else "derived") if ok else "unresolved",
                start[i, j] if present[i, j] else (slot_end[j - 1] + _DAY if j > 0 else None),
            )
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "metric",
            "fiscal_year",
            "qk",
            "start",
            "end",
            "value",
            "unit",
            "concept",
            "accession",
            "derivation",
            "evidence",
            "last_start",
        ],
    )
    out["fiscal_period"] = "TTM"
    out["form"] = None
    out["filed"] = pd.NaT
    for col in ("start", "end", "last_start"):
        out[col] = pd.to_datetime(out[col])
    return out[[*ROW_COLUMNS, "last_start"]]
