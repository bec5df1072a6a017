"""Like-for-like panels and coverage for the profit pools.

A **panel** is the fixed set of companies a layer's series is summed over: for each group
(layer or segment) and metric, the companies with a value in *every* calendar year shown.
Operating cash flow, capex and free cash flow share one panel (companies with both cash flow
and capex every year), so free cash flow = cash flow - capex holds in every cell. The trailing
four quarters (TTM) are summed over the panel companies that have them. A single year is its
own panel. The **full** view (an option) sums every company with data in each period instead
and marks where the set changes from one period to the next.

**Coverage** of a cell: the share of the group's companies (members with a weight above 0)
that contribute, and — where known — the share of the group's revenue weight: each company's
allocated revenue in that period, or, when it has none then, its allocated revenue in the
nearest calendar year the resolver knows (its size); companies with no revenue in any year have
no known size and are left out of that share.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

CASH = ("operating_cash_flow", "capex", "free_cash_flow")


def _is_year(period: str) -> bool:
    return str(period).isdigit()


@dataclass
class Panels:
    """Which allocated rows a view sums, and what that choice left out."""

    view: str  # "panel" or "full"
    years: list[str]
    members: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (group, metric)
    left_out: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    changes: dict[tuple[str, str, str], str] = field(default_factory=dict)  # full view

    def panel(self, group: str, metric: str) -> list[str] | None:
        return self.members.get((group, metric))


def _with_cash_rule(alloc: pd.DataFrame) -> pd.DataFrame:
    """Cash-flow rows only for company-periods with both operating cash flow and capex."""
    cash = alloc["metric"].isin(CASH)
    both = (
        alloc[alloc["metric"].isin(["operating_cash_flow", "capex"])]
        .groupby(["company_id", "group", "period"])["metric"]
        .nunique()
    )
    ok = set(both[both == 2].index)
    keys = list(zip(alloc["company_id"], alloc["group"], alloc["period"], strict=True))
    keep = [not c or k in ok for c, k in zip(cash, keys, strict=True)]
    return alloc[pd.Series(keep, index=alloc.index, dtype=bool)]


def choose(alloc: pd.DataFrame, view: str = "panel") -> tuple[pd.DataFrame, Panels]:
    """The rows a view sums (``alloc``: company_id, group, period, metric, allocated ...)."""
    alloc = _with_cash_rule(alloc)
    years = sorted({str(p) for p in alloc["period"] if _is_year(p)}, key=int)
    panels = Panels(view, years)
    if view == "full" or len(years) <= 1:
        _mark_changes(alloc, panels)
        return alloc.reset_index(drop=True), panels
    keep = pd.Series(False, index=alloc.index)
    for (group, metric), grp in alloc.groupby(["group", "metric"], sort=False):
        base = "capex" if metric in CASH else metric
        basis = alloc[(alloc["group"] == group) & (alloc["metric"] == base)]
        have = basis[basis["period"].astype(str).isin(years)].groupby("company_id")["period"]
        in_all = sorted(c for c, ps in have if set(map(str, ps)) == set(years))
        panels.members[(group, metric)] = in_all
        panels.left_out[(group, metric)] = {
            c: "no " + ", ".join(f"CY{y}" for y in years if y not in set(map(str, ps)))
            for c, ps in have
            if c not in in_all
        }
        keep.loc[grp.index[grp["company_id"].isin(in_all)]] = True
    return alloc[keep].reset_index(drop=True), panels


def _mark_changes(alloc: pd.DataFrame, panels: Panels) -> None:
    """Full view: per group, metric and year, the companies that joined / left the sum."""
    for (group, metric), grp in alloc.groupby(["group", "metric"], sort=False):
        prev: set[str] | None = None
        for year in panels.years:
            now = set(grp.loc[grp["period"].astype(str) == year, "company_id"])
            if prev is not None and now != prev:
                parts = [f"+{c}" for c in sorted(now - prev)] + [
                    f"-{c}" for c in sorted(prev - now)
                ]
                panels.changes[(group, metric, year)] = " ".join(parts)
            prev = now


def sizes(alloc: pd.DataFrame, periods: list[str]) -> dict[tuple[str, str, str], float]:
    """(company, group, period) -> the company's revenue weight in the group for ``periods``:
    its allocated revenue then, else in the nearest calendar year known (the later on a tie)."""
    rev = alloc[alloc["metric"] == "revenue"].drop_duplicates(["company_id", "group", "period"])
    known: dict[tuple[str, str], dict[str, float]] = {}
    for c, g, p, v in zip(
        rev["company_id"], rev["group"], rev["period"], rev["allocated"], strict=True
    ):
        known.setdefault((c, g), {})[str(p)] = abs(float(v))
    out: dict[tuple[str, str, str], float] = {}
    for (c, g), by_period in known.items():
        years = [int(p) for p in by_period if _is_year(p)]
        for p in periods:
            if p in by_period:
                out[(c, g, p)] = by_period[p]
                continue
            target = int(p) if _is_year(p) else max(years, default=0)
            if years:
                best = min(years, key=lambda y: (abs(y - target), -y))
                out[(c, g, p)] = by_period[str(best)]
    return out


def revenue_coverage(
    size: dict[tuple[str, str, str], float],
    group: str,
    period: str,
    contributors: list[str],
    players: list[str],
) -> float | None:
    """Share of the group's known revenue weight held by ``contributors`` (None: no player of
    the group has a known size)."""
    known = {c: size[(c, group, period)] for c in players if (c, group, period) in size}
    total = sum(known.values())
    if not known or total == 0:
        return None
    return sum(v for c, v in known.items() if c in contributors) / total
