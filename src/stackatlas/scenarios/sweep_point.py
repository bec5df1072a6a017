"""One sweep point's Monte Carlo bands, without a full ``run_scenario``.

A sweep row keeps p5 / p50 / p95 of revenue at risk (% and USD bn) per layer and per company.
``run_scenario`` computes far more for every point (the central run, operating profit, segment
and quarterly tables, edge flows, result frames), and rebuilds what does not depend on the
point's parameters (parameter specs, the ETO join, the attribution matrices). ``PointRunner``
builds the latter once per chunk and computes only the bands, with the same functions and in
the same order as ``run_scenario``: every value is bit for bit the one ``run_scenario`` reports
(tested), so engines, chunk sizes and ``scenario run --seed`` agree exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from stackatlas.atlas.atlas import Atlas
from stackatlas.scenarios.attribution import (
    MoneyBasis,
    level_money,
    money_basis,
    segment_quarters,
    targeted_segments,
)
from stackatlas.scenarios.montecarlo import apply_overrides, draw_values, percentiles
from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.params import ParamSpec
from stackatlas.scenarios.run import simulate
from stackatlas.scenarios.shocks import check_shock_values
from stackatlas.scenarios.spec import ScenarioSpec

BANDS = ("p5", "p50", "p95")
MEASURES = ("pct", "usd")


@dataclass(frozen=True)
class PointRunner:
    """The parameter-free part of a sweep point, built once (``prepare``), then ``bands``."""

    spec: ScenarioSpec
    atlas: Atlas | None
    network: SupplyNetwork
    params: dict[str, ParamSpec]
    basis: MoneyBasis
    layer_base_q: np.ndarray  # quarterly baseline revenue per layer (0 = unknown)

    @classmethod
    def prepare(
        cls, spec: ScenarioSpec, atlas: Atlas | None, network: SupplyNetwork
    ) -> PointRunner:
        """As ``run_scenario`` sets up a run: the ETO join when the scenario needs it."""
        from stackatlas.scenarios.eto_network import join_eto, needs_eto

        if needs_eto(spec):
            if atlas is None:
                from stackatlas.atlas.loader import load_atlas

                atlas = load_atlas()
            network = join_eto(network, atlas, spec)
        basis = money_basis(network, atlas, targeted_segments(spec, atlas))
        layer_base_q = basis.rev_known @ basis.to_layer
        return cls(spec, atlas, network, spec.all_params(), basis, layer_base_q)

    def bands(self, overrides: Mapping[str, Any], draws: int, seed: int) -> dict[str, float]:
        """``{"layer.<id>.<measure>_<band>": value, ..., "company.<id>...": ...}`` for one
        point: layers then companies, each by measure (pct, usd), band, id."""
        fixed, dists = apply_overrides(self.params, overrides)
        quarters = round(fixed["horizon_quarters"])
        check_shock_values(self.spec, fixed, quarters, "default parameters")
        values = draw_values(self.params, fixed, dists, draws, seed)
        check_shock_values(self.spec, values, quarters, f"parameters of {draws} draws")
        out = simulate(
            self.spec, self.network, self.atlas, values, quarters, draws, paths=False
        ).output_loss
        T = out.shape[0]
        out_sum = out.sum(0)
        seg_usd_q, _ = segment_quarters(out, self.basis)
        attr = self.basis.attr
        _, l_usd, l_pct = level_money(seg_usd_q, attr.seg_layer, self.layer_base_q)
        unknown = self.layer_base_q * 4 <= 0  # no baseline: money unresolved (NaN), never 0
        layer = {"pct": percentiles(l_pct), "usd": percentiles(l_usd)}
        layer["usd"] = np.where(unknown[None, :], np.nan, layer["usd"])
        company = {
            "pct": percentiles(out_sum / T * 100),
            "usd": percentiles(out_sum * self.basis.rev_q[:, None]),
        }
        row = _named("layer", attr.layers, layer)
        row.update(_named("company", [str(i) for i in self.network.ids], company))
        return row


def _named(key: str, ids: list[str], bands: dict[str, np.ndarray]) -> dict[str, float]:
    out: dict[str, float] = {}
    for measure in MEASURES:
        for b, band in enumerate(BANDS):
            row = zip(ids, bands[measure][b], strict=True)
            out.update({f"{key}.{i}.{measure}_{band}": float(v) for i, v in row})
    return out
