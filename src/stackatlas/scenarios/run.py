"""``run_scenario``: load a scenario, resolve parameters, propagate, summarise."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import ValidationError
from stackatlas.scenarios.atlas_network import build_network
from stackatlas.scenarios.montecarlo import apply_overrides, draw_values, percentiles
from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.propagate import ModelValues, Propagation, edge_flows, propagate
from stackatlas.scenarios.result import ScenarioResult
from stackatlas.scenarios.shocks import shock_arrays
from stackatlas.scenarios.spec import ScenarioSpec, check_targets, load_scenario

_NETWORKS: dict[str, SupplyNetwork] = {}


def network_for(atlas: Atlas) -> SupplyNetwork:
    """``build_network(atlas)``, cached per atlas version."""
    key = atlas.version or str(id(atlas))
    if key not in _NETWORKS:
        _NETWORKS.clear()
        _NETWORKS[key] = build_network(atlas)
    return _NETWORKS[key]


def model_values(values: Mapping[str, Any]) -> ModelValues:
    return ModelValues(values["substitution_rate"], values["substitution_headroom"],
                       values["inventory_quarters"], values["demand_passthrough"],
                       int(values["solver_max_iterations"]), float(values["solver_tolerance"]))


def simulate(spec: ScenarioSpec, net: SupplyNetwork, atlas: Atlas | None,
             values: Mapping[str, Any], quarters: int, draws: int) -> Propagation:
    """Shock arrays for ``values`` then the propagation (draws >= 1)."""
    arrays = shock_arrays(spec.shocks, net, atlas, values, quarters, draws)
    return propagate(net, arrays["supply"], arrays["demand"], arrays["purchases"],
                     model_values(values))


def run_scenario(name_or_spec: str | Path | ScenarioSpec, *, atlas: Atlas | None = None,
                 overrides: Mapping[str, Any] | None = None, draws: int = 0, seed: int = 0,
                 network: SupplyNetwork | None = None) -> ScenarioResult:
    """Run a shipped scenario (by name), a user file (by path) or a parsed spec.

    ``overrides`` maps parameter names to numbers or distributions (``{"kind": "uniform",
    "low": .., "high": ..}``); ``draws`` > 0 adds a seeded Monte Carlo with p5 / p50 / p95.
    """
    spec = name_or_spec if isinstance(name_or_spec, ScenarioSpec) else \
        load_scenario(name_or_spec)
    if draws < 0:
        raise ValidationError("draws must be 0 or positive")
    if network is None:
        if atlas is None:
            from stackatlas.atlas.loader import load_atlas

            atlas = load_atlas()
        network = network_for(atlas)
    if atlas is not None:
        check_targets(spec, atlas)
    params = spec.all_params()
    fixed, dists = apply_overrides(params, overrides)
    quarters = round(fixed["horizon_quarters"])
    central = simulate(spec, network, atlas, fixed, quarters, 1)
    mc = mc_values = None
    if draws:
        mc_values = draw_values(params, fixed, dists, draws, seed)
        mc = simulate(spec, network, atlas, mc_values, quarters, draws)
    frames = summarize(network, central, fixed, mc, mc_values, atlas)
    changed = {k for k, v in fixed.items() if v != params[k].default} | set(overrides or {})
    rows = [{"name": k, "value": fixed[k], "distribution": str(dists[k]) if k in dists else None,
             "low": p.low, "high": p.high, "unit": p.unit, "basis": str(p.basis),
             "origin": p.origin, "changed": k in changed} for k, p in params.items()]
    return ScenarioResult(spec.name, spec.title, spec.description, quarters, draws, seed,
                          pd.DataFrame(rows), *frames, notes=list(network.notes))


def _margin(net: SupplyNetwork, values: Mapping[str, Any], draws: int) -> np.ndarray:
    default = np.broadcast_to(np.atleast_1d(np.asarray(values["contribution_margin"], float)),
                              (draws,))
    own = net.margin if net.margin is not None else np.full(net.n_nodes, np.nan)
    return np.where(np.isnan(own)[:, None], default[None, :], own[:, None])


def _aggregate(net: SupplyNetwork, atlas: Atlas | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Row-normalised node x segment and segment x layer matrices."""
    w = net.segment_weights
    if w is None:
        w = pd.DataFrame({"all": np.ones(net.n_nodes)}, index=net.ids)
    w = w.reindex(net.ids).fillna(0.0)
    total = w.sum(axis=1).replace(0.0, np.nan)
    w = w.div(total, axis=0).fillna(0.0)
    layer_of = atlas.layer_of_segment if atlas is not None else {}
    layers = list(atlas.layer_ids) if atlas is not None else ["all"]
    seg_layer = pd.DataFrame(0.0, index=w.columns, columns=layers)
    for seg in w.columns:
        seg_layer.loc[seg, layer_of.get(seg, layers[0])] = 1.0
    return w, seg_layer


def summarize(net: SupplyNetwork, central: Propagation, fixed: Mapping[str, Any],
              mc: Propagation | None, mc_values: Mapping[str, Any] | None,
              atlas: Atlas | None) -> tuple[pd.DataFrame, ...]:
    T = central.output_loss.shape[0]
    rev_q = net.revenue / 4.0
    w, seg_layer = _aggregate(net, atlas)
    to_seg = w.to_numpy()
    to_layer = to_seg @ seg_layer.to_numpy()

    def measures(prop: Propagation, values: Mapping[str, Any]) -> dict[str, np.ndarray]:
        out = prop.output_loss  # (T, n, D)
        rar = out * rev_q[None, :, None]
        op = rar * _margin(net, values, out.shape[2])[None]
        known = np.nan_to_num(rar)
        m = {"c_usd": rar.sum(0), "c_pct": out.mean(0) * 100, "c_op": op.sum(0),
             "c_peak": out.max(0) * 100, "cq_usd": rar, "cq_pct": out * 100}
        for lvl, mat in (("s", to_seg), ("l", to_layer)):
            usd_q = np.einsum("tnd,nk->tkd", known, mat)
            base_q = np.nan_to_num(rev_q) @ mat
            with np.errstate(invalid="ignore", divide="ignore"):
                pct_q = np.where(base_q[None, :, None] > 0, usd_q / base_q[None, :, None] * 100,
                                 np.nan)
            m[f"{lvl}_usd"] = usd_q.sum(0)
            m[f"{lvl}_op"] = np.einsum("tnd,nk->kd", np.nan_to_num(op), mat)
            m[f"{lvl}_pct"] = np.where(base_q[:, None] > 0, m[f"{lvl}_usd"] /
                                       np.where(base_q > 0, base_q * T, 1.0)[:, None] * 100,
                                       np.nan)
            m[f"{lvl}_base"] = base_q * 4
            col = mat.sum(axis=0)
            m[f"{lvl}_mean"] = np.where(col > 0, (out.mean(0)[:, 0] @ mat) /
                                        np.where(col > 0, col, 1.0), np.nan) * 100
            m[f"{lvl}q_usd"], m[f"{lvl}q_pct"] = usd_q, pct_q
        return m

    c = measures(central, fixed)
    b = measures(mc, mc_values) if mc is not None and mc_values is not None else None

    def frame(key: str, ids: list[str], extra: dict[str, Any]) -> pd.DataFrame:
        df = pd.DataFrame({key: ids, **extra,
                           "baseline_revenue_usd_bn": c[f"{key[0]}_base"] if key != "company"
                           else net.revenue,
                           "revenue_at_risk_usd_bn": c[f"{key[0]}_usd"][:, 0],
                           "revenue_at_risk_pct": c[f"{key[0]}_pct"][:, 0],
                           "op_profit_at_risk_usd_bn": c[f"{key[0]}_op"][:, 0]})
        if key == "company":
            df["peak_quarter_loss_pct"] = c["c_peak"][:, 0]
        else:  # covers companies without a baseline revenue too
            df["mean_company_loss_pct"] = c[f"{key[0]}_mean"]
        if b is not None:
            for name, arr in (("usd", b[f"{key[0]}_usd"]), ("pct", b[f"{key[0]}_pct"])):
                p5, p50, p95 = percentiles(arr)
                df[f"{name}_p5"], df[f"{name}_p50"], df[f"{name}_p95"] = p5, p50, p95
        df["evidence"] = np.where(np.isnan(df["revenue_at_risk_usd_bn"]), "unresolved",
                                  "scenario")
        return df

    layers = list(seg_layer.columns)
    segs = list(w.columns)
    companies = frame("company", list(net.ids), {
        "name": net.names if net.names is not None else net.ids,
        "layer": net.layer if net.layer is not None else "",
        "segment": net.segment if net.segment is not None else ""})
    seg_frame = frame("segment", segs, {"layer": [seg_layer.columns[int(np.argmax(r))]
                                                  for r in seg_layer.to_numpy()]})
    seg_frame = seg_frame[seg_frame["baseline_revenue_usd_bn"] > 0].reset_index(drop=True)
    layer_frame = frame("layer", layers, {})
    quarterly = _quarterly(c, b, layers, list(net.ids), T)
    supply, demand = edge_flows(net, central, rev_q)
    edges = net.edges_frame()
    parts = []
    for channel, carried in (("supply", supply), ("demand", demand)):
        part = edges.assign(channel=channel, carried_usd_bn=carried)
        parts.append(part[np.abs(part["carried_usd_bn"]) > 1e-9])
    edge_frame = pd.concat(parts, ignore_index=True) if parts else edges
    edge_frame = edge_frame.sort_values("carried_usd_bn", key=np.abs, ascending=False)
    edge_frame = edge_frame[["supplier", "customer", "channel", "group", "carried_usd_bn",
                             "input_share", "revenue_share", "origin"]].reset_index(drop=True)
    return layer_frame, seg_frame, companies, quarterly, edge_frame


def _quarterly(c: dict, b: dict | None, layers: list[str], companies: list[str],
               T: int) -> pd.DataFrame:
    frames = []
    for level, ids, usd, pct in (("layer", layers, "lq_usd", "lq_pct"),
                                 ("company", companies, "cq_usd", "cq_pct")):
        q, i = np.meshgrid(np.arange(T), np.arange(len(ids)), indexing="ij")
        df = pd.DataFrame({"level": level, "id": np.asarray(ids, dtype=object)[i.ravel()],
                           "quarter": q.ravel() + 1,
                           "revenue_at_risk_usd_bn": c[usd][:, :, 0].ravel(),
                           "revenue_at_risk_pct": c[pct][:, :, 0].ravel()})
        if b is not None:
            for name, key in (("usd", usd), ("pct", pct)):
                p5, p50, p95 = percentiles(b[key])
                df[f"{name}_p5"], df[f"{name}_p50"] = p5.ravel(), p50.ravel()
                df[f"{name}_p95"] = p95.ravel()
        frames.append(df)
    return pd.concat(frames, ignore_index=True)
