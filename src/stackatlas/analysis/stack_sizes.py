"""Dollar sizes for the stack map: each company's revenue in each segment it belongs to.

For every company with a membership (weight > 0), its latest calendar year with revenue (from
the resolver) is split by the allocation rules (``stackatlas.analysis.allocation``): the
filing's own segment revenue where reported, else revenue x the segment's share or the atlas
weight — an estimate, marked. Companies with no revenue anywhere cannot be sized in dollars
and are named (``unsized``); the weight-sized map still shows them. A layer none of whose
companies has revenue is listed as such, never drawn or summed as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Group as RichGroup
from rich.table import Table
from rich.text import Text

from stackatlas.analysis.allocation import allocate
from stackatlas.atlas.atlas import Atlas
from stackatlas.display import evidence_symbol, fmt_num, is_missing, records
from stackatlas.evidence import Evidence
from stackatlas.notebook import Tabular
from stackatlas.resolver import Resolver

if TYPE_CHECKING:
    from stackatlas.store import Store

COLUMNS = [
    "layer",
    "segment",
    "company_id",
    "company",
    "period",
    "value",
    "evidence",
    "rule",
    "basis",
]
MEMBER_COLUMNS = ["layer", "segment", "company_id"]
REPORTED = ("reported", "derived")


@dataclass
class StackDollars(Tabular):
    """Per (segment, company): revenue in USD, its calendar year, evidence and rule.
    ``members`` holds every (layer, segment, company) with weight > 0, sized or not."""

    rows: pd.DataFrame
    members: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MEMBER_COLUMNS))
    unsized: list[str] = field(default_factory=list)

    def get(self, segment: str, company: str) -> dict[str, Any] | None:
        """The row of ``company`` in ``segment``, or None when it cannot be sized."""
        return self.by_segment.get(segment, {}).get(company)

    @cached_property
    def by_segment(self) -> dict[str, dict[str, dict[str, Any]]]:
        """segment -> company id -> row (the templates' lookup)."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for row in self.rows.to_dict("records"):
            out.setdefault(str(row["segment"]), {})[str(row["company_id"])] = row
        return out

    @property
    def periods(self) -> list[str]:
        """The calendar years the sizes come from."""
        return sorted(set(self.rows["period"].astype(str)))

    def layer_totals(self) -> pd.DataFrame:
        """Per layer (stack order of ``members``): USD of the sized companies, of which
        estimated, and how many of the layer's companies have a size. A layer with no sized
        company has ``usd`` None (unknown), not 0."""
        out = []
        for layer, grp in self.members.groupby("layer", sort=False):
            rows = self.rows[self.rows["layer"] == layer]
            estimated = rows.loc[~rows["evidence"].isin(REPORTED), "value"].sum()
            out.append(
                {
                    "layer": layer,
                    "usd": float(rows["value"].sum()) if not rows.empty else None,
                    "estimated_usd": float(estimated) if not rows.empty else None,
                    "companies_sized": int(rows["company_id"].nunique()),
                    "companies": int(grp["company_id"].nunique()),
                }
            )
        return pd.DataFrame(
            out, columns=["layer", "usd", "estimated_usd", "companies_sized", "companies"]
        )

    def for_layer(self, layer: str) -> StackDollars:
        """The same sizes for one layer."""
        members = self.members[self.members["layer"] == layer]
        rows = self.rows[self.rows["layer"] == layer].reset_index(drop=True)
        unsized = sorted(set(members["company_id"]) - set(rows["company_id"]))
        return StackDollars(rows, members.reset_index(drop=True), unsized)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The tables behind ``--csv`` / ``--parquet`` / ``--xlsx``."""
        return {
            "rows": self.rows,
            "layers": self.layer_totals(),
            "unsized": pd.DataFrame({"company_id": self.unsized}),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": "usd",
            "rows": records(self.rows),
            "layers": records(self.layer_totals()),
            "unsized": self.unsized,
        }

    def __rich__(self) -> RichGroup:
        table = Table(title="The stack in dollars: each company's revenue in a segment (USD bn)")
        for col in ("", "layer", "segment", "company", "year", "USD bn", "rule"):
            table.add_column(col, justify="right" if col == "USD bn" else "left", no_wrap=True)
        for r in self.rows.to_dict("records"):
            table.add_row(
                evidence_symbol(r["evidence"]),
                r["layer"],
                r["segment"],
                Text(str(r["company"])),
                f"CY{r['period']}",
                fmt_num(r["value"] / 1e9),
                r["rule"],
            )
        totals = Table(title="By layer (only the companies with revenue)")
        for col in ("layer", "USD bn", "of which estimated", "companies with revenue"):
            totals.add_column(col, justify="left" if col == "layer" else "right")
        for t in self.layer_totals().to_dict("records"):
            usd, est = t["usd"], t["estimated_usd"]
            totals.add_row(
                t["layer"],
                "no revenue data" if is_missing(usd) else fmt_num(usd / 1e9),
                "" if is_missing(est) else fmt_num(est / 1e9),
                f"{t['companies_sized']} of {t['companies']}",
            )
        note = Text(
            "● reported ◐ derived (a sum of reported segments) ○ estimated (revenue x a segment "
            "share or atlas weight, or a fiscal year taken as the calendar year); "
            f"{len(self.unsized)} companies without revenue data are not sized",
            style="dim",
        )
        return RichGroup(table, totals, note)


def stack_dollars(
    atlas: Atlas, *, store: Store | None = None, resolver: Resolver | None = None
) -> StackDollars:
    """Revenue per company and segment for the dollar-sized stack map (module docstring)."""
    from stackatlas.analysis.metric_inputs import resolver_for

    resolver = resolver_for(atlas, store=store, resolver=resolver)
    memberships = atlas.frame("memberships")
    order = {lid: i for i, lid in enumerate(reversed(atlas.layer_ids))}  # applications first
    exposed_rows = memberships[memberships["weight"] > 0] if not memberships.empty else memberships
    members = pd.DataFrame(
        {
            "layer": exposed_rows["segment"].map(atlas.layer_of_segment),
            "segment": exposed_rows["segment"],
            "company_id": exposed_rows["company"],
        },
        columns=MEMBER_COLUMNS,
    )
    members = members.sort_values("layer", key=lambda s: s.map(order), kind="stable")
    members = members.reset_index(drop=True)
    if members.empty:
        return StackDollars(pd.DataFrame(columns=COLUMNS), members)
    exposed = sorted(set(members["company_id"]))
    annual = resolver.inputs(exposed).annual
    revenue = annual[(annual["metric"] == "revenue") & annual["value"].notna()]
    latest = revenue.assign(_y=revenue["calendar_year"].astype(int))
    latest = latest.sort_values("_y").drop_duplicates("company_id", keep="last").drop(columns="_y")
    alloc = allocate(latest, memberships, atlas.layer_of_segment, by="segment", resolver=resolver)
    chosen = dict(zip(latest["company_id"], latest["period"].astype(str), strict=True))
    alloc = alloc[
        (alloc["allocated"] > 0)
        & (alloc["period"].astype(str) == alloc["company_id"].map(chosen))
        & (alloc["metric"] == "revenue")
    ]
    rows = pd.DataFrame(
        {
            "layer": alloc["segment"].map(atlas.layer_of_segment),
            "segment": alloc["segment"],
            "company_id": alloc["company_id"],
            "company": alloc["company_id"].map(lambda c: atlas.companies[c].name),
            "period": alloc["period"].astype(str),
            "value": alloc["allocated"],
            "evidence": [Evidence(e).value for e in alloc["alloc_evidence"]],
            "rule": alloc["rule"],
            "basis": alloc["basis"],
        },
        columns=COLUMNS,
    )
    # a whole company's size is its own revenue: say where that comes from (a fiscal year
    # taken as a calendar year is why a filed figure can be an estimate here)
    own = dict(zip(latest["company_id"], latest["basis"].astype(str), strict=True))
    whole = rows["rule"] == "whole company"
    rows.loc[whole, "basis"] = "the whole company: " + rows.loc[whole, "company_id"].map(own)
    rows = rows.sort_values(
        ["layer", "value"], key=lambda s: s.map(order) if s.name == "layer" else -s
    )
    unsized = sorted(set(exposed) - set(rows["company_id"]))
    return StackDollars(rows.reset_index(drop=True), members, unsized)
