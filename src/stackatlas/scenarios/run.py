"""``run_scenario``: load a scenario, resolve parameters, propagate, summarise."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import INPUT, Problem, ValidationError
from stackatlas.scenarios.atlas_network import EDGE_CHOICES, build_network
from stackatlas.scenarios.attribution import (
    level_money,
    money_basis,
    one_blas_thread,
    segment_quarters,
    split_loss,
    targeted_segments,
)
from stackatlas.scenarios.baseline import Baseline, read_baseline
from stackatlas.scenarios.edge_draws import EdgeDraws, draw_edge_shares
from stackatlas.scenarios.montecarlo import (
    MAX_DRAWS,
    MAX_SEED,
    apply_overrides,
    draw_values,
    percentiles,
)
from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.propagate import ModelValues, Propagation, edge_flows, propagate
from stackatlas.scenarios.result import ScenarioResult
from stackatlas.scenarios.shocks import check_shock_values, shock_arrays
from stackatlas.scenarios.spec import ScenarioSpec, check_targets, load_scenario

_NETWORKS: dict[str, SupplyNetwork] = {}
BOUNDS = ("low", "high")


def network_for(atlas: Atlas, edge_shares: str = "point") -> SupplyNetwork:
    """``build_network(atlas, edge_shares=...)``, cached per atlas version."""
    version = atlas.version or str(id(atlas))
    key = f"{version}:{edge_shares}"
    if key not in _NETWORKS:
        for old in [k for k in _NETWORKS if not k.startswith(f"{version}:")]:
            del _NETWORKS[old]
        _NETWORKS[key] = build_network(atlas, edge_shares=edge_shares)
    return _NETWORKS[key]


def model_values(values: Mapping[str, Any]) -> ModelValues:
    return ModelValues(
        values["substitution_rate"],
        values["substitution_headroom"],
        values["inventory_quarters"],
        values["demand_passthrough"],
        int(values["solver_max_iterations"]),
        float(values["solver_tolerance"]),
    )


def simulate(
    spec: ScenarioSpec,
    net: SupplyNetwork,
    atlas: Atlas | None,
    values: Mapping[str, Any],
    quarters: int,
    draws: int,
    *,
    paths: bool = True,
    shares: EdgeDraws | None = None,
) -> Propagation:
    """Shock arrays for ``values`` then the propagation (draws >= 1); ``shares``: per-draw
    edge shares (``edge_draws.py``) instead of the network's."""
    arrays = shock_arrays(spec.shocks, net, atlas, values, quarters, draws)
    return propagate(
        net,
        arrays["supply"],
        arrays["demand"],
        arrays["purchases"],
        model_values(values),
        paths=paths,
        shares=shares,
    )


def run_scenario(
    name_or_spec: str | Path | ScenarioSpec,
    *,
    atlas: Atlas | None = None,
    overrides: Mapping[str, Any] | None = None,
    draws: int = 0,
    seed: int = 0,
    network: SupplyNetwork | None = None,
    baseline: Baseline | str | Path | None = None,
    eto: Any = None,
    edge_shares: str = "point",
) -> ScenarioResult:
    """Run a shipped scenario (by name), a user file (by path) or a parsed spec.

    ``overrides`` maps parameter names to numbers or distributions (``{"kind": "uniform",
    "low": .., "high": ..}``); ``draws`` > 0 adds a seeded Monte Carlo with p5 / p50 / p95.
    ``baseline`` (a ``Baseline`` or a CSV path) replaces atlas revenues for this run.
    A scenario targeting CSET/ETO ``inputs`` joins them to the network (``eto_network.py``;
    ``eto`` = the dataset, default the configured folder, else ``DataNotConfiguredError``).
    ``edge_shares`` (``point``, ``low``, ``high``) runs on the explicit edges' point shares or
    on their low / high bounds: the sensitivity of the result to the network's estimates;
    ``draw`` (needs ``draws``) gives each Monte Carlo draw the explicit edges' shares drawn
    from their ranges (triangular around the point, ``edge_draws.py``); the central run keeps
    the point shares.
    """
    spec = name_or_spec if isinstance(name_or_spec, ScenarioSpec) else load_scenario(name_or_spec)
    if not 0 <= draws <= MAX_DRAWS:
        raise ValidationError(
            Problem(INPUT, None, "draws", f"must be between 0 and {MAX_DRAWS:,}, got {draws}")
        )
    if not 0 <= seed <= MAX_SEED:
        raise ValidationError(
            Problem(INPUT, None, "seed", f"must be a whole number 0 to {MAX_SEED}, got {seed}")
        )
    if edge_shares not in EDGE_CHOICES:
        raise ValidationError(
            Problem(
                INPUT,
                None,
                "edge_shares",
                f"unknown edge shares {edge_shares!r} (expected one of: {', '.join(EDGE_CHOICES)})",
            )
        )
    if network is not None and edge_shares != "point":
        raise ValidationError(
            Problem(INPUT, None, "edge_shares", "applies to the atlas network; pass network=None")
        )
    if edge_shares == "draw" and not draws:
        raise ValidationError(
            Problem(
                INPUT,
                None,
                "edge_shares",
                "'draw' varies the edges across Monte Carlo draws: give draws > 0",
            )
        )
    bounds: list[SupplyNetwork] = []
    if network is None:
        if atlas is None:
            from stackatlas.atlas.loader import load_atlas

            atlas = load_atlas()
        which = "point" if edge_shares == "draw" else edge_shares
        if baseline is not None:
            if not isinstance(baseline, Baseline):
                baseline = read_baseline(baseline, set(atlas.companies))
            network = build_network(atlas, baseline=baseline, edge_shares=which)
            if edge_shares == "draw":
                bounds = [build_network(atlas, baseline=baseline, edge_shares=b) for b in BOUNDS]
        else:
            network = network_for(atlas, which)
            if edge_shares == "draw":
                bounds = [network_for(atlas, b) for b in BOUNDS]
    if atlas is not None:
        check_targets(spec, atlas)
    from stackatlas.scenarios.eto_network import join_eto, needs_eto

    if needs_eto(spec):
        if atlas is None:
            from stackatlas.atlas.loader import load_atlas

            atlas = load_atlas()
        network = join_eto(network, atlas, spec, eto)
    params = spec.all_params()
    fixed, dists = apply_overrides(params, overrides)
    quarters = round(fixed["horizon_quarters"])
    check_shock_values(spec, fixed, quarters, "default parameters")
    central = simulate(spec, network, atlas, fixed, quarters, 1)
    mc = mc_values = None
    notes = list(network.notes)
    if draws:
        mc_values = draw_values(params, fixed, dists, draws, seed)
        check_shock_values(spec, mc_values, quarters, f"parameters of {draws} draws")
        shares = draw_edge_shares(network, bounds[0], bounds[1], draws, seed) if bounds else None
        if shares is not None:
            notes.append(
                f"p5 / p50 / p95 include the network's uncertainty: in each draw the "
                f"{shares.varied} explicit edges with a low-high range take input and revenue "
                "shares drawn from it (triangular, mode at the point share); inferred edges "
                "keep their point shares"
            )
        mc = simulate(spec, network, atlas, mc_values, quarters, draws, paths=False, shares=shares)
    with one_blas_thread():  # the same bits as a sweep point, on any number of cores
        frames = summarize(
            network, central, fixed, mc, mc_values, atlas, targeted_segments(spec, atlas)
        )
    changed = {k for k, v in fixed.items() if v != params[k].default} | set(overrides or {})
    rows = [
        {
            "name": k,
            "value": fixed[k],
            "distribution": str(dists[k]) if k in dists else None,
            "low": p.low,
            "high": p.high,
            "unit": p.unit,
            "basis": str(p.basis),
            "origin": p.origin,
            "advanced": p.advanced,
            "changed": k in changed,
        }
        for k, p in params.items()
    ]
    return ScenarioResult(
        spec.name,
        spec.title,
        spec.description,
        quarters,
        draws,
        seed,
        pd.DataFrame(rows),
        *frames,
        notes=notes + _unresolved_layers(frames[0]),
        gains=spec.gains,
        edge_shares=edge_shares,
    )


def _unresolved_layers(layers: pd.DataFrame) -> list[str]:
    """A note per layer whose money is unknown: no member has a baseline revenue on file."""
    return [
        f"layer {r.layer}: no company in it has a baseline revenue on file (atlas figure or "
        "SEC filing), so its money is unresolved (shown as a dash, not zero); its % is the "
        "mean company loss"
        for r in layers.itertuples()
        if pd.isna(r.annual_revenue_usd_bn)
    ]


def _margin(net: SupplyNetwork, values: Mapping[str, Any], draws: int) -> np.ndarray:
    default = np.broadcast_to(
        np.atleast_1d(np.asarray(values["contribution_margin"], float)), (draws,)
    )
    own = net.margin if net.margin is not None else np.full(net.n_nodes, np.nan)
    return np.where(np.isnan(own)[:, None], default[None, :], own[:, None])


def summarize(
    net: SupplyNetwork,
    central: Propagation,
    fixed: Mapping[str, Any],
    mc: Propagation | None,
    mc_values: Mapping[str, Any] | None,
    atlas: Atlas | None,
    targeted: set[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    T = central.output_loss.shape[0]
    basis = money_basis(net, atlas, targeted or set())
    attr, rev_q, rev_known = basis.attr, basis.rev_q, basis.rev_known
    act_w, rest_w = basis.act_w, basis.rest_w

    def measures(prop: Propagation, values: Mapping[str, Any]) -> dict[str, np.ndarray]:
        out = prop.output_loss  # (T, n, D)
        out_sum = out.sum(0)
        margin = _margin(net, values, out.shape[2])
        c_usd = out_sum * rev_q[:, None]
        m = {"c_usd": c_usd, "c_pct": out_sum / T * 100, "c_op": c_usd * margin, "cq": out}
        seg_usd_q, seg_op = segment_quarters(out, basis, margin)
        assert seg_op is not None
        if out.shape[2] == 1:  # central run: peaks and per-quarter operating profit
            m["c_peak"] = out.max(0) * 100
            m["cq_op"] = out[:, :, 0] * (rev_q * margin[:, 0])[None, :]
            seg_op_q = np.stack(
                [
                    act_w @ (f * margin) + rest_w @ (r * margin)
                    for f, r in (split_loss(out[t], basis) for t in range(T))
                ]
            )
            m["lq_op"] = (attr.seg_layer.T @ seg_op_q[:, :, 0].T).T
        for lvl, mat, to_lvl in (
            ("s", basis.to_seg, np.eye(len(attr.segments))),
            ("l", basis.to_layer, attr.seg_layer),
        ):
            base_q = rev_known @ mat
            usd_q, m[f"{lvl}_usd"], m[f"{lvl}_pct"] = level_money(seg_usd_q, to_lvl, base_q)
            has = base_q > 0
            safe = np.where(has, base_q, 1.0)
            m[f"{lvl}_op"] = to_lvl.T @ seg_op
            m[f"{lvl}_base"] = base_q * 4
            col = mat.sum(axis=0)
            m[f"{lvl}_mean"] = (
                np.where(col > 0, (out_sum.mean(1) / T @ mat) / np.where(col > 0, col, 1.0), np.nan)
                * 100
            )
            m[f"{lvl}q_usd"] = usd_q
            m[f"{lvl}q_pct"] = np.where(
                has[None, :, None], usd_q / safe[None, :, None] * 100, np.nan
            )
        return m

    c = measures(central, fixed)
    b = measures(mc, mc_values) if mc is not None and mc_values is not None else None

    def frame(key: str, ids: list[str], extra: dict[str, Any]) -> pd.DataFrame:
        annual = c[f"{key[0]}_base"] if key != "company" else net.revenue
        df = pd.DataFrame(
            {
                key: ids,
                **extra,
                "annual_revenue_usd_bn": annual,
                "baseline_horizon_usd_bn": annual * T / 4,
                "revenue_at_risk_usd_bn": c[f"{key[0]}_usd"][:, 0],
                "revenue_at_risk_pct": c[f"{key[0]}_pct"][:, 0],
                "op_profit_at_risk_usd_bn": c[f"{key[0]}_op"][:, 0],
            }
        )
        if key == "company":
            df["peak_quarter_loss_pct"] = c["c_peak"][:, 0]
        else:  # covers companies without a baseline revenue too
            df["mean_company_loss_pct"] = c[f"{key[0]}_mean"]
        if b is not None:
            for name, arr in (("usd", b[f"{key[0]}_usd"]), ("pct", b[f"{key[0]}_pct"])):
                p5, p50, p95 = percentiles(arr)
                df[f"{name}_p5"], df[f"{name}_p50"], df[f"{name}_p95"] = p5, p50, p95
        if key != "company":  # no company with a revenue figure: money is unresolved
            empty = df["annual_revenue_usd_bn"].to_numpy() <= 0
            for col in [c for c in df.columns if "usd" in c]:
                df.loc[empty, col] = np.nan
        df["evidence"] = np.where(np.isnan(df["revenue_at_risk_usd_bn"]), "unresolved", "scenario")
        return df

    layers, segs = attr.layers, attr.segments
    companies = frame(
        "company",
        list(net.ids),
        {
            "name": net.names if net.names is not None else net.ids,
            "layer": net.layer if net.layer is not None else "",
            "segment": net.segment if net.segment is not None else "",
        },
    )
    seg_frame = frame(
        "segment", segs, {"layer": [layers[int(np.argmax(r))] for r in attr.seg_layer]}
    )
    seg_frame = seg_frame[seg_frame["annual_revenue_usd_bn"] > 0].reset_index(drop=True)
    layer_frame = frame("layer", layers, {})
    quarterly = _quarterly(c, b, layers, list(net.ids), T, rev_q)
    supply, demand = edge_flows(net, central, rev_q)
    edges = net.edges_frame()
    parts = []
    for channel, carried in (("supply", supply), ("demand", demand)):
        part = edges.assign(channel=channel, carried_usd_bn=carried)
        parts.append(part[np.abs(part["carried_usd_bn"]) > 1e-9])
    edge_frame = pd.concat(parts, ignore_index=True) if parts else edges
    edge_frame = edge_frame.sort_values("carried_usd_bn", key=np.abs, ascending=False)
    edge_frame = edge_frame[
        [
            "supplier",
            "customer",
            "channel",
            "group",
            "carried_usd_bn",
            "input_share",
            "revenue_share",
            "edge_kind",
            "origin",
        ]
    ].reset_index(drop=True)
    edge_frame["evidence"] = "scenario"
    return layer_frame, seg_frame, companies, quarterly, edge_frame


def _quarterly(
    c: dict, b: dict | None, layers: list[str], companies: list[str], T: int, rev_q: np.ndarray
) -> pd.DataFrame:
    frames = []
    for level, ids in (("layer", layers), ("company", companies)):
        if level == "layer":
            base_q = np.where(c["l_base"] > 0, c["l_base"] / 4, np.nan)
            known = np.isfinite(base_q)[None, :]  # no baseline: money unresolved, not zero
            usd = np.where(known, c["lq_usd"][:, :, 0], np.nan)
            op = np.where(known, c["lq_op"], np.nan)
            pct = c["lq_pct"][:, :, 0]
        else:
            pct = c["cq"][:, :, 0] * 100
            usd, op = pct * rev_q[None, :] / 100, c["cq_op"]
            base_q = rev_q
        q, i = np.meshgrid(np.arange(T), np.arange(len(ids)), indexing="ij")
        df = pd.DataFrame(
            {
                "level": level,
                "id": np.asarray(ids, dtype=object)[i.ravel()],
                "quarter": q.ravel() + 1,
                "baseline_quarter_usd_bn": np.asarray(base_q, float)[i.ravel()],
                "revenue_at_risk_usd_bn": usd.ravel(),
                "revenue_at_risk_pct": pct.ravel(),
                "op_profit_at_risk_usd_bn": op.ravel(),
            }
        )
        df["evidence"] = np.where(np.isnan(df["revenue_at_risk_usd_bn"]), "unresolved", "scenario")
        if b is not None:
            if level == "company":
                frames.append(df)  # per-quarter bands are kept for layers only
                continue
            bands = {"usd": percentiles(b["lq_usd"]), "pct": percentiles(b["lq_pct"])}
            for name, (p5, p50, p95) in bands.items():
                df[f"{name}_p5"], df[f"{name}_p50"] = p5.ravel(), p50.ravel()
                df[f"{name}_p95"] = p95.ravel()
        frames.append(df)
    return pd.concat(frames, ignore_index=True)
