"""The money-flow graph: atlas flows as a directed graph, collapsible to segments and layers.

Every atlas flow (payer -> payee, USD billions) becomes one edge with ``low`` / ``mid`` /
``high``: ``mid`` is the point ``amount``, else the midpoint of ``low`` and ``high``; a missing
bound falls back to the point value. A flow with no number at all stays in the graph with
``evidence = unresolved`` and None amounts, and never adds a silent zero to a total.

**Collapsing a company to layers.** A company node is split across layers by its membership
weights (summed per layer, renormalised to 1 so the whole flow is placed somewhere). The flow
kind narrows that split where the kind says which business is paying or being paid:

====================  =========================  =========================
kind                  payer side restricted to   payee side restricted to
====================  =========================  =========================
capex_purchase        cloud                      energy, chips, cloud
cloud_commitment      models, cloud              cloud
power_purchase        (all layers)               energy
revenue_share         (all layers)               cloud, models
equity_investment     (all layers)               models
====================  =========================  =========================

A restriction applies only if the company has memberships in those layers (else all its
weights are used; in a group, members outside the restricted layers are dropped when some member
is inside them — Meta does not receive cloud spend paid to "hyperscalers"). Compute bought from a
cloud is counted against the buyer's models business (it is what trains and serves the models,
whichever product then sells them) or, for a cloud buying capacity from another, its cloud
business; likewise equity raised by a lab funds its models business. A flow of ``X`` from
payer ``P`` to payee ``Q`` contributes ``X * p_a * q_b`` to layer ``a`` -> layer ``b`` (``p``,
``q`` the normalised splits). A segment node sits in its layer; a group node expands to its
members with equal weight (the mean of their splits); a company without memberships borrows its
``parent``'s. Nodes that cannot be placed are
listed in ``FlowGraph.unmapped`` and left out of layer totals.

**Periods.** Atlas flows mix one-year amounts ("2025") and multi-year commitments
("2025-2030"). ``per_year=True`` divides each amount by the years its period spans (a flow whose
period cannot be read, e.g. "until 2032", keeps its edge but loses its amount and is listed in
``not_annualised``); totals otherwise add amounts as stated, and every aggregate lists the periods
it mixes.

**Missing amounts.** Many flows are known to exist but have no disclosed amount. An aggregate
over them has ``low`` / ``mid`` / ``high`` = None (unresolved) and also ``known`` = the sum of
the amounts that are known, a lower bound (money flows are never negative), with
``n_unresolved`` counting the flows without a number. Sankey links use ``mid`` when complete and
otherwise ``known`` (flagged ``complete = False``, drawn faded and labelled "≥").

Evidence: a flow from a filing is ``reported``; every other source is ``estimated``; no amount is
``unresolved``. Aggregates take the weakest status of their inputs (reported -> derived).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Flow, FlowKind, SourceKind
from stackatlas.display import AMOUNTS, amount_text, records, rich_table
from stackatlas.evidence import Evidence, combine

Level = Literal["company", "segment", "layer"]

PAYER_HINT: dict[FlowKind, frozenset[str]] = {
    FlowKind.CAPEX_PURCHASE: frozenset({"cloud"}),
    FlowKind.CLOUD_COMMITMENT: frozenset({"models", "cloud"}),
}
PAYEE_HINT: dict[FlowKind, frozenset[str]] = {
    FlowKind.CAPEX_PURCHASE: frozenset({"energy", "chips", "cloud"}),
    FlowKind.CLOUD_COMMITMENT: frozenset({"cloud"}),
    FlowKind.POWER_PURCHASE: frozenset({"energy"}),
    FlowKind.REVENUE_SHARE: frozenset({"cloud", "models"}),
    FlowKind.EQUITY_INVESTMENT: frozenset({"models"}),
}
COST_KINDS = frozenset(
    {
        FlowKind.CAPEX_PURCHASE,
        FlowKind.CLOUD_COMMITMENT,
        FlowKind.REVENUE_SHARE,
        FlowKind.POWER_PURCHASE,
        FlowKind.SERVICES,
    }
)
"""Outflows that are operating or capital spending (equity and debt are financing, not cost)."""

CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
_EVIDENCE_BY_RANK = {e.rank: e for e in Evidence}


# ---- single flows ------------------------------------------------------------------------
def flow_amounts(flow: Flow) -> tuple[float | None, float | None, float | None]:
    """(low, mid, high) in USD billions; None where the flow gives no number."""
    lo, amt, hi = flow.low, flow.amount, flow.high
    if amt is not None:
        mid = amt
    elif lo is not None and hi is not None:
        mid = (lo + hi) / 2
    else:
        mid = lo if lo is not None else hi
    return (lo if lo is not None else mid, mid, hi if hi is not None else mid)


def period_years(period: str) -> float | None:
    """Years a period label spans: "2025" / "2026E" / "FY2026" -> 1, "2019-2032" -> 14,
    "Q4 FY2026" -> 0.25, "H1 2025" -> 0.5; None when it cannot be read."""
    text = period.strip().upper()
    span = re.fullmatch(r"(?:FY|CY)?(\d{4})E?\s*[-–/]\s*(?:FY|CY)?(\d{2,4})E?", text)
    if span:
        start, end = int(span.group(1)), int(span.group(2))
        if end < 100:
            end += start // 100 * 100
        return float(end - start + 1) if end >= start else None
    if re.fullmatch(r"Q[1-4]\s*(?:FY|CY)?\s*\d{4}E?", text):
        return 0.25
    if re.fullmatch(r"H[12]\s*(?:FY|CY)?\s*\d{4}E?", text):
        return 0.5
    if re.fullmatch(r"(?:FY|CY)?\s*\d{4}E?|TTM", text):
        return 1.0
    return None


def flow_evidence(atlas: Atlas, flow: Flow) -> Evidence:
    """reported for a filing source, estimated otherwise, unresolved without an amount."""
    if flow_amounts(flow)[1] is None:
        return Evidence.UNRESOLVED
    source = atlas.sources.get(flow.source)
    return Evidence.REPORTED if source and source.kind == SourceKind.FILING else Evidence.ESTIMATED


# ---- placing nodes in segments / layers -----------------------------------------------------
def node_type(atlas: Atlas, node: str) -> str:
    """``Atlas.node_kind`` (company, group, segment), extended to layers; else ``unknown``."""
    return atlas.node_kind(node) or ("layer" if node in atlas.layer_ids else "unknown")


def node_split(
    atlas: Atlas, node: str, level: Level = "layer", restrict: frozenset[str] = frozenset()
) -> dict[str, float]:
    """How a node's money divides over segments or layers (weights sum to 1; {} = unplaceable).

    ``restrict`` names layers to keep when the node has memberships in them (see module doc).
    """
    kind = node_type(atlas, node)
    if level == "company":
        return {node: 1.0}
    if kind == "layer":
        return {node: 1.0} if level == "layer" else {}
    if kind == "segment":
        return {atlas.layer_of_segment[node] if level == "layer" else node: 1.0}
    if kind == "group":
        members = atlas.groups[node].members
        inside = [m for m in members if restrict & _layers_of(atlas, m)]
        parts = [node_split(atlas, m, level, restrict) for m in (inside or members)]
        parts = [p for p in parts if p]
        total: dict[str, float] = {}
        for part in parts:
            for key, weight in part.items():
                total[key] = total.get(key, 0.0) + weight / len(parts)
        return total
    if kind != "company":
        return {}
    members = [m for m in atlas.memberships_of(node) if m.weight > 0]
    if not members:
        parent = atlas.companies[node].parent
        return node_split(atlas, parent, level, restrict) if parent else {}
    kept = [m for m in members if atlas.layer_of_segment.get(m.segment) in restrict]
    members = kept or members
    raw: dict[str, float] = {}
    for m in members:
        key = atlas.layer_of_segment.get(m.segment) if level == "layer" else m.segment
        if key is not None:
            raw[key] = raw.get(key, 0.0) + m.weight
    total_weight = sum(raw.values())
    return {k: v / total_weight for k, v in raw.items()} if total_weight else {}


def _layers_of(atlas: Atlas, company: str) -> set[str]:
    return {
        atlas.layer_of_segment[m.segment]
        for m in atlas.memberships_of(company)
        if m.weight > 0 and m.segment in atlas.layer_of_segment
    }


# ---- the graph -----------------------------------------------------------------------------
@dataclass
class FlowGraph:
    """Company-level edges (one per atlas flow) plus their splits over segments and layers."""

    edges: pd.DataFrame
    nodes: pd.DataFrame
    splits: pd.DataFrame  # flow_id, level, source, target, weight
    unmapped: list[str] = field(default_factory=list)  # flow ids left out of layer totals
    not_annualised: list[str] = field(default_factory=list)  # per_year, unreadable period

    def collapse(self, level: Level = "layer") -> pd.DataFrame:
        """Totals per (source, target) at a level; amounts low/mid/high, evidence, periods."""
        if level == "company":
            parts = self.edges.assign(weight=1.0, flow_id=self.edges["id"])
        else:
            split = self.splits[self.splits["level"] == level]
            parts = split.merge(
                self.edges.drop(columns=["source", "target"]), left_on="flow_id", right_on="id"
            )
        cols = [
            "source",
            "target",
            *AMOUNTS,
            "known",
            "n_unresolved",
            "n_flows",
            "flow_ids",
            "kinds",
            "periods",
            "confidence",
            "evidence",
        ]
        if parts.empty:
            return pd.DataFrame(columns=cols)
        weighted = parts.assign(
            **{col: parts[col] * parts["weight"] for col in AMOUNTS},
            known=parts["mid"].fillna(0.0) * parts["weight"],
            missing=parts["mid"].isna().astype(int),
            unresolved_id=parts["flow_id"].where(parts["mid"].isna()),
            confidence_rank=parts["confidence"].map(CONFIDENCE_RANK),
            evidence_rank=parts["evidence"].map(lambda e: Evidence(e).rank),
        )
        joined = lambda values: ";".join(sorted(set(values)))  # noqa: E731
        out = (
            weighted.groupby(["source", "target"], sort=True)
            .agg(
                low=("low", "sum"),
                mid=("mid", "sum"),
                high=("high", "sum"),
                known=("known", "sum"),
                missing=("missing", "sum"),
                n_unresolved=("unresolved_id", "nunique"),
                n_flows=("flow_id", "nunique"),
                flow_ids=("flow_id", joined),
                kinds=("kind", joined),
                periods=("period", joined),
                confidence_rank=("confidence_rank", "max"),
                evidence_rank=("evidence_rank", "max"),
                min_weight=("weight", "min"),
                n_parts=("flow_id", "size"),
            )
            .reset_index()
        )
        for col in AMOUNTS:  # any flow without a number leaves the total unresolved
            out[col] = out[col].where(out["missing"] == 0)
        by_rank = {rank: name for name, rank in CONFIDENCE_RANK.items()}
        out["confidence"] = out["confidence_rank"].map(by_rank)
        # one whole flow passes its status on; a sum or a split is a formula (reported -> derived)
        whole = (out["n_parts"] == 1) & (out["min_weight"] == 1.0)
        out["evidence"] = [
            str(_EVIDENCE_BY_RANK[r] if one else combine([_EVIDENCE_BY_RANK[r]]))
            for r, one in zip(out["evidence_rank"], whole, strict=True)
        ]
        return out[cols]

    def layer_totals(self) -> pd.DataFrame:
        return self.collapse("layer")

    def sankey(self, level: Level = "layer") -> tuple[pd.DataFrame, pd.DataFrame]:
        """(nodes, links) for a Sankey diagram; links index into nodes. Self-loops (money
        staying inside one layer / segment) cannot be drawn and are left out of ``links``."""
        links = self.collapse(level)
        links = links.assign(
            complete=links["mid"].notna(), value=links["mid"].fillna(links["known"])
        )
        links = links[(links["source"] != links["target"]) & (links["value"] > 0)]
        names = sorted(set(links["source"]) | set(links["target"]), key=_stack_key(self, level))
        index = {n: i for i, n in enumerate(names)}
        labels = dict(zip(self.nodes["id"], self.nodes["name"], strict=True))
        nodes = pd.DataFrame(
            {"index": range(len(names)), "id": names, "label": [labels.get(n, n) for n in names]}
        )
        links = links.assign(
            source_index=links["source"].map(index), target_index=links["target"].map(index)
        ).reset_index(drop=True)
        return nodes, links

    def to_dict(self) -> dict[str, Any]:
        return {
            "edges": records(self.edges),
            "layers": records(self.layer_totals()),
            "unmapped": self.unmapped,
            "not_annualised": self.not_annualised,
        }

    def __rich__(self) -> Any:
        return rich_table("Money flows between layers (USD bn)", link_view(self.layer_totals()))


def _stack_key(graph: FlowGraph, level: Level) -> Any:
    order = dict(zip(graph.nodes["id"], graph.nodes["order"], strict=True))
    return lambda n: (order.get(n, 99), n)


def flow_graph(
    atlas: Atlas, *, per_year: bool = False, period: str | None = None, include_debt: bool = False
) -> FlowGraph:
    """Build the money-flow graph from ``atlas.flows``.

    ``period`` keeps only flows whose period label equals it (e.g. "2025");
    ``per_year`` annualises multi-year amounts (see module doc). Debt flows are left out unless
    ``include_debt``: the atlas files borrowing against what it buys, so counting it beside the
    capex it pays for would count the same money twice.
    """
    rows, split_rows, unmapped, not_annualised = [], [], [], []
    for f in atlas.flows:
        if period is not None and f.period != period:
            continue
        if f.kind == FlowKind.DEBT and not include_debt:
            continue
        lo, mid, hi = flow_amounts(f)
        years = period_years(f.period)
        if per_year:
            if years is None and mid is not None:
                not_annualised.append(f.id)
            lo, mid, hi = (None if v is None or years is None else v / years for v in (lo, mid, hi))
        rows.append(
            {
                "id": f.id,
                "source": f.source_node,
                "target": f.target_node,
                "kind": str(f.kind),
                "low": lo,
                "mid": mid,
                "high": hi,
                "period": f.period,
                "years": years,
                "source_id": f.source,
                "confidence": str(f.confidence),
                "evidence": str(Evidence.UNRESOLVED if mid is None else flow_evidence(atlas, f)),
                "note": f.note,
            }
        )
        for level in ("segment", "layer"):
            src = node_split(atlas, f.source_node, level, PAYER_HINT.get(f.kind, frozenset()))
            tgt = node_split(atlas, f.target_node, level, PAYEE_HINT.get(f.kind, frozenset()))
            if not src or not tgt:
                if level == "layer":
                    unmapped.append(f.id)
                continue
            split_rows += [
                {"flow_id": f.id, "level": level, "source": a, "target": b, "weight": wa * wb}
                for a, wa in src.items()
                for b, wb in tgt.items()
            ]
    edges = pd.DataFrame(
        rows,
        columns=[
            "id",
            "source",
            "target",
            "kind",
            *AMOUNTS,
            "period",
            "years",
            "source_id",
            "confidence",
            "evidence",
            "note",
        ],
    )
    for col in AMOUNTS:
        edges[col] = edges[col].astype("float64")
    splits = pd.DataFrame(split_rows, columns=["flow_id", "level", "source", "target", "weight"])
    return FlowGraph(edges, _nodes(atlas, edges), splits, unmapped, not_annualised)


def _nodes(atlas: Atlas, edges: pd.DataFrame) -> pd.DataFrame:
    layer_order = {lid: i for i, lid in enumerate(atlas.layer_ids)}
    seg_order = {
        s: layer_order[lid] + i / 100
        for lid in atlas.layer_ids
        for i, s in enumerate(x.id for x in atlas.layer(lid).segments)
    }
    rows = []
    for lid in atlas.layer_ids:
        rows.append(
            {"id": lid, "name": atlas.layer(lid).name, "type": "layer", "order": layer_order[lid]}
        )
    for sid, seg in atlas.segments.items():
        rows.append({"id": sid, "name": seg.name, "type": "segment", "order": seg_order[sid]})
    for node in sorted(set(edges["source"]) | set(edges["target"])):
        kind = node_type(atlas, node)
        if kind in ("layer", "segment"):
            continue
        split = node_split(atlas, node, "layer")
        top = min(split, key=lambda k: (-split[k], k)) if split else None
        name = (
            atlas.companies[node].name
            if kind == "company"
            else atlas.groups[node].name
            if kind == "group"
            else node
        )
        rows.append(
            {
                "id": node,
                "name": name,
                "type": kind,
                "order": layer_order.get(top, 98) if top else 99,
            }
        )
    return pd.DataFrame(rows, columns=["id", "name", "type", "order"])


def link_view(frame: pd.DataFrame) -> pd.DataFrame:
    """A compact display of aggregated links: from, to, amount, kinds, periods, flows, ev."""
    rows = [
        {
            "from": r["source"],
            "to": r["target"],
            "USD bn": amount_text(r),
            "kinds": str(r.get("kinds", "")).replace(";", ", "),
            "periods": str(r.get("periods", "")).replace(";", ", "),
            "flows": r.get("n_flows", 1),
            "evidence": r["evidence"],
        }
        for r in records(frame)
    ]
    return pd.DataFrame(
        rows, columns=["from", "to", "USD bn", "kinds", "periods", "flows", "evidence"]
    )
