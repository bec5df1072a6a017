"""Property tests of the propagation engine on random small supply networks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.propagate import ModelValues, propagate

QUARTERS = 4


@st.composite
def networks(draw, min_nodes: int = 3, max_nodes: int = 9) -> SupplyNetwork:
    """Random supply networks (cycles allowed) with 1-3 input groups."""
    n = draw(st.integers(min_nodes, max_nodes))
    ids = [f"c{i}" for i in range(n)]
    edges = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(0, n - 1),
                st.floats(0.05, 1.0),
                st.floats(0.0, 0.6),
                st.integers(0, 2),
            ),
            min_size=1,
            max_size=3 * n,
            unique_by=lambda e: (e[0], e[1]),
        )
    )
    edges = [e for e in edges if e[0] != e[1]]
    return SupplyNetwork.from_edges(
        ids,
        [ids[e[0]] for e in edges],
        [ids[e[1]] for e in edges],
        [e[2] for e in edges],
        [e[3] for e in edges],
        group=[f"g{e[4]}" for e in edges],
        revenue=np.full(n, 100.0),
    )


params = st.builds(
    ModelValues,
    st.floats(0, 1),
    st.floats(0, 0.5),
    st.floats(0, 0.5),
    st.floats(0, 1),
    st.just(200),
    st.just(1e-12),
)


def _run(
    net: SupplyNetwork, values: ModelValues, supply: np.ndarray, demand: np.ndarray | None = None
):
    zeros = np.zeros_like(supply)
    return propagate(net, supply, zeros if demand is None else demand, zeros, values)


def _supply(net: SupplyNetwork, node: int, size: float, quarters: int = 2) -> np.ndarray:
    s = np.zeros((QUARTERS, net.n_nodes, 1))
    s[:quarters, node, 0] = size
    return s


@settings(max_examples=60, deadline=None)
@given(networks(), params)
def test_zero_shock_gives_zero_impact(net: SupplyNetwork, values: ModelValues) -> None:
    prop = _run(net, values, np.zeros((QUARTERS, net.n_nodes, 1)))
    assert not prop.output_loss.any()
    assert not prop.order_cut.any()


@settings(max_examples=60, deadline=None)
@given(networks(), params, st.data())
def test_impact_is_monotone_in_severity(net, values, data) -> None:
    node = data.draw(st.integers(0, net.n_nodes - 1))
    low = data.draw(st.floats(0.0, 1.0))
    high = data.draw(st.floats(low, 1.0))
    weak = _run(net, values, _supply(net, node, low)).output_loss
    strong = _run(net, values, _supply(net, node, high)).output_loss
    assert np.all(strong >= weak - 1e-9)
    demand_weak = _run(net, values, np.zeros_like(weak), _supply(net, node, low)).output_loss
    demand_strong = _run(net, values, np.zeros_like(weak), _supply(net, node, high)).output_loss
    assert np.all(demand_strong >= demand_weak - 1e-9)


@settings(max_examples=60, deadline=None)
@given(networks(), params, st.floats(0.01, 1.0), st.floats(0.0, 1.0))
def test_supply_shocks_never_create_revenue(net, values, size, demand_size) -> None:
    shock = _supply(net, 0, size) + _supply(net, net.n_nodes - 1, size / 2)
    prop = _run(net, values, np.clip(shock, 0, 1))
    assert np.all(prop.output_loss >= 0.0)
    assert np.all(prop.output_loss <= 1.0 + 1e-12)
    # positive demand shocks (lost sales) cannot create revenue either
    prop = _run(net, values, np.zeros_like(shock), _supply(net, 1, demand_size))
    assert np.all(prop.output_loss >= 0.0)


@settings(max_examples=60, deadline=None)
@given(networks(max_nodes=6), networks(max_nodes=6), params, st.floats(0.01, 1.0))
def test_node_without_path_to_shock_is_untouched(a, b, values, size) -> None:
    """Two disjoint networks side by side: shocking the first never moves the second."""
    ids = [f"a{i}" for i in range(a.n_nodes)] + [f"b{i}" for i in range(b.n_nodes)]
    off = a.n_nodes
    net = SupplyNetwork.from_arrays(
        np.asarray(ids, dtype=object),
        np.r_[a.supplier, b.supplier + off],
        np.r_[a.customer, b.customer + off],
        np.r_[a.input_share, b.input_share],
        np.r_[a.revenue_share, b.revenue_share],
        np.r_[a.group, b.group + len(a.group_names)],
        a.group_names + b.group_names,
    )
    shock = np.zeros((QUARTERS, net.n_nodes, 1))
    shock[:, :off, 0] = size
    prop = _run(net, values, shock, shock)
    assert not prop.output_loss[:, off:].any()
    assert not prop.order_cut[:, off:].any()


@settings(max_examples=60, deadline=None)
@given(networks(), st.floats(0.02, 0.5), st.data())
def test_full_substitution_absorbs_a_small_shock(net, headroom, data) -> None:
    """Switching at once (rate 1) with spare capacity above the shortfall: customers lose
    nothing; only the hit supplier (and, through lost orders, its own suppliers) moves."""
    node = data.draw(st.integers(0, net.n_nodes - 1))
    size = data.draw(st.floats(0.0, headroom))
    values = ModelValues(1.0, headroom, 0.0, 1.0, 200, 1e-12)
    prop = _run(net, values, _supply(net, node, size))
    others = np.arange(net.n_nodes) != node
    assert not prop.capacity_loss[:, others].any()
    # with no substitution at all, the same shock does reach a customer that relies on it
    hit = net.customer[(net.supplier == node)]
    if size > 1e-6 and len(hit):  # tinier shocks vanish in the 1 - (1 - x) rounding
        stuck = _run(
            net, ModelValues(0.0, headroom, 0.0, 1.0, 200, 1e-12), _supply(net, node, size)
        )
        assert stuck.capacity_loss[0, hit].max() > 0
