"""Circular financing: simple cycles in the company-level money-flow graph.

Microsoft invests in OpenAI, OpenAI buys Azure, Azure buys Nvidia chips ... every loop of
company -> company flows, with its bottleneck amount and what share of each member's revenue
(or outflow) can come back round it. Definitions in ``Cycle``; the graph in ``flows``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from stackatlas.analysis.flows import flow_graph, link_view, period_years
from stackatlas.atlas.atlas import Atlas
from stackatlas.display import AMOUNTS, amount_text, records, rich_table
from stackatlas.evidence import Evidence, combine


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
        return {
            "path": self.path,
            "nodes": self.nodes,
            "edges": records(self.edges),
            "bottleneck": self.bottleneck,
            "pass_through": self.pass_through,
            "returns": records(self.returns),
            "evidence": str(self.evidence),
        }


@dataclass
class CycleReport:
    """Every loop found, largest bottleneck first."""

    cycles: list[Cycle]
    per_year: bool

    def table(self) -> pd.DataFrame:
        """One row per cycle, with the node that gets back the largest share of its revenue
        and of its outflow (None where unknown)."""
        rows = []
        for i, c in enumerate(self.cycles, 1):
            row = {
                "cycle": i,
                "path": c.path,
                "length": len(c.nodes),
                **{f"bottleneck_{k}": v for k, v in c.bottleneck.items()},
                "pass_through": c.pass_through,
            }
            for col, label in (("revenue_share", "revenue"), ("return_share", "return")):
                known = c.returns.dropna(subset=[col])
                top = known.sort_values(col, ascending=False).iloc[0] if len(known) else None
                row[f"max_{label}_node"] = None if top is None else top["node"]
                row[f"max_{label}_share"] = None if top is None else float(top[col])
            rows.append({**row, "evidence": str(c.evidence)})
        return pd.DataFrame(
            rows,
            columns=[
                "cycle",
                "path",
                "length",
                "bottleneck_low",
                "bottleneck_mid",
                "bottleneck_high",
                "pass_through",
                "max_revenue_node",
                "max_revenue_share",
                "max_return_node",
                "max_return_share",
                "evidence",
            ],
        )

    def to_dict(self) -> dict[str, Any]:
        return {"per_year": self.per_year, "cycles": [c.to_dict() for c in self.cycles]}

    def __rich__(self) -> Any:
        from rich.console import Group

        unit = "USD bn per year" if self.per_year else "USD bn as stated"
        parts: list[Any] = []
        for i, c in enumerate(self.cycles, 1):
            returns = (
                "; ".join(
                    f"{r['node']} {r['revenue_share']:.1%} of {r['revenue_period']} revenue"
                    for r in records(c.returns)
                    if r["revenue_share"] is not None
                )
                or "—"
            )
            parts.append(
                rich_table(
                    f"cycle {i}: {c.path} — bottleneck {amount_text(c.bottleneck)} "
                    f"{Evidence(c.evidence).symbol}; returns: {returns}",
                    link_view(c.edges),
                )
            )
        if not parts:
            parts.append("no circular money flows in the atlas")
        return Group(f"[bold]Circular money flows ({unit})[/]", *parts)


def simple_cycles(adjacency: dict[str, set[str]], max_length: int | None = None) -> list[list[str]]:
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
        if len(nodes) == 1 and root not in succ[root]:
            continue  # on no cycle through nodes not before it
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


def _bounded_search(root: int, succ: dict[int, list[int]], max_length: int) -> list[list[int]]:
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


def find_cycles(
    atlas: Atlas,
    *,
    per_year: bool = False,
    max_length: int | None = None,
    expand_groups: bool = False,
    period: str | None = None,
) -> CycleReport:
    """Circular financing: every loop of company -> company flows (e.g. Microsoft -> OpenAI
    (equity) -> Microsoft (cloud spend)), with amounts and return shares (see ``Cycle``).

    ``per_year`` annualises amounts (flows with unreadable periods then lose their amount).
    ``expand_groups`` replaces group endpoints by their members with an equal split of the
    amount — an allocation assumption, so such edges carry evidence ``scenario``.
    """
    graph = flow_graph(atlas, per_year=per_year, period=period)
    edges = _company_edges(atlas, graph.edges, expand_groups)
    outflow = {
        src: (None if grp["mid"].isna().any() else float(grp["mid"].sum()))
        for src, grp in edges.groupby("source")
    }
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
    for rec in records(edges):
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
            "source": src,
            "target": tgt,
            **{k: None if grp[k].isna().any() else float(grp[k].sum()) for k in AMOUNTS},
            "known": float(grp["mid"].sum()),
            "known_low": float(grp["low"].sum()),
            "n_flows": int(grp["id"].nunique()),
            "n_unresolved": int(grp["mid"].isna().sum()),
            "kinds": ";".join(sorted(set(grp["kind"]))),
            "flow_ids": ";".join(sorted(set(grp["id"]))),
            "periods": ";".join(sorted(set(grp["period"]))),
            "evidence": str(
                grp["evidence"].iloc[0]
                if len(grp) == 1
                # one whole flow
                else combine(grp["evidence"])
            ),
        }
    return pairs


def _cycle(
    atlas: Atlas,
    nodes: list[str],
    pairs: dict[tuple[str, str], dict[str, Any]],
    outflow: dict[str, float],
) -> Cycle:
    hops = [pairs[(a, nodes[(i + 1) % len(nodes)])] for i, a in enumerate(nodes)]
    edges = pd.DataFrame(hops)
    bottleneck = {k: _bounded_min(hops, k) for k in AMOUNTS}
    mid = bottleneck["mid"]
    # an edge known only from below still supports a resolved bottleneck (as an estimate)
    evidence = (
        Evidence.UNRESOLVED
        if mid is None
        else combine(
            Evidence.ESTIMATED if h["evidence"] == Evidence.UNRESOLVED else h["evidence"]
            for h in hops
        )
    )
    pass_through: float | None = None
    if all(h["mid"] is not None and outflow.get(h["source"]) for h in hops):
        pass_through = float(np.prod([h["mid"] / outflow[h["source"]] for h in hops]))
    rows = []
    for node in nodes:
        out = outflow.get(node)
        revenue = company_revenue(atlas, node)
        rows.append(
            {
                "node": node,
                "outflow": out,
                "return_share": None if mid is None or not out else mid / out,
                "revenue": revenue[0] if revenue else None,
                "revenue_period": revenue[1] if revenue else None,
                "revenue_figure": revenue[2] if revenue else None,
                "revenue_share": mid / revenue[0] if revenue and mid is not None else None,
            }
        )
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
        found = [
            f
            for f in atlas.figures
            if f.subject_type == "company"
            and f.subject == company
            and f.metric == metric
            and f.unit in scale
            and f.kind == "actual"
            and period_years(f.period) == 1
        ]
        if found:
            best = max(found, key=lambda f: (re.sub(r"\D", "", f.period)[:4], f.period))
            return best.value * scale[best.unit], best.period, best.id
    return None
