"""Scenarios that start below the chips layer: ETO inputs join the supply network.

A scenario whose shocks target ``inputs`` (CSET/ETO input ids or names) runs on the atlas
network plus, for each targeted input X (settings and bases: ``data/supplychain/network.yaml``):

- **flow nodes** ``eto:X@D``, one per destination country D of X's first-tier atlas customers
  (the makers of the AI output nearest to X along ``sequence.csv``: fabs for a lithography
  tool, packagers for a dicing tool, chip designers for EDA), and ``eto:X@ROW`` for buyers
  outside the atlas (share ``1 - coverage`` of X's sales);
- **node -> customer** edges: input share 1 in an input group ``eto:X`` of its own; exposure =
  the share of output that stops with the flow, by X's type, times the customer's membership
  weight in the segments that make the output (Samsung's phones need no photoresist);
- **provider -> node** edges for ETO providers that are atlas companies: input share = the
  provider's ETO share of X (latest year); revenue share = the provider's chips-layer weight x
  its ETO sales of X over its ETO sales of all the most specific inputs it supplies (market size
  x share) x the destination's part (coverage x the destination's share of atlas buyer size;
  ROW: ``1 - coverage``). A provider's other edges give up that much revenue share, so its
  total stays what the atlas had (capped at 1).

From there the atlas network carries the shock on (fabs -> chip designers -> clouds -> labs).
Shock targets: ``inputs`` picks the flow nodes (``countries`` filters destinations, ``ROW``
included only when named); ``supplier_countries`` scales each node by those countries' combined
ETO share of X (a blank share is an error naming the shock). ``join_eto`` is the one entry
point (called by ``run.run_scenario``).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import DataNotConfiguredError, Problem, ValidationError
from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.params import model_config
from stackatlas.scenarios.spec import ScenarioSpec, ShockSpec
from stackatlas.scenarios.yamlmarks import load_marked

ROW = "ROW"
INPUT_TARGETS = ("inputs", "supplier_countries")
NETWORK_FILE = "network.yaml"


def needs_eto(spec: ScenarioSpec) -> bool:
    """True when a shock targets ETO inputs (the scenario needs the dataset)."""
    return any("inputs" in shock.targets for shock in spec.shocks)


@cache
def eto_settings() -> dict[str, Any]:
    """``data/supplychain/network.yaml`` (exposure by input type, coverage by stage)."""
    entry = resources.files("stackatlas").joinpath("data", "supplychain", NETWORK_FILE)
    doc = load_marked(entry.read_bytes().decode(), f"stackatlas/data/supplychain/{NETWORK_FILE}")
    problems = []
    for table in ("exposure", "coverage"):
        for key, item in (doc.data.get(table) or {}).items():
            low, high = item.get("range", [None, None])
            value = item.get("value")
            if not (isinstance(value, int | float) and low <= value <= high and item.get("basis")):
                problems.append(doc.problem((table, key), "needs value within range and a basis"))
    if problems:
        raise ValidationError(problems)
    return doc.data


def join_eto(
    net: SupplyNetwork, atlas: Atlas, spec: ScenarioSpec, eto: Any = None
) -> SupplyNetwork:
    """``net`` plus the flow nodes and edges of the inputs ``spec`` targets (module doc).
    ``eto`` defaults to the configured dataset; without one, ``DataNotConfiguredError``."""
    from stackatlas.supplychain.citation import CITATION, HOW_TO_GET
    from stackatlas.supplychain.loader import optional_eto

    data = eto if eto is not None else optional_eto()
    if data is None:
        raise DataNotConfiguredError(
            f"scenario {spec.name!r} starts below the chips layer (targets CSET/ETO inputs) and "
            f"needs the dataset; {HOW_TO_GET}"
        )
    ids = _resolve_inputs(spec, data)
    builder = _Builder(net, atlas, data)
    for input_id in dict.fromkeys(ids.values()):
        builder.add_input(input_id)
    joined = builder.build()
    joined.extra["eto_inputs"] = ids
    joined.extra["eto_supplier_shares"] = _supplier_shares(spec, data, ids)
    joined.notes.append(f"chip inputs from {CITATION} (CC BY-NC 4.0): " + "; ".join(builder.log))
    return joined


def _resolve_inputs(spec: ScenarioSpec, eto: Any) -> dict[str, str]:
    """Every ``inputs`` target (id or name) -> input id; unknown names are located errors."""
    from stackatlas.errors import NotFoundError

    out: dict[str, str] = {}
    problems: list[Problem] = []
    for shock in spec.shocks:
        for j, raw in enumerate(shock.targets.get("inputs", [])):
            try:
                out[raw] = eto.find_input(raw).input_id
            except NotFoundError as exc:
                problems.append(_problem(spec, shock, ("inputs", j), str(exc)))
    if problems:
        raise ValidationError(problems)
    return out


def _problem(spec: ScenarioSpec, shock: ShockSpec, where: tuple[Any, ...], msg: str) -> Problem:
    path = ("shocks", shock.index, "targets", *where)
    if spec.doc is not None:
        return spec.doc.problem(path, msg)
    return Problem(spec.file, None, ".".join(map(str, path)), msg)


def _supplier_shares(spec: ScenarioSpec, eto: Any, ids: dict[str, str]) -> dict[int, dict]:
    """shock index -> input id -> combined share (0..1) of its ``supplier_countries``."""
    from stackatlas.errors import NotFoundError
    from stackatlas.supplychain.shares import is_blank, side_shares

    out: dict[int, dict] = {}
    problems: list[Problem] = []
    for shock in spec.shocks:
        wanted = shock.targets.get("supplier_countries")
        if not wanted or "inputs" not in shock.targets:
            continue
        codes = []
        for j, raw in enumerate(wanted):
            try:
                codes.append(eto.find_country(raw))
            except NotFoundError as exc:
                problems.append(_problem(spec, shock, ("supplier_countries", j), str(exc)))
        per_input: dict[str, float] = {}
        for raw in shock.targets["inputs"]:
            iid = ids[raw]
            by_country = {r["provider"]: r["share"] for r in side_shares(eto, iid, "country").named}
            firms = side_shares(eto, iid, "firm").named
            total = 0.0
            for code in codes:
                share = by_country.get(code)
                if share is None or is_blank(share):  # fall back to the firms based there
                    known = [r["share"] for r in firms if r["provider_country"] == code]
                    listed = code in by_country or bool(known)
                    if not listed:  # not a provider of this input in the ETO data
                        share = 0.0
                    elif known and not any(map(is_blank, known)):
                        share = sum(known)
                    else:
                        share = None
                if share is None:
                    problems.append(
                        _problem(
                            spec,
                            shock,
                            ("supplier_countries",),
                            f"the share of {code} in {eto.name_of(iid)} is unknown in the ETO "
                            "data (blank); give it as a scenario parameter instead",
                        )
                    )
                    continue
                total += share / 100
            per_input[iid] = min(total, 1.0)
        out[shock.index] = per_input
    if problems:
        raise ValidationError(problems)
    return out


def eto_target_scale(shock: ShockSpec, net: SupplyNetwork) -> np.ndarray:
    """Share of each flow node a shock with ``inputs`` targets touches (0 elsewhere)."""
    scale = np.zeros(net.n_nodes)
    if "inputs" not in shock.targets:
        return scale
    extra: dict[str, Any] = net.extra
    ids: dict[str, str] = extra.get("eto_inputs", {})
    nodes: pd.DataFrame | None = extra.get("eto_nodes")
    if nodes is None or nodes.empty:
        return scale
    shares = extra.get("eto_supplier_shares", {}).get(shock.index)
    wanted = {ids.get(raw, raw) for raw in shock.targets["inputs"]}
    countries = shock.targets.get("countries")
    index = net.index
    for row in nodes.itertuples():
        if row.input_id not in wanted:
            continue
        if countries is not None and row.destination not in countries:
            continue  # without a country filter the shock reaches ROW (buyers outside) too
        scale[index[row.node]] = 1.0 if shares is None else shares.get(row.input_id, 0.0)
    return scale


class _Builder:
    """Collects flow nodes and edges, then rebuilds the network arrays once."""

    def __init__(self, net: SupplyNetwork, atlas: Atlas, eto: Any) -> None:
        self.net, self.atlas, self.eto = net, atlas, eto
        self.settings = eto_settings()
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.log: list[str] = []
        fill = float(model_config().network["unknown_revenue_usd_bn"]["value"])
        revenue = pd.Series(net.revenue, index=list(net.ids), dtype=float)
        self.size = revenue.fillna(fill)
        self.weights = (
            net.segment_weights.reindex(list(net.ids)).fillna(0.0)
            if net.segment_weights is not None
            else pd.DataFrame(index=list(net.ids))
        )

    def add_input(self, input_id: str) -> None:
        from stackatlas.supplychain.chokepoints import atlas_links
        from stackatlas.supplychain.reach import ai_outputs, input_reach
        from stackatlas.supplychain.shares import side_shares

        eto, atlas = self.eto, self.atlas
        item = eto.inputs[input_id]
        reach = input_reach(eto, atlas, input_id)
        first = [r for r in reach.exposed if r["tier"] == 1 and r["company"] in self.net.index]
        outputs = {o.id: o for o in ai_outputs()}
        segs = {s for r in first for s in outputs[r["via"]].segments}
        stage = reach.stages[0] if reach.stages else "S2"
        coverage = float(self.settings["coverage"][stage]["value"])
        exposure = float(self.settings["exposure"][item.type.value]["value"])
        buyers: dict[str, float] = {}
        share_needing: dict[str, float] = {}  # part of the buyer's revenue made with the input
        cols = [s for s in segs if s in self.weights.columns]
        for r in first:
            weight = min(float(self.weights.loc[r["company"], cols].sum()), 1.0) if cols else 1.0
            share_needing[r["company"]] = weight
            buyers[r["company"]] = weight * float(self.size[r["company"]])
        total = sum(buyers.values()) or 1.0
        by_country: dict[str, list[str]] = defaultdict(list)
        for company in buyers:
            by_country[atlas.companies[company].country].append(company)
        dest_share = {
            d: coverage * sum(buyers[c] for c in cs) / total for d, cs in by_country.items()
        }
        dest_share[ROW] = 1.0 - coverage
        for dest, part in dest_share.items():
            node = f"eto:{input_id}@{dest}"
            self.nodes.append(
                {
                    "node": node,
                    "name": f"{item.input_name} -> {dest} (ETO input flow)",
                    "input_id": input_id,
                    "destination": dest,
                    "part": part,
                }
            )
            for company in by_country.get(dest, []):
                self.edges.append(
                    {
                        "supplier": node,
                        "customer": company,
                        "group": f"eto:{input_id}",
                        "input_share": 1.0,
                        "revenue_share": 0.0,
                        "exposure": exposure * share_needing[company],
                        "origin": f"eto:{input_id}",
                    }
                )
        links = atlas_links(atlas)
        firms = side_shares(eto, input_id, "firm")
        providers = []
        for r in firms.named:
            linked = links.get(r["provider_id"], (None, None))[0]
            if linked is None or linked not in self.net.index or r["share"] != r["share"]:
                continue
            providers.append(linked)
            sales_part = self._sales_fraction(r["provider_id"], input_id)
            weight = min(float(self.weights.loc[linked].sum()), 1.0)
            for dest, part in dest_share.items():
                self.edges.append(
                    {
                        "supplier": linked,
                        "customer": f"eto:{input_id}@{dest}",
                        "group": f"eto-supply:{input_id}",
                        "input_share": r["share"] / 100,
                        "revenue_share": weight * sales_part * part,
                        "exposure": 1.0,
                        "origin": f"eto:{input_id}",
                    }
                )
        self.log.append(
            f"{item.input_name} ({input_id}) -> {', '.join(sorted(buyers)) or 'no atlas buyer'}"
            f" [exposure {exposure:g}, coverage {coverage:g}; providers in the atlas: "
            f"{', '.join(providers) or 'none'}]"
        )

    def _sales_fraction(self, provider_id: str, input_id: str) -> float:
        """The provider's ETO sales of ``input_id`` over its sales of all the most specific
        inputs it supplies (market size x share, latest year; unknown sizes left out)."""
        from stackatlas.supplychain.shares import is_blank, parse_market_size, side_shares

        eto = self.eto

        def sales(node: str) -> float | None:
            size = parse_market_size(eto.inputs[node].market_share_chart_global_market_size_info)
            row = next(
                (
                    r
                    for r in side_shares(eto, node, "firm").named
                    if r["provider_id"] == provider_id
                ),
                None,
            )
            if size is None or size.usd_bn is None or row is None or is_blank(row["share"]):
                return None
            return size.usd_bn * row["share"] / 100

        mine = eto.provision.loc[eto.provision["provider_id"] == provider_id, "provided_id"]
        leaves = [n for n in dict.fromkeys(mine) if n in eto.inputs and eto.graph.is_leaf(n)]
        total = sum(v for v in map(sales, leaves) if v is not None)
        own = sales(input_id)
        if own is None or total <= 0:
            return 0.0
        return min(own / total, 1.0)

    def build(self) -> SupplyNetwork:
        net = self.net
        old = net.edges_frame().drop(columns=["exposure"]).assign(exposure=net.edge_exposure)
        new = pd.DataFrame(self.edges, columns=list(old.columns))
        added = new.groupby("supplier")["revenue_share"].sum()
        if len(added):  # a provider's other edges give up the revenue share its ETO edges take
            existing = old.groupby("supplier")["revenue_share"].sum()
            room = (1.0 - added).clip(lower=0.0)
            scale = (room / existing.reindex(added.index)).clip(upper=1.0).fillna(1.0)
            factor = old["supplier"].map(scale).fillna(1.0)
            old = old.assign(revenue_share=old["revenue_share"] * factor)
        frame = pd.concat([old, new], ignore_index=True)
        node_ids = [n["node"] for n in self.nodes]
        ids = np.asarray([*net.ids, *node_ids], dtype=object)
        index = {str(c): i for i, c in enumerate(ids)}
        extra_n = len(node_ids)
        group_names, gidx = np.unique(frame["group"].astype(str).to_numpy(), return_inverse=True)

        def grow(arr: np.ndarray | None, fill: Any) -> np.ndarray | None:
            if arr is None:
                return None
            return np.concatenate([arr, np.full(extra_n, fill, dtype=arr.dtype)])

        weights = net.segment_weights
        active = net.segment_active
        return SupplyNetwork.from_arrays(
            ids,
            frame["supplier"].map(index).to_numpy(np.int64),
            frame["customer"].map(index).to_numpy(np.int64),
            frame["input_share"].to_numpy(float),
            frame["revenue_share"].to_numpy(float),
            gidx.astype(np.int64),
            tuple(str(g) for g in group_names),
            revenue=np.concatenate([net.revenue, np.full(extra_n, np.nan)]),
            exposure=frame["exposure"].to_numpy(float),
            origin=frame["origin"].to_numpy(object),
            # ETO edges are share-based (proportional sourcing of an input): inferred
            kind=frame["edge_kind"].fillna("inferred").to_numpy(object),
            names=np.concatenate(
                [
                    net.names if net.names is not None else net.ids,
                    np.asarray([n["name"] for n in self.nodes], dtype=object),
                ]
            ),
            layer=grow(net.layer, ""),
            segment=grow(net.segment, ""),
            margin=grow(net.margin, np.nan),
            segment_weights=None if weights is None else weights.reindex(list(ids)).fillna(0.0),
            segment_active=None if active is None else active.reindex(list(ids)).fillna(False),
            revenue_basis=grow(net.revenue_basis, ""),
            notes=list(net.notes),
            extra={**net.extra, "eto_nodes": pd.DataFrame(self.nodes)},
        )
