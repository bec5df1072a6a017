"""An independent reference for the scenario engine: the same propagation written the obvious
way (a networkx DiGraph and per-node loops), and the synthetic scale-free networks it is checked
on. ``tests/scenarios/test_crosscheck.py`` asserts the engine equals it; the scenario benchmark
(``benchmarks/bench_scenarios.py``) times the engine against it.
"""

from __future__ import annotations

import numpy as np

from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.propagate import ModelValues
from stackatlas.scenarios.shocks import profile

QUARTERS = 8


def scale_free_network(
    n_nodes: int, n_edges: int, *, groups: int = 8, seed: int = 0
) -> SupplyNetwork:
    """Synthetic supply network with a heavy-tailed supplier degree (Price-style cumulative
    advantage): customer i draws suppliers j = floor(i * u^3), u ~ U(0, 1), so early nodes
    become hub suppliers. Edges point from a lower to a higher index (no cycles). Input shares
    are random weights normalised per (customer, group) and scaled by a random coverage in
    [0.5, 1]; revenue shares are random weights normalised per supplier, times 0.8."""
    rng = np.random.default_rng(seed)
    per_node = n_edges / (n_nodes - 1)
    customer = np.repeat(np.arange(1, n_nodes), rng.poisson(per_node, n_nodes - 1))
    supplier = np.floor(customer * rng.random(len(customer)) ** 3).astype(np.int64)
    key = np.unique(customer.astype(np.int64) * n_nodes + supplier)
    customer, supplier = key // n_nodes, key % n_nodes
    group = supplier % groups
    weight = rng.random(len(key))
    pair = customer * groups + group
    _, inv = np.unique(pair, return_inverse=True)
    coverage = rng.uniform(0.5, 1.0, inv.max() + 1)
    input_share = weight / np.bincount(inv, weights=weight)[inv] * coverage[inv]
    rweight = rng.random(len(key))
    revenue_share = (
        0.8 * rweight / np.bincount(supplier, weights=rweight, minlength=n_nodes)[supplier]
    )
    ids = np.array([f"n{i}" for i in range(n_nodes)], dtype=object)
    return SupplyNetwork.from_arrays(
        ids,
        supplier,
        customer,
        input_share,
        revenue_share,
        group.astype(np.int64),
        tuple(f"g{g}" for g in range(groups)),
        revenue=rng.lognormal(0, 1.5, n_nodes),
        exposure=np.ones(len(key)),
    )


def hub_shock(net: SupplyNetwork) -> np.ndarray:
    """The biggest supplier loses 30% for one quarter, then recovers over two."""
    supply = np.zeros((QUARTERS, net.n_nodes, 1))
    hub = int(np.argmax(np.bincount(net.supplier, minlength=net.n_nodes)))
    supply[:, hub, 0] = 0.3 * profile(QUARTERS, 0, 1, 2)[:, 0]
    return supply


def networkx_propagation(net: SupplyNetwork, values: ModelValues, supply: np.ndarray) -> np.ndarray:
    """The same model written the obvious way: a networkx DiGraph and per-node loops."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    for s, c, a, r, grp in zip(
        net.supplier.tolist(),
        net.customer.tolist(),
        net.input_share.tolist(),
        net.revenue_share.tolist(),
        net.group.tolist(),
        strict=True,
    ):
        g.add_edge(s, c, input_share=a, revenue_share=r, group=grp)
    pairs = {(c, d["group"]) for _, c, d in g.edges(data=True)}
    inventory = dict.fromkeys(pairs, float(values.inventory_quarters))
    episode = dict.fromkeys(pairs, 0)
    rate, head = float(values.substitution_rate), float(values.substitution_headroom)
    passthrough = float(values.demand_passthrough)
    out = np.zeros((supply.shape[0], net.n_nodes))
    for t in range(supply.shape[0]):
        direct = supply[t, :, 0]
        cap = {v: float(direct[v]) for v in g.nodes}
        dem = dict.fromkeys(g.nodes, 0.0)
        covered: dict = {}
        gross: dict = {}
        for _ in range(values.max_iterations):
            gross = dict.fromkeys(pairs, 0.0)
            for s, c, d in g.edges(data=True):
                gross[(c, d["group"])] += d["input_share"] * cap[s]
            short = dict.fromkeys(g.nodes, 0.0)
            covered = {}
            for p, x in gross.items():
                absorb = (1 - (1 - rate) ** (episode[p] + 1)) * head
                net_short = max(x - absorb, 0.0)
                covered[p] = min(inventory[p], net_short)
                short[p[0]] = max(short[p[0]], net_short - covered[p])
            new_cap = {v: 1 - (1 - direct[v]) * (1 - short[v]) for v in g.nodes}
            orders = {v: min(passthrough * max(new_cap[v], dem[v]), 1.0) for v in g.nodes}
            new_dem = {
                v: sum(d["revenue_share"] * orders[c] for _, c, d in g.out_edges(v, True))
                for v in g.nodes
            }
            change = max(max(abs(new_cap[v] - cap[v]), abs(new_dem[v] - dem[v])) for v in g.nodes)
            cap, dem = new_cap, new_dem
            if change <= values.tolerance:
                break
        for p in pairs:
            inventory[p] -= covered[p]
            episode[p] = episode[p] + 1 if gross[p] > 0 else 0
        out[t] = [max(cap[v], dem[v]) for v in range(net.n_nodes)]
    return out
