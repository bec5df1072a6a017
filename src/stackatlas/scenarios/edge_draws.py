"""Monte Carlo draws of the explicit edges' shares (``run_scenario(edge_shares="draw")``).

Each explicit, sourced edge of ``dependencies.csv`` has a point share and, mostly, a low / high
range. With ``edge_shares="draw"`` every Monte Carlo draw takes each explicit edge's input
share and revenue share from a triangular distribution on [low, high] with its mode at the
point share (an edge without a range keeps its point share). The bounds are the shares the
network uses when built at ``low`` and at ``high`` (after its own capping), matched by
(supplier, customer, group).

Inferred and flow edges keep their point shares; as when the network is built, explicit edges
keep their drawn shares and the other edges of the same (customer, group) — or, for revenue
shares, of the same supplier — are scaled down when they would overflow the room left, and
every sum is capped at 1. The draws come from their own seeded stream, so the parameter draws
of a run with the same seed are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stackatlas.errors import ValidationError
from stackatlas.scenarios.network import SupplyNetwork

EDGE_STREAM = 0x5EED_ED6E
"""Second word of the edge draws' seed (``default_rng([seed, EDGE_STREAM])``)."""


@dataclass(frozen=True)
class EdgeDraws:
    """Per-draw shares of every network edge, ``(n_edges, draws)``."""

    input_share: np.ndarray
    revenue_share: np.ndarray
    varied: int  # explicit edges with a range (drawn); the rest are constant


def draw_edge_shares(
    point: SupplyNetwork, low: SupplyNetwork, high: SupplyNetwork, draws: int, seed: int
) -> EdgeDraws:
    """Shares of ``point``'s edges for ``draws`` draws: explicit edges triangular within the
    bounds read from ``low`` / ``high``, the others at their point shares (see module doc)."""
    explicit = point.edge_kind == "explicit"
    columns = ("input_share", "revenue_share")
    mode = np.column_stack([np.asarray(getattr(point, c), float) for c in columns])
    lo, hi = _bounds(point, low, high, explicit, mode)
    rng = np.random.default_rng([seed, EDGE_STREAM])
    shares = []
    for col, name in enumerate(columns):
        a, b = lo[:, col], hi[:, col]
        drawn = _triangular(rng.random((len(mode), draws)), a, np.clip(mode[:, col], a, b), b)
        group = (
            point.customer * max(len(point.group_names), 1) + point.group
            if name == "input_share"
            else point.supplier
        )
        shares.append(_fit(drawn, explicit, group))
    varied = int(np.sum(explicit & (lo < hi).any(axis=1))) if draws else 0
    return EdgeDraws(shares[0], shares[1], varied)


def _bounds(
    point: SupplyNetwork,
    low: SupplyNetwork,
    high: SupplyNetwork,
    explicit: np.ndarray,
    mode: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per edge and share column, (low, high): an explicit edge's shares in the networks built
    at its bounds, matched by (supplier, customer, group); every other edge its point share."""
    keys = _keys(point)
    lows = dict(zip(_keys(low), _pairs_of(low), strict=True))
    highs = dict(zip(_keys(high), _pairs_of(high), strict=True))
    lo, hi = mode.copy(), mode.copy()
    for e in np.flatnonzero(explicit):
        if keys[e] not in lows or keys[e] not in highs:
            raise ValidationError(
                f"explicit edge {keys[e]} is missing from the network built at its bounds"
            )
        lo[e], hi[e] = lows[keys[e]], highs[keys[e]]
    return np.minimum(lo, hi), np.maximum(lo, hi)


def _keys(net: SupplyNetwork) -> list[tuple[str, str, str]]:
    names = np.asarray(net.group_names, dtype=object)
    return [
        (str(net.ids[s]), str(net.ids[c]), str(names[g]) if len(names) else "")
        for s, c, g in zip(net.supplier, net.customer, net.group, strict=True)
    ]


def _pairs_of(net: SupplyNetwork) -> list[tuple[float, float]]:
    return list(zip(net.input_share.tolist(), net.revenue_share.tolist(), strict=True))


def _triangular(u: np.ndarray, lo: np.ndarray, mode: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Inverse CDF of the triangular distribution per row (``lo == hi``: the constant)."""
    a, c, b = lo[:, None], mode[:, None], hi[:, None]
    width = np.where(b > a, b - a, 1.0)
    cut = (c - a) / width
    left = a + np.sqrt(u * width * (c - a))
    right = b - np.sqrt((1.0 - u) * width * (b - c))
    return np.where(b > a, np.where(u < cut, left, right), a)


def _fit(values: np.ndarray, explicit: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per draw: the other edges of a group make room for the explicit ones, then every group
    sum is capped at 1 (the rules of ``build_network`` and ``SupplyNetwork.from_arrays``)."""
    if not len(values):
        return values
    uniq, inv = np.unique(group, return_inverse=True)
    n_groups, draws = len(uniq), values.shape[1]

    def sums(v: np.ndarray) -> np.ndarray:
        out = np.zeros((n_groups, draws))
        np.add.at(out, inv, v)
        return out

    mask = explicit[:, None]
    taken, others = sums(np.where(mask, values, 0.0)), sums(np.where(mask, 0.0, values))
    room = np.clip(1.0 - taken, 0.0, None)
    scale = np.where(others > room, room / np.where(others > 0, others, 1.0), 1.0)
    fitted = np.where(mask, values, values * scale[inv])
    total = sums(fitted)
    return fitted / np.maximum(total, 1.0)[inv]
