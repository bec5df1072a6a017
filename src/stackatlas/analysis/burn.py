"""Where the burned money goes: a model lab's spending by destination layer, and onward."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from stackatlas.analysis.flows import (
    COST_KINDS,
    PAYEE_HINT,
    FlowGraph,
    commitments_table,
    flow_graph,
    node_split,
)
from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.flow_periods import year_key
from stackatlas.atlas.models import FlowKind
from stackatlas.display import AMOUNTS, amount_text, records, rich_table
from stackatlas.evidence import combine
from stackatlas.notebook import Tabular


@dataclass
class BurnDestinations(Tabular):
    """A company's spending outflows split by the layer that receives them.

    ``share`` is of the total when every amount is known; ``known`` / ``share_of_known`` use only
    the flows with amounts (a lower bound and its split) and ``n_unresolved`` counts the rest.
    """

    lab: str
    by_layer: pd.DataFrame  # layer, low, mid, high, share, n_flows, flow_ids, evidence
    detail: pd.DataFrame  # flow_id, target, kind, layer, weight, low, mid, high, period, evidence
    excluded: pd.DataFrame  # financing outflows (equity, debt) left out
    per_year: bool
    downstream: pd.DataFrame = field(default_factory=pd.DataFrame)  # hop-by-hop chain
    year: str | None = None  # the year whose annual amounts are split
    commitments: pd.DataFrame = field(default_factory=pd.DataFrame)  # multi-year cost flows

    def to_dict(self) -> dict[str, Any]:
        return {
            "lab": self.lab,
            "year": self.year,
            "per_year": self.per_year,
            "by_layer": records(self.by_layer),
            "detail": records(self.detail),
            "excluded": records(self.excluded),
            "downstream": records(self.downstream),
            "commitments": records(self.commitments),
        }

    def __rich__(self) -> Any:
        if self.by_layer.empty:
            return f"no annual spending flows from {self.lab} in the atlas for {self.year}"
        view = pd.DataFrame(
            [
                {
                    "layer": r["layer"],
                    "USD bn": amount_text(r),
                    "share": "—" if r["share"] is None else f"{r['share']:.0%}",
                    "share of known": "—"
                    if r["share_of_known"] is None
                    else f"{r['share_of_known']:.0%}",
                    "flows": r["n_flows"],
                    "unknown": r["n_unresolved"],
                    "periods": r["periods"].replace(";", ", "),
                    "evidence": r["evidence"],
                }
                for r in records(self.by_layer)
            ]
        )
        from rich.console import Group

        title = f"Where {self.lab}'s spending goes in {self.year}, by layer (USD bn, annual flows)"
        parts: list[Any] = [rich_table(title, view)]
        if not self.downstream.empty:
            chain = pd.DataFrame(
                [
                    {
                        "hop": r["hop"],
                        "from": r["source"],
                        "to": r["target"],
                        "layer": r["layer"] or "?",
                        "kind": r["kind"],
                        "USD bn": amount_text(r),
                        "period": r["period"],
                        "evidence": r["evidence"],
                    }
                    for r in records(self.downstream)
                ]
            )
            parts.append(
                rich_table(
                    "…and on down the stack (the payees' own spending; a group "
                    "row is the members' combined spending)",
                    chain,
                )
            )
        if not self.commitments.empty:
            parts.append(commitments_table(self.commitments))
        return Group(*parts)


def burn_destinations(
    atlas: Atlas, lab: str = "openai", *, per_year: bool = False, period: str | None = None
) -> BurnDestinations:
    """Split a model lab's cash costs (its outgoing cost flows: cloud commitments, revenue
    share, purchases, power, services) by destination layer, using the payee splits of the
    module doc. Equity and debt outflows are financing, listed in ``excluded``."""
    company = atlas.find_company(lab).id
    graph = flow_graph(atlas, per_year=per_year, include_debt=True)
    mine = graph.edges["source"] == company
    costs = graph.edges["kind"].isin([str(k) for k in COST_KINDS])
    year = year_key(period) if period is not None else _default_year(graph, company)
    yearly = _year_rows(graph, year)
    out = yearly[yearly["source"] == company]
    commitments = graph.edges[mine & costs & (graph.edges["horizon"] != "annual")]
    is_cost = out["kind"].isin([str(k) for k in COST_KINDS])
    rows = []
    for rec in records(out[is_cost]):
        split = node_split(
            atlas, rec["target"], "layer", PAYEE_HINT.get(FlowKind(rec["kind"]), frozenset())
        )
        shares: dict[str | None, float] = {k: v for k, v in split.items()} or {None: 1.0}
        for layer, weight in shares.items():
            rows.append(
                {
                    "flow_id": rec["id"],
                    "target": rec["target"],
                    "kind": rec["kind"],
                    "layer": layer,
                    "weight": weight,
                    **{k: None if rec[k] is None else rec[k] * weight for k in AMOUNTS},
                    "period": rec["period"],
                    "evidence": rec["evidence"],
                }
            )
    detail = pd.DataFrame(
        rows,
        columns=["flow_id", "target", "kind", "layer", "weight", *AMOUNTS, "period", "evidence"],
    )
    order = {lid: i for i, lid in enumerate(atlas.layer_ids)}
    layer_rows = []
    placed = detail[detail["layer"].notna()]
    total_mid = None if placed["mid"].isna().any() else placed["mid"].sum()
    total_known = placed["mid"].sum()
    for layer, grp in sorted(placed.groupby("layer"), key=lambda kv: order.get(kv[0], 99)):
        sums = {k: None if grp[k].isna().any() else float(grp[k].sum()) for k in AMOUNTS}
        known = float(grp["mid"].sum())
        layer_rows.append(
            {
                "layer": layer,
                **sums,
                "share": (
                    sums["mid"] / total_mid if total_mid and sums["mid"] is not None else None
                ),
                "known": known if known > 0 else None,  # never a lower bound of 0
                # a layer with nothing disclosed has no share, not 0% (unknown is not zero)
                "share_of_known": known / total_known if total_known and known > 0 else None,
                "n_unresolved": int(grp.loc[grp["mid"].isna(), "flow_id"].nunique()),
                "n_flows": int(grp["flow_id"].nunique()),
                "flow_ids": ";".join(sorted(set(grp["flow_id"]))),
                "periods": ";".join(sorted(set(grp["period"]))),
                "evidence": str(
                    grp["evidence"].iloc[0]
                    if len(grp) == 1 and grp["weight"].iloc[0] == 1.0
                    else combine(grp["evidence"])
                ),
            }
        )
    by_layer = pd.DataFrame(
        layer_rows,
        columns=[
            "layer",
            *AMOUNTS,
            "share",
            "known",
            "share_of_known",
            "n_unresolved",
            "n_flows",
            "flow_ids",
            "periods",
            "evidence",
        ],
    )
    excluded = graph.edges[mine & ~costs].reset_index(drop=True)
    chain = _downstream_chain(atlas, yearly, company)
    return BurnDestinations(
        company,
        by_layer,
        detail,
        excluded,
        per_year,
        chain,
        year,
        commitments.reset_index(drop=True),
    )


def _year_rows(graph: FlowGraph, year: str | None) -> pd.DataFrame:
    """The annual amounts of ``year``, one row per flow, shaped like ``graph.edges``."""
    ends = graph.edges[["id", "source", "target", "kind", "period", "horizon"]]
    rows = graph.slices[graph.slices["year"] == year].merge(ends, left_on="flow_id", right_on="id")
    return rows.drop(columns=["flow_id"])


def _default_year(graph: FlowGraph, company: str) -> str | None:
    """The latest year with a disclosed annual cost amount paid by ``company`` that is not a
    projection; else the latest with any disclosed amount; else the graph's default."""
    ids = graph.edges.loc[
        (graph.edges["source"] == company) & graph.edges["kind"].isin([str(k) for k in COST_KINDS]),
        "id",
    ]
    mine = graph.slices[graph.slices["flow_id"].isin(ids) & graph.slices["mid"].notna()]
    for pool in (mine[~mine["projection"]], mine):
        if len(pool):
            return max(pool["year"], key=lambda y: (int(y), y) if y.isdigit() else (0, y))
    return graph.default_year()


def _downstream_chain(
    atlas: Atlas, yearly: pd.DataFrame, start: str, max_hops: int = 4
) -> pd.DataFrame:
    """Cost flows reached from ``start`` hop by hop: its payees' spending, theirs, and so on.

    A payee's spending includes flows paid by a group it belongs to (``via``), and a group
    payee's includes its members'. Each flow is listed once, at its first hop.
    """
    costs = yearly[yearly["kind"].isin([str(k) for k in COST_KINDS])]
    by_source: dict[str, list[dict[str, Any]]] = {}
    for rec in records(costs):
        by_source.setdefault(rec["source"], []).append(rec)
    member_of = {
        m: [g for g, grp in atlas.groups.items() if m in grp.members]
        for g0 in atlas.groups.values()
        for m in g0.members
    }
    rows, seen_flows, seen_nodes = [], set(), {start}
    frontier = [start]
    for hop in range(1, max_hops + 1):
        following: list[str] = []
        for node in frontier:
            payers = [node, *member_of.get(node, [])]
            if node in atlas.groups:
                payers += atlas.groups[node].members
            for payer in payers:
                for rec in by_source.get(payer, []):
                    if rec["id"] in seen_flows or (hop > 1 and rec["target"] == start):
                        continue
                    seen_flows.add(rec["id"])
                    split = node_split(
                        atlas,
                        rec["target"],
                        "layer",
                        PAYEE_HINT.get(FlowKind(rec["kind"]), frozenset()),
                    )
                    top = min(split, key=lambda k: (-split[k], k)) if split else None
                    rows.append(
                        {
                            "hop": hop,
                            "via": payer if payer != node else None,
                            **{
                                k: rec[k]
                                for k in (
                                    "source",
                                    "target",
                                    "kind",
                                    *AMOUNTS,
                                    "period",
                                    "evidence",
                                )
                            },
                            "known": rec["mid"] if rec["mid"] else None,
                            "layer": top,
                            "flow_id": rec["id"],
                        }
                    )
                    if rec["target"] not in seen_nodes:
                        seen_nodes.add(rec["target"])
                        following.append(rec["target"])
        frontier = following
    return pd.DataFrame(
        rows,
        columns=[
            "hop",
            "via",
            "source",
            "target",
            "kind",
            *AMOUNTS,
            "known",
            "period",
            "evidence",
            "layer",
            "flow_id",
        ],
    )
