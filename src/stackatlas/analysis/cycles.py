"""Circular financing: simple cycles in the company-level money-flow graph.

Microsoft invests in OpenAI, OpenAI buys Azure, Azure buys Nvidia chips ... every loop of
company -> company flows. A loop exists whatever the periods of its flows; its *amounts* are
compared only like for like: the bottleneck and the return shares of a loop are computed for
one year, from the annual amounts of that year (and, with ``per_year``, multi-year amounts
annualised over a stated term). A loop some of whose hops have only multi-year amounts (a
2019-2026 equity stake, a commitment with no stated term) has no bottleneck and says why; a
stake built over eight years is never divided by one year's revenue. Revenue is revenue
(``revenue.revenue_for_year``), never an ARR run-rate. Definitions in ``Cycle``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from stackatlas.analysis.flows import FlowGraph, flow_graph
from stackatlas.analysis.revenue import revenue_for_year
from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.flow_periods import period_span, year_key
from stackatlas.display import AMOUNTS, amount_text, records, rich_table
from stackatlas.evidence import Evidence, combine
from stackatlas.notebook import Tabular


@dataclass
class Cycle:
    """One simple cycle of company-level money flows, starting at its largest payer.

    ``year``: the year whose amounts are compared (given, or the latest year in which every hop
    has a disclosed amount, preferring years without projections); None when there is none
    (``basis`` says why). ``edges``: one row per hop with that year's amount (``low`` / ``mid``
    / ``high`` / ``known``) and ``stated``: every flow of the hop as the source states it.

    ``bottleneck``: the smallest hop amount in ``year`` — at most this much money can travel
    the whole loop. A hop whose amount is partly undisclosed still bounds it from below, so the
    bottleneck is known when the smallest complete hop is no larger than every incomplete
    hop's known part; otherwise it is None (unresolved).

    ``returns`` per node: ``revenue_share`` = bottleneck / the node's revenue in the same year
    (reported or estimated, never ARR; ``revenue_basis`` says which), and ``return_share`` =
    bottleneck / the node's total outflow in that year (None while any of its outflows has no
    amount). ``pass_through``: the product over hops of hop / payer outflow — the share of a
    dollar leaving any node of the loop that comes back, if every node spends what it receives
    in proportion to its outflows.
    """

    nodes: list[str]
    edges: pd.DataFrame
    year: str | None
    bottleneck: dict[str, float | None]
    pass_through: float | None
    returns: pd.DataFrame
    evidence: Evidence
    basis: str

    @property
    def path(self) -> str:
        return " → ".join([*self.nodes, self.nodes[0]])

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "nodes": self.nodes,
            "year": self.year,
            "basis": self.basis,
            "edges": records(self.edges),
            "bottleneck": self.bottleneck,
            "pass_through": self.pass_through,
            "returns": records(self.returns),
            "evidence": str(self.evidence),
        }

    def headline(self) -> str:
        """One line: path, bottleneck (or why there is none) and returns."""
        if self.year is None:
            return f"{self.path} — no like-period amounts: {self.basis}"
        returns = "; ".join(
            f"{r['node']} {r['revenue_share']:.1%} of {r['revenue_period']} revenue "
            f"({r['revenue_basis']})"
            for r in records(self.returns)
            if r["revenue_share"] is not None
        )
        bottleneck = amount_text(self.bottleneck)
        return (
            f"{self.path} — {self.year}: bottleneck {bottleneck} "
            f"{Evidence(self.evidence).symbol}; returns: {returns or '—'}"
        )


@dataclass
class CycleReport(Tabular):
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
                "year": c.year,
                **{f"bottleneck_{k}": v for k, v in c.bottleneck.items()},
                "pass_through": c.pass_through,
            }
            for col, label in (("revenue_share", "revenue"), ("return_share", "return")):
                known = c.returns.dropna(subset=[col])
                top = known.sort_values(col, ascending=False).iloc[0] if len(known) else None
                row[f"max_{label}_node"] = None if top is None else top["node"]
                row[f"max_{label}_share"] = None if top is None else float(top[col])
            rows.append({**row, "evidence": str(c.evidence), "basis": c.basis})
        return pd.DataFrame(
            rows,
            columns=[
                "cycle",
                "path",
                "length",
                "year",
                "bottleneck_low",
                "bottleneck_mid",
                "bottleneck_high",
                "pass_through",
                "max_revenue_node",
                "max_revenue_share",
                "max_return_node",
                "max_return_share",
                "evidence",
                "basis",
            ],
        )

    def to_dict(self) -> dict[str, Any]:
        return {"per_year": self.per_year, "cycles": [c.to_dict() for c in self.cycles]}

    def __rich__(self) -> Any:
        from rich.console import Group

        unit = (
            "USD bn per year; multi-year amounts annualised over a stated term"
            if self.per_year
            else "USD bn per year; annual flows only"
        )
        parts: list[Any] = []
        for i, c in enumerate(self.cycles, 1):
            view = pd.DataFrame(
                [
                    {
                        "from": h["source"],
                        "to": h["target"],
                        f"USD bn {c.year}" if c.year else "USD bn": (
                            amount_text(h) if c.year else "no common year"
                        ),
                        "evidence": h["evidence"],
                        "as stated (every flow of the hop)": h["stated"].replace(";", "\n"),
                    }
                    for h in records(c.edges)
                ]
            )
            parts.append(rich_table(f"cycle {i}: {c.headline()}", view))
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
    (equity) -> Microsoft (cloud spend)), with like-period amounts (see ``Cycle``).

    ``period`` fixes the year whose amounts are compared (e.g. "2025"); ``per_year`` lets
    multi-year flows with a stated term count in each year of it (amount / years, derived).
    ``expand_groups`` replaces group endpoints by their members with an equal split of the
    amount — an allocation assumption, so such edges carry evidence ``scenario``.
    """
    graph = flow_graph(atlas, per_year=per_year)
    stated = _company_rows(atlas, graph.edges, expand_groups)
    yearly = _company_rows(atlas, _slices_with_ends(graph), expand_groups)
    adjacency: dict[str, set[str]] = {}
    for src, tgt in zip(stated["source"], stated["target"], strict=True):
        if tgt in atlas.companies:
            adjacency.setdefault(src, set()).add(tgt)
    year = None if period is None else year_key(period)
    size = stated.groupby("source")["mid"].sum().to_dict()
    pairs = _Pairs(stated, yearly)
    cycles = []
    for nodes in simple_cycles(adjacency, max_length):
        start = max(range(len(nodes)), key=lambda i: (size.get(nodes[i], 0), nodes[i]))
        nodes = nodes[start:] + nodes[:start]
        cycles.append(_cycle(atlas, nodes, pairs, yearly, year, per_year))
    cycles.sort(key=lambda c: (-(c.bottleneck["mid"] or 0), c.year is None, c.path))
    return CycleReport(cycles, per_year)


class _Pairs:
    """The company rows of every (payer, payee) pair, split once (stated and yearly), and the
    "as stated" text of each pair."""

    def __init__(self, stated: pd.DataFrame, yearly: pd.DataFrame) -> None:
        self._stated = {k: g for k, g in stated.groupby(["source", "target"], sort=False)}
        self._yearly = {k: g for k, g in yearly.groupby(["source", "target"], sort=False)}
        self._empty_stated, self._empty_yearly = stated.iloc[0:0], yearly.iloc[0:0]
        self._texts: dict[tuple[str, str], str] = {}

    def stated(self, a: str, b: str) -> pd.DataFrame:
        return self._stated.get((a, b), self._empty_stated)

    def yearly(self, a: str, b: str) -> pd.DataFrame:
        return self._yearly.get((a, b), self._empty_yearly)

    def text(self, a: str, b: str) -> str:
        if (a, b) not in self._texts:
            self._texts[(a, b)] = _stated_text(self.stated(a, b))
        return self._texts[(a, b)]


def _slices_with_ends(graph: FlowGraph) -> pd.DataFrame:
    ends = graph.edges[["id", "source", "target", "kind", "period", "horizon"]]
    frame = graph.slices.merge(ends, left_on="flow_id", right_on="id")
    return frame.drop(columns=["flow_id"])


def _company_rows(atlas: Atlas, frame: pd.DataFrame, expand_groups: bool) -> pd.DataFrame:
    """Rows whose payer is a company (or, expanded, a group's members, amounts split equally);
    a group or segment payee is kept (it counts in the payer's outflow)."""
    rows = []
    for rec in records(frame):
        ends = []
        for node in (rec["source"], rec["target"]):
            if node in atlas.companies:
                ends.append([node])
            elif expand_groups and node in atlas.groups:
                ends.append([m for m in atlas.groups[node].members if m in atlas.companies])
            else:
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
    out = pd.DataFrame(rows, columns=list(frame.columns))
    for col in AMOUNTS:
        out[col] = out[col].astype("float64")
    return out


def _hop_amount(rows: pd.DataFrame) -> dict[str, Any]:
    """Sum of a hop's rows for one year; unresolved (None) if any row has no amount."""
    if rows.empty:
        return {k: None for k in AMOUNTS} | {
            "known": 0.0,
            "known_low": 0.0,
            "n_unresolved": 0,
            "evidence": str(Evidence.UNRESOLVED),
        }
    missing = rows["mid"].isna()
    evidence = (
        rows["evidence"].iloc[0]
        if len(rows) == 1
        else str(combine(Evidence(e) for e in rows["evidence"]))
    )
    return {k: None if missing.any() else float(rows[k].sum()) for k in AMOUNTS} | {
        "known": float(rows["mid"].sum()),
        "known_low": float(rows["low"].sum()),
        "n_unresolved": int(missing.sum()),
        "evidence": evidence,
    }


def _stated_text(rows: pd.DataFrame) -> str:
    return ";".join(
        f"{r['kind']} {r['period']}: {amount_text(r)}"
        for r in records(rows.sort_values(["horizon", "period", "kind"]))
    )


def _pick_year(hops: list[pd.DataFrame]) -> str | None:
    """The latest year in which every hop has a disclosed amount; years whose amounts are not
    projections first."""

    def years(rows: pd.DataFrame, actual_only: bool) -> set[str]:
        rows = rows[rows["mid"].notna() & (rows["mid"] > 0)]
        if actual_only:
            rows = rows[~rows["projection"]]
        return set(rows["year"])

    for actual_only in (True, False):
        common = set.intersection(*(years(h, actual_only) for h in hops)) if hops else set()
        if common:
            return max(common, key=lambda y: (int(y), y) if y.isdigit() else (0, y))
    return None


def _cycle(
    atlas: Atlas,
    nodes: list[str],
    by_pair: _Pairs,
    yearly: pd.DataFrame,
    year: str | None,
    per_year: bool,
) -> Cycle:
    pairs = [(a, nodes[(i + 1) % len(nodes)]) for i, a in enumerate(nodes)]
    hop_years = [by_pair.yearly(a, b) for a, b in pairs]
    year = year if year is not None else _pick_year(hop_years)
    hops = []
    for (a, b), in_years in zip(pairs, hop_years, strict=True):
        all_rows = by_pair.stated(a, b)
        in_year = in_years[in_years["year"] == year] if year is not None else in_years.iloc[0:0]
        amount = _hop_amount(in_year)
        if year is not None:  # an undisclosed multi-year flow that may run in ``year``
            covers = np.array([_may_cover(p, year) for p in all_rows["period"]], dtype=bool)
            open_ended = all_rows[
                (all_rows["horizon"] == "multi_year") & all_rows["mid"].isna() & covers
            ]
            open_ended = open_ended[~open_ended["id"].isin(in_year["id"])]
            if len(open_ended):
                partial = combine([amount["evidence"], Evidence.ESTIMATED])
                amount |= {k: None for k in AMOUNTS}
                amount["n_unresolved"] += len(open_ended)
                amount["evidence"] = str(partial if amount["known"] else Evidence.UNRESOLVED)
        if not amount["known"]:
            amount["known"] = None  # nothing disclosed: no lower bound of 0
        hops.append(
            {
                "source": a,
                "target": b,
                "year": year,
                **amount,
                "n_flows": int(all_rows["id"].nunique()),
                "flow_ids": ";".join(sorted(set(all_rows["id"]))),
                "kinds": ";".join(sorted(set(all_rows["kind"]))),
                "periods": ";".join(sorted(set(all_rows["period"]))),
                "stated": by_pair.text(a, b),
            }
        )
    edges = pd.DataFrame(hops)
    if year is None:
        basis = _no_year_reason(hops, by_pair, per_year)
        none: dict[str, float | None] = {k: None for k in AMOUNTS}
        returns = pd.DataFrame([_return_row(atlas, n, None, None, None) for n in nodes])
        return Cycle(nodes, edges, None, none, None, returns, Evidence.UNRESOLVED, basis)
    bottleneck = {k: _bounded_min(hops, k) for k in AMOUNTS}
    mid = bottleneck["mid"]
    # a hop known only from below still supports a resolved bottleneck (as an estimate)
    evidence = (
        Evidence.UNRESOLVED
        if mid is None
        else combine(
            Evidence.ESTIMATED if h["evidence"] == Evidence.UNRESOLVED else h["evidence"]
            for h in hops
        )
    )
    in_year = yearly[yearly["year"] == year]
    outflow = {
        src: (None if grp["mid"].isna().any() else float(grp["mid"].sum()))
        for src, grp in in_year.groupby("source")
    }
    pass_through: float | None = None
    if all(h["mid"] is not None and outflow.get(h["source"]) for h in hops):
        pass_through = float(np.prod([h["mid"] / outflow[h["source"]] for h in hops]))
    returns = pd.DataFrame([_return_row(atlas, n, year, mid, outflow.get(n)) for n in nodes])
    annualised = per_year and bool(in_year["annualised"].any())
    basis = f"annual amounts of {year}" + (
        " (multi-year amounts annualised over their stated term)" if annualised else ""
    )
    return Cycle(nodes, edges, year, bottleneck, pass_through, returns, evidence, basis)


def _return_row(
    atlas: Atlas, node: str, year: str | None, mid: float | None, out: float | None
) -> dict[str, Any]:
    revenue = revenue_for_year(atlas, node, int(year)) if year and year.isdigit() else None
    return {
        "node": node,
        "outflow": out,
        "return_share": None if mid is None or not out else mid / out,
        "revenue": revenue.value if revenue else None,
        "revenue_period": revenue.period if revenue else None,
        "revenue_basis": revenue.basis if revenue else None,
        "revenue_source": revenue.source if revenue else None,
        "revenue_share": mid / revenue.value if revenue and mid is not None else None,
    }


def _no_year_reason(hops: list[dict[str, Any]], by_pair: _Pairs, per_year: bool) -> str:
    """Why no year compares like with like: the hops with no disclosed annual amount."""
    gaps = []
    for h in hops:
        rows = by_pair.stated(h["source"], h["target"])
        annual = rows[(rows["horizon"] == "annual") & rows["mid"].notna()]
        if len(annual):
            continue
        what = "multi-year only" if (rows["horizon"] != "annual").all() else "no amount"
        gaps.append(
            f"{h['source']} → {h['target']} ({what}: {by_pair.text(h['source'], h['target'])})"
        )
    if not gaps:
        return "the hops have disclosed amounts only in different years"
    hint = "" if per_year else "; --per-year annualises multi-year amounts over a stated term"
    return "; ".join(gaps) + hint


def _may_cover(period: str, year: str) -> bool:
    """Whether a multi-year period may include ``year`` (always, when its term is not stated)."""
    span = period_span(period)
    if span is None or not year.isdigit():
        return True
    return span[0] <= int(year) <= span[1]


def _bounded_min(hops: list[dict[str, Any]], key: str) -> float | None:
    """Minimum over hops where incomplete hops are only known from below (see ``Cycle``)."""
    complete = [h[key] for h in hops if h[key] is not None]
    if not complete:
        return None
    smallest = min(complete)
    floors = [h["known_low"] for h in hops if h[key] is None]
    return smallest if all(f >= smallest for f in floors) else None
