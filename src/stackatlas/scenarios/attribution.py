"""How company losses become segment and layer money: the parameter-free part of a summary.

``money_basis`` holds everything that depends only on the network, the atlas and the
scenario's targets (attribution matrices, quarterly revenues, revenue-weighted maps), so a
sweep builds it once and reuses it for every point; ``segment_quarters`` and ``level_money``
are the per-draw arithmetic that ``run.summarize`` and the sweep share (same operations, same
bits). Both run them under ``one_blas_thread``: OpenBLAS with several threads rounds some
products differently in the last bit (seen at 10,000 draws), and Ray tasks run on one thread,
so one thread everywhere makes a result independent of the engine and the machine's cores.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from stackatlas.atlas.atlas import Atlas
from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.spec import ScenarioSpec


@dataclass(frozen=True)
class Attribution:
    """How company results map to segments (row-normalised node x segment matrices).

    Baselines use membership weights ``base``. A company's loss fraction L first fills the
    segments through which it is connected in the network or that the scenario targets
    (weight ``active_share``; AWS, not Amazon retail, loses GPUs), in proportion ``active``;
    any loss beyond that share spills over the other segments in proportion ``rest``, so a
    segment never loses more than its revenue."""

    base: np.ndarray
    active: np.ndarray
    rest: np.ndarray
    active_share: np.ndarray
    seg_layer: np.ndarray
    segments: list[str]
    layers: list[str]


def attribution(net: SupplyNetwork, atlas: Atlas | None, targeted: set[str]) -> Attribution:
    """The segment / layer attribution of ``net``'s companies (see ``Attribution``)."""
    w = net.segment_weights
    if w is None:
        w = pd.DataFrame({"all": np.ones(net.n_nodes)}, index=net.ids)
    w = w.reindex(net.ids).fillna(0.0)
    total = w.sum(axis=1).to_numpy()
    base = w.to_numpy() / np.where(total > 0, total, 1.0)[:, None]
    mask = np.zeros(base.shape, dtype=bool)
    if net.segment_active is not None:
        mask |= (
            net.segment_active.reindex(index=net.ids, columns=w.columns)
            .fillna(False)
            .to_numpy(bool)
        )
    mask |= np.isin(np.asarray(w.columns), list(targeted))[None, :]
    mask &= base > 0
    share = (base * mask).sum(axis=1)
    has = share > 0
    active = np.where(has[:, None], base * mask / np.where(has, share, 1.0)[:, None], base)
    room = 1.0 - share
    spill = has & (room > 0)
    rest = np.where(spill[:, None], base * ~mask / np.where(spill, room, 1.0)[:, None], 0.0)
    layer_of = atlas.layer_of_segment if atlas is not None else {}
    layers = list(atlas.layer_ids) if atlas is not None else ["all"]
    seg_layer = np.zeros((len(w.columns), len(layers)))
    for i, seg in enumerate(w.columns):
        seg_layer[i, layers.index(layer_of.get(seg, layers[0]))] = 1.0
    return Attribution(
        base, active, rest, np.where(has, share, 1.0), seg_layer, list(w.columns), layers
    )


def targeted_segments(spec: ScenarioSpec, atlas: Atlas | None) -> set[str]:
    """Segments a scenario's segment-exposure shocks hit directly."""
    out: set[str] = set()
    for shock in spec.shocks:
        if shock.exposure != "segment":
            continue
        out.update(shock.targets.get("segments", []))
        if atlas is not None:
            for layer in shock.targets.get("layers", []):
                out.update(s.id for s in atlas.layer(layer).segments)
            out.update(
                atlas.markets[m].segment
                for m in shock.targets.get("markets", [])
                if m in atlas.markets
            )
    return out


@dataclass(frozen=True)
class MoneyBasis:
    """The parameter-free inputs of a summary (module doc)."""

    attr: Attribution
    rev_q: np.ndarray  # quarterly revenue per company (NaN = unknown)
    rev_known: np.ndarray  # the same with unknown as 0
    to_seg: np.ndarray  # (n, k) company -> segment weights
    to_layer: np.ndarray  # (n, layers)
    act_w: np.ndarray  # (k, n) revenue-weighted active attribution
    rest_w: np.ndarray  # (k, n) revenue-weighted spill-over attribution
    cap: np.ndarray  # (n, 1) active share: the loss that fills the active segments first


def money_basis(net: SupplyNetwork, atlas: Atlas | None, targeted: set[str]) -> MoneyBasis:
    """``MoneyBasis`` of ``net`` for a scenario hitting the ``targeted`` segments."""
    rev_q = net.revenue / 4.0
    attr = attribution(net, atlas, targeted)
    rev_known = np.nan_to_num(rev_q)
    to_seg = attr.base
    return MoneyBasis(
        attr,
        rev_q,
        rev_known,
        to_seg,
        to_seg @ attr.seg_layer,
        np.ascontiguousarray((attr.active * rev_known[:, None]).T),
        np.ascontiguousarray((attr.rest * rev_known[:, None]).T),
        attr.active_share[:, None],
    )


def split_loss(x: np.ndarray, basis: MoneyBasis) -> tuple[np.ndarray, np.ndarray]:
    """A company loss fraction -> (part filling its active segments, spill-over)."""
    first = np.minimum(x, basis.cap)
    return first, x - first


def segment_quarters(
    out: np.ndarray, basis: MoneyBasis, margin: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Segment revenue lost per quarter ``(T, k, D)`` from output losses ``(T, n, D)``, and
    with a ``margin`` ``(n, D)`` the segments' operating profit lost over the horizon."""
    T, _, D = out.shape
    k = len(basis.attr.segments)
    seg_usd_q = np.empty((T, k, D))
    seg_op = np.zeros((k, D)) if margin is not None else None
    for t in range(T):  # BLAS per quarter; the split keeps segments within their revenue
        first, spill = split_loss(out[t], basis)
        seg_usd_q[t] = basis.act_w @ first + basis.rest_w @ spill
        if seg_op is not None and margin is not None:
            seg_op += basis.act_w @ (first * margin) + basis.rest_w @ (spill * margin)
    return seg_usd_q, seg_op


def level_money(
    seg_usd_q: np.ndarray, to_lvl: np.ndarray, base_q: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment losses mapped to a level (segments or layers) with quarterly baselines
    ``base_q``: (per quarter USD, horizon USD, horizon % of baseline; NaN without one)."""
    T = seg_usd_q.shape[0]
    usd_q = np.matmul(to_lvl.T[None], seg_usd_q)
    has = base_q > 0
    safe = np.where(has, base_q, 1.0)
    usd = usd_q.sum(0)
    pct = np.where(has[:, None], usd / (safe * T)[:, None] * 100, np.nan)
    return usd_q, usd, pct


def one_blas_thread() -> AbstractContextManager[Any]:
    """BLAS on one thread inside the block (module doc). Also faster for these small
    products on busy cores: a 1,000-draw sweep point took half the time at load 12-16."""
    return threadpool_limits(limits=1, user_api="blas")
