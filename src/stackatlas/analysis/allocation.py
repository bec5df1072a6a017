"""Segment-true allocation: which part of a company's numbers belongs to a layer / segment.

For each company, atlas segment it is a member of (weight > 0) and calendar period, in order:

1. ``whole company`` — weight 1: the company's own value, evidence unchanged;
2. ``segment reported`` — a filing at hand reports the business segment(s) the atlas segment is
   about (``SEGMENT_MEMBERS``: AWS, Google Cloud, NVIDIA Compute & Networking, Meta's Family of
   Apps ...): revenue and operating income are the segment's own figures for that period, put
   into calendar years by the one rule (``stackatlas.resolver.calendar``); evidence
   ``reported`` (one segment) or ``derived`` (a sum of segments);
3. ``segment share`` — other metrics (capex, cash flow, gross profit) in a period whose segment
   revenue is reported: the company value x the segment's share of revenue in that period,
   evidence ``estimated`` (a revenue share is not a capex share);
4. ``nearest segment share`` / ``nearest segment margin`` — no segment figures for the
   period: the revenue share of the closest period the filings report (the same fiscal year's
   six or nine months first, else the nearest full year), and for operating income that
   period's segment margin on the segment revenue so estimated (a revenue share applied to
   operating income would give AWS 17% of Amazon's profit; it earned 58%); ``estimated``,
   the period named in the basis;
5. ``atlas weight`` — no segment in any filing at hand: company value x the atlas weight,
   ``estimated``; a weight measured over a quarter (``period`` ``Q4 FY2026``) says so.

So an allocated number is never ``reported``. Segment operating income excludes what a company
keeps outside its segments (Alphabet-level costs, NVIDIA's "All Other"), so a company's layer
parts may add up to more than its total; the unallocated rest is not assigned to any layer.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

import pandas as pd

from stackatlas.evidence import Evidence, weakest
from stackatlas.resolver.calendar import calendar_annual, calendar_year_of
from stackatlas.resolver.resolver import Resolver

SEGMENT_MEMBERS: dict[str, tuple[str, ...]] = {
    # atlas segment -> business-segment members (local names) whose sum is a company's part
    "hyperscalers": (
        "AmazonWebServicesSegmentMember",
        "GoogleCloudMember",
        "IntelligentCloudSegmentMember",
        "IntelligentCloudMember",
    ),
    "consumer-platforms": (
        "NorthAmericaSegmentMember",
        "InternationalSegmentMember",
        "GoogleServicesMember",
        "FamilyOfAppsMember",
        "RealityLabsMember",
        "MorePersonalComputingSegmentMember",
        "MorePersonalComputingMember",
    ),
    "enterprise-software": (
        "ProductivityAndBusinessProcessesSegmentMember",
        "ProductivityAndBusinessProcessesMember",
    ),
    # NVIDIA's reported segment: Data Center (a market platform, revenue only) plus automotive
    # and other compute; the segment has both revenue and operating income
    "design-gpu": ("ComputeAndNetworkingSegmentMember",),
}
SEGMENT_METRICS = ("revenue", "operating_income")
ALLOC_COLUMNS = [
    "company_id",
    "segment",
    "group",
    "period",
    "metric",
    "allocated",
    "alloc_evidence",
    "weight",
    "rule",
    "basis",
]


def _members_of(rows: pd.DataFrame, segment: str) -> list[str]:
    """The members of ``segment`` this company reports on its business-segment axis."""
    wanted = SEGMENT_MEMBERS.get(segment, ())
    local = rows.loc[rows["axis"] == "segment", "member"].str.split(":").str[-1]
    present = set(local)
    return [m for m in wanted if m in present]


def segment_periods(rows: pd.DataFrame, members: list[str]) -> pd.DataFrame:
    """Per filing period: the members' summed value, the company total and the share, for
    revenue and operating income (latest filing per period; periods missing a member are left
    out). Columns: metric, fiscal_year, fiscal_period, months, start, end, value, total, share,
    evidence, reference, basis."""
    local = rows["member"].str.split(":").str[-1]
    hit = rows[(rows["axis"] == "segment") & local.isin(members)].copy()
    if hit.empty:
        return pd.DataFrame()
    hit["local"] = local[hit.index]
    hit["_filed"] = hit["filed"].map(lambda d: d if isinstance(d, date) else date.min)
    hit = hit.sort_values("_filed", ascending=False, kind="stable")
    hit = hit.drop_duplicates(["metric", "local", "start", "end"])
    out = []
    for (metric, start, end), grp in hit.groupby(["metric", "start", "end"], sort=False):
        if set(grp["local"]) != set(members):
            continue
        r = grp.iloc[0]
        value = float(grp["value"].sum())
        labels = " + ".join(grp["label"])
        out.append(
            {
                "metric": metric,
                "fiscal_year": r["fiscal_year"],
                "fiscal_period": r["fiscal_period"],
                "months": int(r["months"]),
                "start": start,
                "end": end,
                "value": value,
                "total": r["total"],
                "share": value / r["total"] if r["total"] else None,
                "evidence": Evidence.REPORTED if len(grp) == 1 else Evidence.DERIVED,
                "reference": r["accession"],
                "basis": f"{labels} segment{'s' if len(grp) > 1 else ''} ({r['accession']})",
            }
        )
    return pd.DataFrame(out)


@dataclass(frozen=True)
class Share:
    """A segment's share of company revenue in one filed period, and its operating margin
    there (None when the filing gives no segment operating income for it)."""

    share: float
    margin: float | None
    what: str  # e.g. "AWS share of FY2024 revenue (2024-01-01..2024-12-31)"


class SegmentFacts:
    """One company's reported segment figures for one atlas segment, by calendar period."""

    def __init__(self, rows: pd.DataFrame | None, segment: str) -> None:
        self.members = _members_of(rows, segment) if rows is not None else []
        periods = segment_periods(rows, self.members) if self.members else pd.DataFrame()
        self.values: dict[tuple[str, str], dict] = {}  # (metric, calendar year) -> row
        self.shares: dict[int, Share] = {}  # a calendar year's own (as-filed) share
        self.near: dict[int, Share] = {}  # other full fiscal years, by calendar year
        self.partial: dict[int, Share] = {}  # 6 / 9-month shares, by calendar year
        if periods.empty:
            return
        label = str(periods.iloc[0]["basis"]).split(" (")[0]
        fy = periods[periods["months"] == 12].assign(fiscal_period="FY")
        quarters = periods[periods["months"] == 3]
        for metric in SEGMENT_METRICS:
            cal = calendar_annual(
                fy[fy["metric"] == metric], quarters[quarters["metric"] == metric]
            )
            for r in cal.to_dict("records"):
                if r["value"] is None or r["evidence"] == Evidence.ESTIMATED:
                    continue  # a fiscal year standing in for another calendar year
                ref = f", {r['reference']}" if r.get("reference") else ""
                r["basis"] = f"{label}: {r['basis']}{ref}"
                self.values[(metric, str(r["period"]))] = r
        income = {
            (r["start"], r["end"]): r["value"]
            for r in periods[periods["metric"] == "operating_income"].to_dict("records")
        }
        revenue = periods[(periods["metric"] == "revenue") & periods["months"].isin([6, 9, 12])]
        for r in revenue.sort_values("months").to_dict("records"):
            if r["share"] is None or pd.isna(r["share"]):
                continue
            oi = income.get((r["start"], r["end"]))
            margin = oi / r["value"] if oi is not None and r["value"] else None
            months = "" if r["months"] == 12 else f"{r['months']}-month "
            share = Share(
                float(r["share"]),
                margin,
                f"{label} share of {months}FY{r['fiscal_year']} revenue ({r['start']}..{r['end']})",
            )
            if r["months"] == 12:
                year = calendar_year_of(r["start"], r["end"])
                aligned = ("revenue", str(year)) in self.values
                (self.shares if aligned else self.near)[year] = share
            else:
                start = pd.Timestamp(r["start"]).date()
                self.partial[calendar_year_of(start, start + timedelta(days=364))] = share

    def nearest_share(self, year: int) -> Share | None:
        """The share of the nearest period the filings report: the same fiscal year's six /
        nine months first, else the closest year (a full year before a part year at the same
        distance, the later year on a tie)."""
        if year in self.partial:
            return self.partial[year]
        full = {**self.near, **self.shares}
        candidates = [(abs(y - year), 0, -y, v) for y, v in full.items()]
        candidates += [(abs(y - year), 1, -y, v) for y, v in self.partial.items()]
        if not candidates:
            return None
        return min(candidates, key=lambda c: c[:3])[3]


_FACTS: weakref.WeakKeyDictionary[Resolver, dict[tuple[str, str], SegmentFacts]] = (
    weakref.WeakKeyDictionary()
)


def segment_facts(resolver: Resolver, company_id: str, segment: str) -> SegmentFacts:
    """``SegmentFacts`` of a company's segment from the resolver's segment rows, built once per
    resolver (pools allocate the same memberships for several period sets)."""
    known = _FACTS.setdefault(resolver, {})
    key = (company_id, segment)
    if key not in known:
        known[key] = SegmentFacts(resolver.segments(company_id), segment)
    return known[key]


def _period_year(period: str, calendar_year: object) -> int | None:
    if str(period).isdigit():
        return int(period)
    try:
        return int(str(calendar_year))  # TTM: the year of its last quarter
    except (TypeError, ValueError):
        return None


def allocate(
    metrics: pd.DataFrame,
    memberships: pd.DataFrame,
    segment_layer: Mapping[str, str],
    *,
    by: str = "layer",
    resolver: Resolver | None = None,
) -> pd.DataFrame:
    """Company metrics x memberships -> one row per (company, group, period, metric)
    (``ALLOC_COLUMNS``, money in USD), by the rules of the module docstring. Without a
    ``resolver`` no segment facts are read (weights only)."""
    mem = memberships[memberships["weight"] > 0]
    rows: list[dict] = []
    by_company = {cid: grp for cid, grp in metrics.groupby("company_id", sort=False)}
    periods = set(metrics["period"].astype(str))
    for m in mem.to_dict("records"):
        cid, segment, weight = m["company"], m["segment"], float(m["weight"])
        group = segment if by == "segment" else segment_layer.get(segment)
        company_rows = by_company.get(cid)
        facts = (
            segment_facts(resolver, cid, segment)
            if resolver is not None and weight < 1 and cid in resolver.atlas.companies
            else SegmentFacts(None, segment)
        )
        seen: set[tuple[str, str]] = set()
        records = company_rows.to_dict("records") if company_rows is not None else []
        own = {
            (str(r["period"]), r["metric"]): float(r["value"])
            for r in records
            if r["value"] is not None and not pd.isna(r["value"])
        }
        for r in records:
            if r["value"] is None or pd.isna(r["value"]):
                continue
            key = (str(r["period"]), r["metric"])
            seen.add(key)
            revenue = own.get((key[0], "revenue"))
            rows.append(_allocated(cid, segment, group, r, weight, m, facts, revenue))
        for (metric, period), seg in facts.values.items():  # segment figures with no total
            if (period, metric) not in seen and period in periods:
                rows.append(_reported(partial(_row, cid, segment, group, period, metric), seg))
    frame = pd.DataFrame(rows, columns=ALLOC_COLUMNS)
    return frame


def _row(
    cid: str,
    segment: str,
    group: str | None,
    period: str,
    metric: str,
    value: float,
    evidence: Evidence | str,
    weight: float | None,
    rule: str,
    basis: str,
) -> dict:
    return {
        "company_id": cid,
        "segment": segment,
        "group": group,
        "period": period,
        "metric": metric,
        "allocated": float(value),
        "alloc_evidence": Evidence(evidence),
        "weight": weight,
        "rule": rule,
        "basis": basis,
    }


def _allocated(
    cid: str,
    segment: str,
    group: str | None,
    r: dict,
    weight: float,
    m: dict,
    facts: SegmentFacts,
    revenue: float | None,
) -> dict:
    """One company value's part in one segment (rules 1-5 of the module docstring)."""
    period, metric, value = str(r["period"]), r["metric"], float(r["value"])
    ev = Evidence(r["evidence"])
    place = partial(_row, cid, segment, group, period, metric)
    if weight >= 1.0:
        return place(value, ev, 1.0, "whole company", "the whole company is in this segment")
    seg = facts.values.get((metric, period))
    if seg is not None:
        return _reported(place, seg)
    estimated = weakest([ev, Evidence.ESTIMATED])
    year = _period_year(period, r.get("calendar_year"))
    exact = facts.shares.get(year) if period.isdigit() and year is not None else None
    if exact is not None:
        return place(
            value * exact.share,
            estimated,
            exact.share,
            "segment share",
            f"{exact.share:.1%} = {exact.what}",
        )
    near = facts.nearest_share(year) if year is not None else None
    if near is not None:
        if metric == "operating_income" and near.margin is not None and revenue is not None:
            # the segment's own margin, not its revenue share, carries its profit
            return place(
                revenue * near.share * near.margin,
                estimated,
                near.share,
                "nearest segment margin",
                f"revenue x {near.share:.1%} x margin {near.margin:.1%} ({near.what}), "
                f"applied to {period}",
            )
        return place(
            value * near.share,
            estimated,
            near.share,
            "nearest segment share",
            f"{near.share:.1%} = {near.what}, applied to {period}",
        )
    stated = m.get("period")
    has_period = isinstance(stated, str) and stated.strip() != ""
    label = stated if has_period else f"the year to {m.get('as_of')}"
    quarter = str(label).upper().startswith("Q")
    note = " (a quarter's share applied to a whole period)" if quarter else ""
    return place(
        value * weight,
        estimated,
        weight,
        "atlas weight",
        f"atlas weight {weight:g} ({label}){note}",
    )


def _reported(place: Callable[..., dict], seg: dict) -> dict:
    """The segment's own filed figure (rule 2)."""
    return place(seg["value"], seg["evidence"], None, "segment reported", str(seg["basis"]))
