"""Shock propagation over a ``SupplyNetwork``, quarter by quarter, vectorised over draws.

Per quarter the engine solves a fixed point (one iteration per supply-chain tier):

* supply, downstream: a customer's shortfall in an input group is the input-share-weighted
  capacity loss of its suppliers, less what alternative suppliers absorb
  (``effectiveness(k) x headroom`` with effectiveness ``1 - (1 - rate)^(k+1)`` after k quarters
  of shortfall), less what its inventory still covers; scaled by the share of the customer's
  output that needs the group. The binding group sets the loss (Leontief minimum):
  ``capacity_loss = 1 - (1 - direct) x (1 - max_group shortfall)``.
* demand, upstream: a company's orders fall with its output (``passthrough``) and with any
  purchase cut; a supplier's demand loss is ``1 - (1 - direct) x (1 - R @ orders)``.
* output (revenue) loss is ``max(capacity_loss, demand_loss)``; extra demand (negative loss)
  is served in proportion to the capacity left: ``1 - (1 - capacity_loss)(1 - demand_loss)``.

Arrays are ``(n_nodes, draws)``; model parameters may be scalars or ``(draws,)`` arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from stackatlas.scenarios.network import SupplyNetwork

if TYPE_CHECKING:
    from stackatlas.scenarios.edge_draws import EdgeDraws


@dataclass(frozen=True)
class ModelValues:
    """Numeric model parameters for one run (scalars or one value per draw)."""

    substitution_rate: float | np.ndarray
    substitution_headroom: float | np.ndarray
    inventory_quarters: float | np.ndarray
    demand_passthrough: float | np.ndarray
    max_iterations: int
    tolerance: float


@dataclass(frozen=True)
class Propagation:
    """Per-quarter loss fractions, each ``(quarters, n_nodes, draws)``."""

    output_loss: np.ndarray  # revenue change fraction, + = loss
    capacity_loss: np.ndarray  # supply-side loss (direct and from inputs)
    order_cut: np.ndarray  # fraction by which each company's purchases fell
    iterations: np.ndarray  # fixed-point iterations used per quarter


def _row(value: float | np.ndarray) -> np.ndarray:
    """A parameter as a broadcastable row over draws."""
    return np.atleast_1d(np.asarray(value, dtype=float))[None, :]


def propagate(
    net: SupplyNetwork,
    supply: np.ndarray,
    demand: np.ndarray,
    purchases: np.ndarray,
    values: ModelValues,
    *,
    paths: bool = True,
    shares: EdgeDraws | None = None,
) -> Propagation:
    """Run the quarterly propagation. Shock arrays are ``(quarters, n_nodes, draws)``:
    ``supply`` = direct capacity loss in [0, 1], ``demand`` = direct revenue loss (<= 1,
    negative = extra demand), ``purchases`` = direct cut of a company's orders (<= 1).
    ``paths=False`` skips storing capacity losses and order cuts (only output loss kept).
    ``shares`` gives every edge its own input / revenue share per draw (``edge_draws.py``)
    instead of the network's point shares."""
    T, n, D = supply.shape
    pairs = net.pairs
    gross_of, demand_of = _operators(net, shares)
    n_pairs = pairs.P.shape[0]
    rate, head = _row(values.substitution_rate), _row(values.substitution_headroom)
    passthrough = _row(values.demand_passthrough)
    exposure = pairs.exposure[:, None]
    inventory = np.broadcast_to(_row(values.inventory_quarters), (n_pairs, D)).copy()
    episode = np.zeros((n_pairs, D))
    has_pairs = len(pairs.starts) > 0

    out_all = np.empty((T, n, D))
    cap_all = np.empty((T, n, D) if paths else (T, 0, D))
    orders_all = np.empty((T, n, D) if paths else (T, 0, D))
    iterations = np.zeros(T, dtype=np.int64)
    node_short = np.zeros((n, D))
    for t in range(T):
        ds, dd, pc = supply[t], demand[t], purchases[t]
        if not (ds.any() or dd.any() or pc.any()):  # a calm quarter: the fixed point is 0
            episode[:] = 0.0
            out_all[t] = cap_all[t] = orders_all[t] = 0.0
            continue
        keep_s, keep_d, keep_p = 1.0 - ds, 1.0 - dd, 1.0 - pc
        gains = bool((dd < 0).any() or (pc < 0).any())
        absorb = (1.0 - (1.0 - rate) ** (episode + 1.0)) * head
        cap, dem = ds, dd
        gross = covered = np.zeros((n_pairs, D))
        used = 0
        for used in range(1, values.max_iterations + 1):  # noqa: B007 - count is reported
            if has_pairs:
                gross = gross_of(cap)
                net_short = np.maximum(gross - absorb, 0.0)
                covered = np.minimum(inventory, net_short)
                net_short -= covered
                net_short *= exposure
                node_short[pairs.customers_with_pairs] = np.maximum.reduceat(
                    net_short, pairs.starts, axis=0
                )
            new_cap = 1.0 - keep_s * (1.0 - node_short)
            out = _output(new_cap, dem) if gains else np.maximum(new_cap, dem)
            out *= passthrough
            orders = 1.0 - (1.0 - np.minimum(out, 1.0, out=out)) * keep_p
            new_dem = 1.0 - keep_d * (1.0 - demand_of(orders))
            change = max(_maxabs(new_cap - cap), _maxabs(new_dem - dem))
            cap, dem = new_cap, new_dem
            if change <= values.tolerance:
                break
        iterations[t] = used
        inventory -= covered
        episode = np.where(gross > 0.0, episode + 1.0, 0.0)
        out_all[t] = _output(cap, dem) if gains else np.maximum(cap, dem)
        if paths:
            cap_all[t] = cap
            orders_all[t] = orders
    return Propagation(out_all, cap_all, orders_all, iterations)


def _operators(net: SupplyNetwork, shares: EdgeDraws | None) -> tuple[Any, Any]:
    """(capacity loss -> gross shortfall per pair, order cut -> demand loss per supplier):
    the network's sparse matrices, or per-draw edge shares summed by sparse incidence."""
    P, R = net.pairs.P, net.R
    if shares is None:
        return P.__matmul__, R.__matmul__
    m, edges = net.n_edges, np.arange(net.n_edges)
    if shares.input_share.shape[0] != m or shares.revenue_share.shape[0] != m:
        raise ValueError(f"edge shares must have one row per edge ({m})")
    ones = np.ones(m)
    by_pair = sp.csr_matrix((ones, (net.pairs.edge_pair, edges)), shape=(P.shape[0], m))
    by_supplier = sp.csr_matrix((ones, (net.supplier, edges)), shape=(net.n_nodes, m))
    w_in, w_rev = shares.input_share, shares.revenue_share
    sup, cus = net.supplier, net.customer

    def gross_of(cap: np.ndarray) -> np.ndarray:
        return np.asarray(by_pair @ (w_in * cap[sup]))

    def demand_of(orders: np.ndarray) -> np.ndarray:
        return np.asarray(by_supplier @ (w_rev * orders[cus]))

    return gross_of, demand_of


def _output(cap: np.ndarray, dem: np.ndarray) -> np.ndarray:
    """Output loss: the binding of capacity and demand losses; extra demand (dem < 0) is
    served in proportion to the capacity left."""
    return np.where(dem >= 0.0, np.maximum(cap, dem), 1.0 - (1.0 - cap) * (1.0 - dem))


def _maxabs(a: np.ndarray) -> float:
    return float(np.max(np.abs(a))) if a.size else 0.0


def edge_flows(
    net: SupplyNetwork, prop: Propagation, quarterly_revenue: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative USD each edge carried, averaged over draws (the path of the shock).

    supply channel: input_share x supplier capacity loss x customer quarterly revenue (the
    gross shortfall sent downstream, before substitution and inventory);
    demand channel: revenue_share x customer order cut x supplier quarterly revenue (orders
    the supplier lost from that customer)."""
    cap_sum = prop.capacity_loss.sum(axis=0).mean(axis=1)  # (n,)
    ord_sum = prop.order_cut.sum(axis=0).mean(axis=1)
    rev = np.nan_to_num(quarterly_revenue)
    supply = net.input_share * cap_sum[net.supplier] * net.edge_exposure * rev[net.customer]
    demand = net.revenue_share * ord_sum[net.customer] * rev[net.supplier]
    return supply, demand
