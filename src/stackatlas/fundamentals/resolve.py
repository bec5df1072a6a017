"""Per-period resolution of candidate concepts, with restatements.

Two rules, both applied to whole columns at once:

1. Restatements: for one concept, unit and period (start, end) the value from the latest
   ``filed`` filing wins, whatever its form (10-K, 10-K/A, 20-F, 10-Q, 8-K, DEF 14A ...); the
   winning row keeps its accession, form and filing date.
2. Priority per period: for each metric and fiscal slot (fiscal year, quarter number, number of
   quarters covered) the first candidate concept in :data:`concepts.METRICS` order that has a
   value for that slot wins. A company that switched tags gets the new tag where it reports and
   the old one only for the periods that only the old tag covers - never a stale value.

Money facts in the company's main reporting currency (its most frequent currency unit) are
preferred over other currencies reported for the same period, except the filer's own US-dollar
convenience translation (``convenience``) when ``prefer_convenience`` is set (the USD path).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stackatlas.fundamentals.concepts import candidate_frame
from stackatlas.fundamentals.convenience import KEY, convenience_usd, describe
from stackatlas.fundamentals.periods import assign_fiscal, quarters_spanned

RESOLVED_COLUMNS = [
    "metric",
    "kind",
    "unit_kind",
    "fiscal_year",
    "qk",
    "nq",
    "start",
    "end",
    "value",
    "unit",
    "taxonomy",
    "concept",
    "rank",
    "accession",
    "form",
    "filed",
    "detail",
]


def latest_filed(facts: pd.DataFrame) -> pd.DataFrame:
    """One row per (taxonomy, concept, unit, start, end): the most recently filed value."""
    ordered = facts.sort_values(["filed", "accession"], kind="stable")
    return ordered.drop_duplicates(["taxonomy", "concept", "unit", "start", "end"], keep="last")


def reporting_period_ends(facts: pd.DataFrame, cal: pd.DataFrame) -> pd.Series:
    """Dates that end a reporting period (quarter, year-to-date or year) of this company."""
    dur = facts[facts["start"].notna()]
    ends = dur.loc[quarters_spanned(dur["start"], dur["end"]) > 0, "end"]
    return pd.Series(pd.concat([ends, cal["fy_end"]]).unique())


def resolve(
    facts: pd.DataFrame,
    metrics: list[str],
    cal: pd.DataFrame,
    period_ends: pd.Series,
    *,
    prefer_convenience: bool = False,
) -> pd.DataFrame:
    """Best fact per metric and fiscal slot (see module docstring); columns RESOLVED_COLUMNS.

    ``nq`` is the number of quarters a duration covers (1 = a quarter, 4 = the fiscal year,
    2/3 = year-to-date); instants have ``nq = 0`` and sit at the end of quarter ``qk``.
    """
    cands = candidate_frame()
    cands = cands[cands["metric"].isin(metrics)]
    rows = latest_filed(facts[facts["concept"].isin(cands["concept"])])
    rows = rows.merge(cands, on=["taxonomy", "concept"], how="inner")
    if rows.empty:
        return pd.DataFrame(columns=RESOLVED_COLUMNS)
    is_money = rows["unit_kind"] == "money"
    currency_like = rows["unit"].str.fullmatch(r"[A-Z]{3}").fillna(False).astype(bool)
    rows = rows[(is_money & currency_like) | (~is_money & (rows["unit"] == "shares"))]

    rows = _cover_page_to_period_end(rows, facts)
    rows = rows.assign(nq=quarters_spanned(rows["start"], rows["end"]))
    instant = rows["start"].isna()
    rows = rows[(instant & (rows["kind"] == "instant")) | (~instant & (rows["kind"] == "duration"))]
    rows = assign_fiscal(rows, cal)
    instant = rows["start"].isna()
    usable_duration = (
        ~instant
        & (rows["qk"] > 0)
        & ((rows["nq"] == 1) | ((rows["nq"] > 1) & (rows["nq"] == rows["qk"])))
    )
    usable_instant = instant & (rows["qk"] > 0) & rows["end"].isin(period_ends)
    rows = rows[usable_duration | usable_instant].copy()
    rows["value"] = rows["value"] * rows["sign"]

    money = rows["unit_kind"] == "money"
    main_currency = rows.loc[money, "unit"].mode()
    main = main_currency.iloc[0] if not main_currency.empty else "USD"
    rows["_other_ccy"] = np.where(money & (rows["unit"] != main), 1, 0)
    rows["_conv"] = 1
    if prefer_convenience and main != "USD":
        rows = _prefer_convenience(rows, facts)
    rows = rows.sort_values(
        ["_other_ccy", "priority", "_conv", "filed"], ascending=[True, True, True, False]
    )
    best = rows.drop_duplicates(["metric", "fiscal_year", "qk", "nq"], keep="first")
    return best[RESOLVED_COLUMNS].reset_index(drop=True)


def _prefer_convenience(rows: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Rank the filer's USD convenience translations first and say so in ``detail``."""
    conv = convenience_usd(facts)
    if conv.empty:
        return rows
    conv = conv.assign(_translation=True)
    marked = rows.merge(conv, on=[*KEY, "accession"], how="left")
    hit = (marked["_translation"].eq(True) & (marked["unit"] == "USD")).to_numpy()
    if not hit.any():
        return rows
    rows = rows.copy()
    rows.loc[hit, ["_other_ccy", "_conv"]] = 0  # as good as the main currency, and first
    notes = [
        describe(a, c, r)
        for a, c, r in zip(
            marked.loc[hit, "accession"],
            marked.loc[hit, "currency"],
            marked.loc[hit, "implied_rate"],
            strict=True,
        )
    ]
    rows.loc[hit, "detail"] = rows.loc[hit, "detail"].fillna("").astype(str) + notes
    return rows


def _cover_page_to_period_end(rows: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Date dei cover-page facts (e.g. shares outstanding "as of" a day weeks after the period)
    at the end of their filing's main period, keeping the cover date in ``detail``."""
    rows = rows.assign(detail=None)
    cover = rows["taxonomy"] == "dei"
    if not cover.any():
        return rows
    dur = facts[facts["start"].notna() & (facts["taxonomy"] != "dei")]
    dur = dur[quarters_spanned(dur["start"], dur["end"]) > 0]
    main_end = dur.groupby("accession")["end"].max()
    period_end = rows.loc[cover, "accession"].map(main_end)
    rows.loc[cover, "detail"] = (
        " (cover page, as of " + rows.loc[cover, "end"].dt.strftime("%Y-%m-%d") + ")"
    )
    rows.loc[cover, "end"] = period_end
    return rows[rows["end"].notna()]


def reported_derivation(rank: pd.Series, concept: pd.Series) -> pd.Series:
    """'reported' for the first-choice concept, 'fallback: <Concept>' for a lower one."""
    return pd.Series(
        np.where(rank.to_numpy() == 0, "reported", "fallback: " + concept.astype(str)),
        index=rank.index,
    )
