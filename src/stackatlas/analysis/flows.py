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
cloud_commitment      models                     cloud
power_purchase        (all layers)               energy
revenue_share         (all layers)               cloud, models
====================  =========================  =========================

A restriction applies only if the company has memberships in those layers (else all its
weights are used; in a group, members outside the restricted layers are dropped when some member
is inside them — Meta does not receive cloud spend paid to "hyperscalers"). Compute bought from a
cloud is counted against the buyer's models business: it is what trains and serves the models,
whichever product then sells them. A flow of ``X`` from payer ``P`` to payee ``Q`` contributes
``X * p_a * q_b`` to layer ``a`` -> layer ``b`` (``p``, ``q`` the normalised splits). A segment
node sits in its layer; a group node expands to its members with equal weight (the mean of their
splits); a company without memberships borrows its ``parent``'s. Nodes that cannot be placed are
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

import numpy as np
import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Flow, FlowKind, SourceKind
from stackatlas.evidence import Evidence, combine

Level = Literal["company", "segment", "layer"]
AMOUNTS = ("low", "mid", "high")

PAYER_HINT: dict[FlowKind, frozenset[str]] = {
    FlowKind.CAPEX_PURCHASE: frozenset({"cloud"}),
    FlowKind.CLOUD_COMMITMENT: frozenset({"models"}),
}
PAYEE_HINT: dict[FlowKind, frozenset[str]] = {
    FlowKind.CAPEX_PURCHASE: frozenset({"energy", "chips", "cloud"}),
    FlowKind.CLOUD_COMMITMENT: frozenset({"cloud"}),
    FlowKind.POWER_PURCHASE: frozenset({"energy"}),
    FlowKind.REVENUE_SHARE: frozenset({"cloud", "models"}),
}
COST_KINDS = frozenset({FlowKind.CAPEX_PURCHASE, FlowKind.CLOUD_COMMITMENT,
                        FlowKind.REVENUE_SHARE, FlowKind.POWER_PURCHASE, FlowKind.SERVICES})
"""Outflows that are operating or capital spending (equity and debt are financing, not cost)."""

CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}


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
    if node in atlas.companies:
        return "company"
    if node in atlas.groups:
        return "group"
    if node in atlas.layer_of_segment:
        return "segment"
    if node in atlas.layer_ids:
        return "layer"
    return "unknown"


def node_split(atlas: Atlas, node: str, level: Level = "layer",
               restrict: frozenset[str] = frozenset()) -> dict[str, float]:
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
    return {atlas.layer_of_segment[m.segment] for m in atlas.memberships_of(company)
            if m.weight > 0 and m.segment in atlas.layer_of_segment}


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
                self.edges.drop(columns=["source", "target"]), left_on="flow_id", right_on="id")
        rows = []
        for (src, tgt), grp in parts.groupby(["source", "target"], sort=True):
            row: dict[str, Any] = {"source": src, "target": tgt}
            for col in AMOUNTS:
                vals = grp[col] * grp["weight"]
                row[col] = None if vals.isna().any() else float(vals.sum())
            row["known"] = float((grp["mid"] * grp["weight"]).sum())
            row["n_unresolved"] = int(grp.loc[grp["mid"].isna(), "flow_id"].nunique())
            row["n_flows"] = int(grp["flow_id"].nunique())
            row["flow_ids"] = ";".join(sorted(set(grp["flow_id"])))
            row["kinds"] = ";".join(sorted(set(grp["kind"])))
            row["periods"] = ";".join(sorted(set(grp["period"])))
            row["confidence"] = max(grp["confidence"], key=CONFIDENCE_RANK.__getitem__)
            row["evidence"] = str(combine(grp["evidence"]))
            rows.append(row)
        cols = ["source", "target", *AMOUNTS, "known", "n_unresolved", "n_flows", "flow_ids",
                "kinds", "periods", "confidence", "evidence"]
        return pd.DataFrame(rows, columns=cols)

    def layer_totals(self) -> pd.DataFrame:
        return self.collapse("layer")

    def sankey(self, level: Level = "layer") -> tuple[pd.DataFrame, pd.DataFrame]:
        """(nodes, links) for a Sankey diagram; links index into nodes. Self-loops (money
        staying inside one layer / segment) cannot be drawn and are left out of ``links``."""
        links = self.collapse(level)
        links = links.assign(complete=links["mid"].notna(),
                             value=links["mid"].fillna(links["known"]))
        links = links[(links["source"] != links["target"]) & (links["value"] > 0)]
        names = sorted(set(links["source"]) | set(links["target"]), key=_stack_key(self, level))
        index = {n: i for i, n in enumerate(names)}
        labels = dict(zip(self.nodes["id"], self.nodes["name"], strict=True))
        nodes = pd.DataFrame({"index": range(len(names)), "id": names,
                              "label": [labels.get(n, n) for n in names]})
        links = links.assign(source_index=links["source"].map(index),
                             target_index=links["target"].map(index)).reset_index(drop=True)
        return nodes, links

    def to_dict(self) -> dict[str, Any]:
        return {"edges": _records(self.edges), "layers": _records(self.layer_totals()),
                "unmapped": self.unmapped, "not_annualised": self.not_annualised}

    def __rich__(self) -> Any:
        return _table("Money flows between layers (USD bn)", link_view(self.layer_totals()))


def _stack_key(graph: FlowGraph, level: Level) -> Any:
    order = dict(zip(graph.nodes["id"], graph.nodes["order"], strict=True))
    return lambda n: (order.get(n, 99), n)


def flow_graph(atlas: Atlas, *, per_year: bool = False, period: str | None = None,
               include_debt: bool = False) -> FlowGraph:
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
            lo, mid, hi = (None if v is None or years is None else v / years
                           for v in (lo, mid, hi))
        rows.append({"id": f.id, "source": f.source_node, "target": f.target_node,
                     "kind": str(f.kind), "low": lo, "mid": mid, "high": hi,
                     "period": f.period, "years": years, "source_id": f.source,
                     "confidence": str(f.confidence),
                     "evidence": str(Evidence.UNRESOLVED if mid is None
                                     else flow_evidence(atlas, f)),
                     "note": f.note})
        for level in ("segment", "layer"):
            src = node_split(atlas, f.source_node, level, PAYER_HINT.get(f.kind, frozenset()))
            tgt = node_split(atlas, f.target_node, level, PAYEE_HINT.get(f.kind, frozenset()))
            if not src or not tgt:
                if level == "layer":
                    unmapped.append(f.id)
                continue
            split_rows += [{"flow_id": f.id, "level": level, "source": a, "target": b,
                            "weight": wa * wb} for a, wa in src.items() for b, wb in tgt.items()]
    edges = pd.DataFrame(rows, columns=["id", "source", "target", "kind", *AMOUNTS, "period",
                                        "years", "source_id", "confidence", "evidence", "note"])
    for col in AMOUNTS:
        edges[col] = edges[col].astype("float64")
    splits = pd.DataFrame(split_rows, columns=["flow_id", "level", "source", "target", "weight"])
    return FlowGraph(edges, _nodes(atlas, edges), splits, unmapped, not_annualised)


def _nodes(atlas: Atlas, edges: pd.DataFrame) -> pd.DataFrame:
    layer_order = {lid: i for i, lid in enumerate(atlas.layer_ids)}
    seg_order = {s: layer_order[lid] + i / 100 for lid in atlas.layer_ids
                 for i, s in enumerate(x.id for x in atlas.layer(lid).segments)}
    rows = []
    for lid in atlas.layer_ids:
        rows.append({"id": lid, "name": atlas.layer(lid).name, "type": "layer",
                     "order": layer_order[lid]})
    for sid, seg in atlas.segments.items():
        rows.append({"id": sid, "name": seg.name, "type": "segment", "order": seg_order[sid]})
    for node in sorted(set(edges["source"]) | set(edges["target"])):
        kind = node_type(atlas, node)
        if kind in ("layer", "segment"):
            continue
        split = node_split(atlas, node, "layer")
        top = min(split, key=lambda k: (-split[k], k)) if split else None
        name = (atlas.companies[node].name if kind == "company"
                else atlas.groups[node].name if kind == "group" else node)
        rows.append({"id": node, "name": name, "type": kind,
                     "order": layer_order.get(top, 98) if top else 99})
    return pd.DataFrame(rows, columns=["id", "name", "type", "order"])


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict(orient="records")


def _table(title: str, frame: pd.DataFrame) -> Any:
    from rich.table import Table

    table = Table(title=title)
    cols = [c for c in frame.columns if c not in ("flow_ids", "note")]
    for col in cols:
        table.add_column(col, justify="right" if col in AMOUNTS else "left")
    for rec in _records(frame[cols]):
        table.add_row(*[_fmt(col, rec[col]) for col in cols])
    return table


def amount_text(rec: dict[str, Any]) -> str:
    """"13.0", "450.0 (450.0–525.0)", "≥ 250.0" (partly unknown) or "?" (no amount)."""
    mid, low, high = rec.get("mid"), rec.get("low"), rec.get("high")
    if mid is not None and not pd.isna(mid):
        spread = (low is not None and high is not None and not pd.isna(low)
                  and not pd.isna(high) and (low, high) != (mid, mid))
        return f"{mid:,.1f}" + (f" ({low:,.1f}–{high:,.1f})" if spread else "")
    known = rec.get("known")
    return f"≥ {known:,.1f}" if known else "?"


def link_view(frame: pd.DataFrame) -> pd.DataFrame:
    """A compact display of aggregated links: from, to, amount, kinds, periods, flows, ev."""
    rows = [{"from": r["source"], "to": r["target"], "USD bn": amount_text(r),
             "kinds": str(r.get("kinds", "")).replace(";", ", "),
             "periods": str(r.get("periods", "")).replace(";", ", "),
             "flows": r.get("n_flows", 1), "evidence": r["evidence"]}
            for r in _records(frame)]
    return pd.DataFrame(rows, columns=["from", "to", "USD bn", "kinds", "periods", "flows",
                                       "evidence"])


def _fmt(col: str, value: Any) -> str:
    if value is None:
        return "—"
    if col in ("evidence", "ev"):
        return Evidence(value).symbol
    if isinstance(value, float | np.floating):
        return f"{value:,.3f}" if abs(value) < 1 else f"{value:,.1f}"
    return str(value)


# ---- circular financing --------------------------------------------------------------------
@dataclass
class Cycle:
    """One simple cycle of company-level money flows, starting at its largest payer.

    ``bottleneck``: the smallest edge amount (low / mid / high taken edge-wise) — at most this
    much money can travel the whole loop. An edge whose amount is partly unknown still bounds it
    from below, so the bottleneck is known when the smallest complete edge is no larger than
    every incomplete edge's known part; otherwise it is None (unresolved).

    ``returns`` per node: ``revenue_share`` = bottleneck mid / the node's latest annual revenue
    figure in the atlas (the issue's "share of a node's revenue that returns to it"); and
    ``return_share`` = bottleneck mid / the node's total outflow in the graph (the largest share
    of what it pays out that can come back round this loop; None while any of its outflows has
    no amount). ``pass_through``: the product over edges of edge mid / outflow of its payer — the
    share of a dollar leaving any node of the loop that comes back, if every node spends what it
    receives in proportion to its outflows (the same for every node of the loop).

    Amounts are as stated in the atlas unless ``per_year``; a loop can mix an equity stake built
    over years with a multi-year commitment — ``edges.periods`` shows what is compared.
    """

    nodes: list[str]
    edges: pd.DataFrame
    bottleneck: dict[str, float | None]
    pass_through: float | None
    returns: pd.DataFrame
    evidence: Evidence

    @property
    def path(self) -> str:
        return " → ".join([*self.nodes, self.nodes[0]])

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "nodes": self.nodes, "edges": _records(self.edges),
                "bottleneck": self.bottleneck, "pass_through": self.pass_through,
                "returns": _records(self.returns), "evidence": str(self.evidence)}


@dataclass
class CycleReport:
    cycles: list[Cycle]
    per_year: bool

    def table(self) -> pd.DataFrame:
        rows = []
        for i, c in enumerate(self.cycles, 1):
            top = c.returns.sort_values("return_share", ascending=False).iloc[0]
            rows.append({"cycle": i, "path": c.path, "length": len(c.nodes),
                         **{f"bottleneck_{k}": v for k, v in c.bottleneck.items()},
                         "pass_through": c.pass_through, "max_return_node": top["node"],
                         "max_return_share": top["return_share"], "evidence": str(c.evidence)})
        return pd.DataFrame(rows, columns=["cycle", "path", "length", "bottleneck_low",
                                           "bottleneck_mid", "bottleneck_high", "pass_through",
                                           "max_return_node", "max_return_share", "evidence"])

    def to_dict(self) -> dict[str, Any]:
        return {"per_year": self.per_year, "cycles": [c.to_dict() for c in self.cycles]}

    def __rich__(self) -> Any:
        from rich.console import Group

        unit = "USD bn per year" if self.per_year else "USD bn as stated"
        parts: list[Any] = []
        for i, c in enumerate(self.cycles, 1):
            returns = "; ".join(
                f"{r['node']} {r['revenue_share']:.1%} of {r['revenue_period']} revenue"
                for r in _records(c.returns) if r["revenue_share"] is not None) or "—"
            parts.append(_table(
                f"cycle {i}: {c.path} — bottleneck {amount_text(c.bottleneck)} "
                f"{Evidence(c.evidence).symbol}; returns: {returns}", link_view(c.edges)))
        if not parts:
            parts.append("no circular money flows in the atlas")
        return Group(f"[bold]Circular money flows ({unit})[/]", *parts)


def simple_cycles(adjacency: dict[str, set[str]], max_length: int | None = None
                  ) -> list[list[str]]:
    """All simple directed cycles, each once, rooted at its smallest node (sorted order).

    Johnson's algorithm (1975): for each root in order, search the strongly connected
    component (found with scipy) of the subgraph of nodes not before it, blocking nodes that
    cannot reach the root until a cycle through them is found — time linear in the cycles
    found. With ``max_length`` (most nodes in a cycle) a depth-bounded search is used instead.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    names = sorted(set(adjacency) | {t for ts in adjacency.values() for t in ts})
    index = {n: i for i, n in enumerate(names)}
    succ = [sorted(index[t] for t in adjacency.get(n, ())) for n in names]

    def components(nodes: list[int]) -> dict[int, int]:
        """Strong component label of each of ``nodes`` in the subgraph they induce."""
        local = {v: i for i, v in enumerate(nodes)}
        pairs = [(local[v], local[t]) for v in nodes for t in succ[v] if t in local]
        if not pairs:
            return {v: i for i, v in enumerate(nodes)}
        rows, cols = zip(*pairs, strict=True)
        matrix = csr_matrix((np.ones(len(pairs)), (rows, cols)), shape=(len(nodes),) * 2)
        _, labels = connected_components(matrix, directed=True, connection="strong")
        return {v: int(labels[i]) for i, v in enumerate(nodes)}

    whole = components(list(range(len(names))))
    search = _bounded_search if max_length is not None else _johnson_search
    out: list[list[str]] = []
    for root in range(len(names)):
        nodes = [v for v in range(root, len(names)) if whole[v] == whole[root]]
        label = components(nodes)
        keep = {v for v in nodes if label[v] == label[root]}
        local = {v: [t for t in succ[v] if t in keep] for v in keep}
        if not local[root]:
            continue
        for cycle in search(root, local, max_length or 0):
            out.append([names[v] for v in cycle])
    return out


def _johnson_search(root: int, succ: dict[int, list[int]], _: int) -> list[list[int]]:
    """Elementary circuits through ``root`` (Johnson's CIRCUIT, iterative)."""
    found: list[list[int]] = []
    path, blocked = [root], {root}
    block_map: dict[int, set[int]] = {}
    closed = [False]
    stack = [(root, list(succ[root]))]
    while stack:
        node, todo = stack[-1]
        if todo:
            nxt = todo.pop()
            if nxt == root:
                found.append(list(path))
                closed[-1] = True
            elif nxt not in blocked:
                path.append(nxt)
                closed.append(False)
                stack.append((nxt, list(succ[nxt])))
                blocked.add(nxt)
                continue
        if not todo:
            stack.pop()
            path.pop()
            if closed.pop():
                if closed:
                    closed[-1] = True
                pending = [node]  # unblock node and everything waiting on it
                while pending:
                    v = pending.pop()
                    if v in blocked:
                        blocked.discard(v)
                        pending.extend(block_map.pop(v, ()))
            else:
                for t in succ[node]:
                    block_map.setdefault(t, set()).add(node)
    return found


def _bounded_search(root: int, succ: dict[int, list[int]], max_length: int
                    ) -> list[list[int]]:
    """Cycles through ``root`` with at most ``max_length`` nodes (plain depth-first search)."""
    found: list[list[int]] = []
    path, on_path = [root], {root}
    stack = [iter(succ[root])]
    while stack:
        nxt = next(stack[-1], None)
        if nxt is None:
            stack.pop()
            on_path.discard(path.pop())
        elif nxt == root:
            found.append(list(path))
        elif nxt not in on_path and len(path) < max_length:
            path.append(nxt)
            on_path.add(nxt)
            stack.append(iter(succ[nxt]))
    return found


def find_cycles(atlas: Atlas, *, per_year: bool = False, max_length: int | None = None,
                expand_groups: bool = False, period: str | None = None) -> CycleReport:
    """Circular financing: every loop of company -> company flows (e.g. Microsoft -> OpenAI
    (equity) -> Microsoft (cloud spend)), with amounts and return shares (see ``Cycle``).

    ``per_year`` annualises amounts (flows with unreadable periods then lose their amount).
    ``expand_groups`` replaces group endpoints by their members with an equal split of the
    amount — an allocation assumption, so such edges carry evidence ``scenario``.
    """
    graph = flow_graph(atlas, per_year=per_year, period=period)
    edges = _company_edges(atlas, graph.edges, expand_groups)
    outflow = {src: (None if grp["mid"].isna().any() else float(grp["mid"].sum()))
               for src, grp in edges.groupby("source")}
    pairs = _aggregate_pairs(edges[edges["target"].isin(list(atlas.companies))])
    adjacency: dict[str, set[str]] = {}
    for src, tgt in pairs:
        adjacency.setdefault(src, set()).add(tgt)
    cycles = []
    for nodes in simple_cycles(adjacency, max_length):
        known = edges.groupby("source")["mid"].sum().to_dict()
        start = max(range(len(nodes)), key=lambda i: (known.get(nodes[i], 0), nodes[i]))
        nodes = nodes[start:] + nodes[:start]
        cycles.append(_cycle(atlas, nodes, pairs, outflow))
    cycles.sort(key=lambda c: (-(c.bottleneck["mid"] or 0), c.path))
    return CycleReport(cycles, per_year)


def _company_edges(atlas: Atlas, edges: pd.DataFrame, expand_groups: bool) -> pd.DataFrame:
    rows = []
    for rec in _records(edges):
        ends = []
        for node in (rec["source"], rec["target"]):
            if node in atlas.companies:
                ends.append([node])
            elif expand_groups and node in atlas.groups:
                ends.append([m for m in atlas.groups[node].members if m in atlas.companies])
            else:  # a segment / group payee still counts in the payer's outflow
                ends.append([node] if node == rec["target"] else [])
        share = len(ends[0]) * len(ends[1])
        for s in ends[0]:
            for t in ends[1]:
                if s == t:
                    continue
                row = {**rec, "source": s, "target": t}
                if share > 1:
                    row.update({k: None if rec[k] is None else rec[k] / share for k in AMOUNTS})
                    row["evidence"] = str(combine([rec["evidence"], Evidence.SCENARIO]))
                rows.append(row)
    frame = pd.DataFrame(rows, columns=list(edges.columns))
    for col in AMOUNTS:
        frame[col] = frame[col].astype("float64")
    return frame


def _aggregate_pairs(edges: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for (src, tgt), grp in edges.groupby(["source", "target"], sort=True):
        pairs[(src, tgt)] = {
            "source": src, "target": tgt,
            **{k: None if grp[k].isna().any() else float(grp[k].sum()) for k in AMOUNTS},
            "known": float(grp["mid"].sum()),
            "known_low": float(grp["low"].sum()),
            "n_flows": int(grp["id"].nunique()),
            "n_unresolved": int(grp["mid"].isna().sum()),
            "kinds": ";".join(sorted(set(grp["kind"]))),
            "flow_ids": ";".join(sorted(set(grp["id"]))),
            "periods": ";".join(sorted(set(grp["period"]))),
            "evidence": str(combine(grp["evidence"]))}
    return pairs


def _cycle(atlas: Atlas, nodes: list[str], pairs: dict[tuple[str, str], dict[str, Any]],
           outflow: dict[str, float]) -> Cycle:
    hops = [pairs[(a, nodes[(i + 1) % len(nodes)])] for i, a in enumerate(nodes)]
    edges = pd.DataFrame(hops)
    bottleneck = {k: _bounded_min(hops, k) for k in AMOUNTS}
    mid = bottleneck["mid"]
    # an edge known only from below still supports a resolved bottleneck (as an estimate)
    evidence = Evidence.UNRESOLVED if mid is None else combine(
        Evidence.ESTIMATED if h["evidence"] == Evidence.UNRESOLVED else h["evidence"]
        for h in hops)
    pass_through: float | None = None
    if all(h["mid"] is not None and outflow.get(h["source"]) for h in hops):
        pass_through = float(np.prod([h["mid"] / outflow[h["source"]] for h in hops]))
    rows = []
    for node in nodes:
        out = outflow.get(node)
        revenue = company_revenue(atlas, node)
        rows.append({"node": node, "outflow": out,
                     "return_share": None if mid is None or not out else mid / out,
                     "revenue": revenue[0] if revenue else None,
                     "revenue_period": revenue[1] if revenue else None,
                     "revenue_figure": revenue[2] if revenue else None,
                     "revenue_share": mid / revenue[0] if revenue and mid is not None else None})
    return Cycle(nodes, edges, bottleneck, pass_through, pd.DataFrame(rows), evidence)


def _bounded_min(hops: list[dict[str, Any]], key: str) -> float | None:
    """Minimum over edges where incomplete edges are only known from below (see ``Cycle``)."""
    complete = [h[key] for h in hops if h[key] is not None]
    if not complete:
        return None
    smallest = min(complete)
    floors = [h["known_low"] for h in hops if h[key] is None]
    return smallest if all(f >= smallest for f in floors) else None


REVENUE_METRICS = ("revenue", "annualized_revenue")
"""Preferred first; ARR stands in for private labs that report nothing else."""


def company_revenue(atlas: Atlas, company: str) -> tuple[float, str, str] | None:
    """(USD bn, period, figure id) of the latest full-year actual revenue figure, if any."""
    scale = {"usd_billion": 1.0, "usd_million": 1e-3, "usd": 1e-9}
    for metric in REVENUE_METRICS:
        found = [f for f in atlas.figures
                 if f.subject_type == "company" and f.subject == company and f.metric == metric
                 and f.unit in scale and f.kind == "actual" and period_years(f.period) == 1]
        if found:
            best = max(found, key=lambda f: (re.sub(r"\D", "", f.period)[:4], f.period))
            return best.value * scale[best.unit], best.period, best.id
    return None


# ---- where the burned money goes ------------------------------------------------------------
@dataclass
class BurnDestinations:
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

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "per_year": self.per_year, "by_layer": _records(self.by_layer),
                "detail": _records(self.detail), "excluded": _records(self.excluded),
                "downstream": _records(self.downstream)}

    def __rich__(self) -> Any:
        view = pd.DataFrame([{"layer": r["layer"], "USD bn": amount_text(r),
                              "share": "—" if r["share"] is None else f"{r['share']:.0%}",
                              "share of known": "—" if r["share_of_known"] is None
                              else f"{r['share_of_known']:.0%}",
                              "flows": r["n_flows"], "unknown": r["n_unresolved"],
                              "periods": r["periods"].replace(";", ", "),
                              "evidence": r["evidence"]} for r in _records(self.by_layer)])
        from rich.console import Group

        parts: list[Any] = [_table(f"Where {self.lab}'s spending goes, by layer (USD bn)", view)]
        if not self.downstream.empty:
            chain = pd.DataFrame([{"hop": r["hop"], "from": r["source"], "to": r["target"],
                                   "layer": r["layer"] or "?", "kind": r["kind"],
                                   "USD bn": amount_text(r), "period": r["period"],
                                   "evidence": r["evidence"]}
                                  for r in _records(self.downstream)])
            parts.append(_table("…and on down the stack (the payees' own spending; a group "
                                "row is the members' combined spending)", chain))
        return Group(*parts)


def burn_destinations(atlas: Atlas, lab: str = "openai", *, per_year: bool = False,
                      period: str | None = None) -> BurnDestinations:
    """Split a model lab's cash costs (its outgoing cost flows: cloud commitments, revenue
    share, purchases, power, services) by destination layer, using the payee splits of the
    module doc. Equity and debt outflows are financing, listed in ``excluded``."""
    company = atlas.find_company(lab).id
    graph = flow_graph(atlas, per_year=per_year, period=period, include_debt=True)
    out = graph.edges[graph.edges["source"] == company]
    is_cost = out["kind"].isin([str(k) for k in COST_KINDS])
    rows = []
    for rec in _records(out[is_cost]):
        split = node_split(atlas, rec["target"], "layer",
                           PAYEE_HINT.get(FlowKind(rec["kind"]), frozenset()))
        for layer, weight in (split or {None: 1.0}).items():
            rows.append({"flow_id": rec["id"], "target": rec["target"], "kind": rec["kind"],
                         "layer": layer, "weight": weight,
                         **{k: None if rec[k] is None else rec[k] * weight for k in AMOUNTS},
                         "period": rec["period"], "evidence": rec["evidence"]})
    detail = pd.DataFrame(rows, columns=["flow_id", "target", "kind", "layer", "weight",
                                         *AMOUNTS, "period", "evidence"])
    order = {lid: i for i, lid in enumerate(atlas.layer_ids)}
    layer_rows = []
    placed = detail[detail["layer"].notna()]
    total_mid = None if placed["mid"].isna().any() else placed["mid"].sum()
    total_known = placed["mid"].sum()
    for layer, grp in sorted(placed.groupby("layer"), key=lambda kv: order.get(kv[0], 99)):
        sums = {k: None if grp[k].isna().any() else float(grp[k].sum()) for k in AMOUNTS}
        known = float(grp["mid"].sum())
        layer_rows.append({"layer": layer, **sums,
                           "share": (sums["mid"] / total_mid
                                     if total_mid and sums["mid"] is not None else None),
                           "known": known,
                           "share_of_known": known / total_known if total_known else None,
                           "n_unresolved": int(grp.loc[grp["mid"].isna(), "flow_id"].nunique()),
                           "n_flows": int(grp["flow_id"].nunique()),
                           "flow_ids": ";".join(sorted(set(grp["flow_id"]))),
                           "periods": ";".join(sorted(set(grp["period"]))),
                           "evidence": str(combine(grp["evidence"]))})
    by_layer = pd.DataFrame(layer_rows, columns=["layer", *AMOUNTS, "share", "known",
                                                 "share_of_known", "n_unresolved", "n_flows",
                                                 "flow_ids", "periods", "evidence"])
    excluded = out[~is_cost].reset_index(drop=True)
    chain = _downstream_chain(atlas, graph, company)
    return BurnDestinations(company, by_layer, detail, excluded, per_year, chain)


def _downstream_chain(atlas: Atlas, graph: FlowGraph, start: str, max_hops: int = 4
                      ) -> pd.DataFrame:
    """Cost flows reached from ``start`` hop by hop: its payees' spending, theirs, and so on.

    A payee's spending includes flows paid by a group it belongs to (``via``), and a group
    payee's includes its members'. Each flow is listed once, at its first hop.
    """
    costs = graph.edges[graph.edges["kind"].isin([str(k) for k in COST_KINDS])]
    by_source: dict[str, list[dict[str, Any]]] = {}
    for rec in _records(costs):
        by_source.setdefault(rec["source"], []).append(rec)
    member_of = {m: [g for g, grp in atlas.groups.items() if m in grp.members]
                 for g0 in atlas.groups.values() for m in g0.members}
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
                    split = node_split(atlas, rec["target"], "layer",
                                       PAYEE_HINT.get(FlowKind(rec["kind"]), frozenset()))
                    top = min(split, key=lambda k: (-split[k], k)) if split else None
                    rows.append({"hop": hop, "via": payer if payer != node else None,
                                 **{k: rec[k] for k in ("source", "target", "kind", *AMOUNTS,
                                                        "period", "evidence")},
                                 "known": rec["mid"] or 0.0, "layer": top, "flow_id": rec["id"]})
                    if rec["target"] not in seen_nodes:
                        seen_nodes.add(rec["target"])
                        following.append(rec["target"])
        frontier = following
    return pd.DataFrame(rows, columns=["hop", "via", "source", "target", "kind", *AMOUNTS,
                                       "known", "period", "evidence", "layer", "flow_id"])
