"""Turn a scenario's shock specs into ``(quarters, nodes, draws)`` arrays for the engine."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import Problem, ValidationError
from stackatlas.scenarios.expr import TIME
from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.spec import ScenarioSpec, ShockSpec

TIMING = ("start", "duration", "recovery")
"""Shock fields measured in quarters: never negative."""


def check_shock_values(
    spec: ScenarioSpec, values: Mapping[str, float | np.ndarray], quarters: int, basis: str
) -> None:
    """Every shock expression must give finite numbers at ``values`` (``basis`` says which:
    "default parameters" or "N draws"), and start / duration / recovery must not be
    negative; otherwise a ValidationError naming the scenario file, line and field
    (``size: capacity_loss/0`` used to fill every result with NaN)."""
    t = np.arange(max(quarters, 1), dtype=float)[:, None]
    problems: list[Problem] = []
    for shock in spec.shocks:
        for key in ("size", *TIMING):
            expr = getattr(shock, key)
            env = {**values, TIME: t} if key == "size" else values
            with np.errstate(all="ignore"):
                got = np.asarray(expr.evaluate(env), float)
            where = ("shocks", shock.index, key)
            if not np.isfinite(got).all():
                bad = got[~np.isfinite(got)].flat[0]
                problems.append(
                    spec.problem(where, f"{expr.text!r} gives {bad} at the {basis}; not a number")
                )
            elif key in TIMING and (got < 0).any():
                problems.append(
                    spec.problem(
                        where,
                        f"{expr.text!r} gives {float(got.min()):g} quarters at the {basis}; "
                        f"{key} must be 0 or more",
                    )
                )
    if problems:
        raise ValidationError(problems)


def profile(
    quarters: int,
    start: np.ndarray | float,
    duration: np.ndarray | float,
    recovery: np.ndarray | float,
) -> np.ndarray:
    """Average shock intensity per quarter ``(quarters, draws)``: full from ``start`` for
    ``duration`` quarters, then a linear ramp to zero over ``recovery`` quarters."""
    start, duration, recovery = (
        np.atleast_1d(np.asarray(x, float))[None, :] for x in (start, duration, recovery)
    )
    start, duration = np.maximum(start, 0.0), np.maximum(duration, 0.0)
    end = start + duration
    ramp = np.maximum(recovery, 0.0)
    safe = np.where(ramp > 0, ramp, 1.0)

    def integral(x: np.ndarray) -> np.ndarray:
        u = np.clip(x - end, 0.0, ramp)
        return np.clip(x - start, 0.0, duration) + np.where(ramp > 0, u - u * u / (2 * safe), 0.0)

    t = np.arange(quarters, dtype=float)[:, None]
    return integral(t + 1.0) - integral(t)


def target_scale(shock: ShockSpec, net: SupplyNetwork, atlas: Atlas | None) -> np.ndarray:
    """Share of each node's revenue the shock touches (0..1)."""
    n = net.n_nodes
    scale = np.zeros(n)
    index = net.index
    weights = net.segment_weights
    segment_based = shock.exposure == "segment" and weights is not None

    def seg_scale(segs: list[str]) -> np.ndarray:
        if weights is None:
            return np.zeros(n)
        cols = [s for s in segs if s in weights.columns]
        w = weights[cols].sum(axis=1).reindex(net.ids).fillna(0.0).to_numpy()
        return np.minimum(w, 1.0) if segment_based else (w > 0).astype(float)

    for cid in shock.targets.get("companies", []):
        if cid in index:
            scale[index[cid]] = 1.0
    if shock.targets.get("segments"):
        scale = np.maximum(scale, seg_scale(shock.targets["segments"]))
    if atlas is not None:
        for layer in shock.targets.get("layers", []):
            scale = np.maximum(scale, seg_scale([s.id for s in atlas.layer(layer).segments]))
        for gid in shock.targets.get("groups", []):
            for cid in atlas.groups[gid].members:
                if cid in index:
                    scale[index[cid]] = 1.0
        for mid in shock.targets.get("markets", []):
            holders = [s.company for s in atlas.shares if s.market == mid and s.share > 0]
            by_seg = seg_scale([atlas.markets[mid].segment])
            for cid in holders:
                if cid in index:
                    i = index[cid]
                    scale[i] = max(scale[i], by_seg[i] if by_seg[i] > 0 else 1.0)
        countries = shock.targets.get("countries")
        if countries:
            keep = np.array(
                [
                    atlas.companies[c].country in countries if c in atlas.companies else False
                    for c in net.ids
                ]
            )
            scale = np.where(keep, scale, 0.0)
    if "inputs" in shock.targets:  # flow nodes of CSET/ETO inputs (eto_network.py)
        from stackatlas.scenarios.eto_network import eto_target_scale

        scale = np.maximum(scale, eto_target_scale(shock, net))
    return scale


def shock_arrays(
    shocks: list[ShockSpec],
    net: SupplyNetwork,
    atlas: Atlas | None,
    values: Mapping[str, float | np.ndarray],
    quarters: int,
    draws: int,
) -> dict[str, np.ndarray]:
    """Direct shocks by kind, combined multiplicatively: ``1 - prod(1 - s_i)``."""
    keep: dict[str, np.ndarray] = {}
    t = np.arange(quarters, dtype=float)[:, None]
    env = {**values, TIME: t}
    for shock in shocks:
        size = np.broadcast_to(np.asarray(shock.size.evaluate(env), float), (quarters, draws))
        shape = profile(
            quarters,
            shock.start.evaluate(values),
            shock.duration.evaluate(values),
            shock.recovery.evaluate(values),
        )
        intensity = np.broadcast_to(size * shape, (quarters, draws))
        if shock.kind == "supply":
            intensity = np.clip(intensity, 0.0, 1.0)
        else:
            intensity = np.minimum(intensity, 1.0)
        scale = target_scale(shock, net, atlas)
        hit = np.flatnonzero(scale)
        if shock.kind not in keep:
            keep[shock.kind] = np.ones((quarters, net.n_nodes, draws))
        keep[shock.kind][:, hit, :] *= 1.0 - intensity[:, None, :] * scale[None, hit, None]
    zeros = np.broadcast_to(np.zeros(1), (quarters, net.n_nodes, draws))
    out: dict[str, np.ndarray] = {}
    for kind in ("supply", "demand", "purchases"):
        if kind in keep:
            np.subtract(1.0, keep[kind], out=keep[kind])
            out[kind] = keep[kind]
        else:
            out[kind] = zeros  # read-only, never written by the engine
    return out
