"""Chokepoints along the chip supply sequence: inputs where one firm or one country holds
at least half the market, with where they lead.

A **firm chokepoint** is an input whose largest named firm (never a "Various companies"
placeholder) has a share >= ``threshold`` (50%) in the latest year; a **country chokepoint**
the same for countries. Each row carries the share's year and source, the path through
``sequence.csv`` to the AI outputs it reaches and the atlas companies exposed (``reach.py``).

**Score** = share x reach, with reach as in ``analysis.concentration`` (companies downstream
over placed companies, less the input's own atlas providers), so ETO inputs rank beside the
atlas markets on one scale. Roles: ``sole supplier`` (>= 99.5%), ``dominant supplier``
(>= 90%), ``majority supplier`` (>= 50%).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.display import records
from stackatlas.supplychain.dataset import EtoData
from stackatlas.supplychain.inputs import input_table
from stackatlas.supplychain.reach import input_reach
from stackatlas.supplychain.shares import side_shares

THRESHOLD = 50.0
SOLE, DOMINANT = 99.5, 90.0
COLUMNS = [
    "rank",
    "input_id",
    "input",
    "side",
    "provider_id",
    "provider",
    "company",
    "relation",
    "country",
    "share",
    "year",
    "source",
    "n_named",
    "hhi",
    "cr3",
    "remainder",
    "market_size",
    "role",
    "stages",
    "path",
    "ai_outputs",
    "exposed",
    "tier1",
    "downstream",
    "reach",
    "score",
]


def role(share: float) -> str:
    if share >= SOLE:
        return "sole supplier"
    if share >= DOMINANT:
        return "dominant supplier"
    return "majority supplier"


def atlas_links(atlas: Atlas) -> dict[str, tuple[str, str]]:
    """ETO provider id -> (atlas company, relation) from the atlas's ``eto_providers``."""
    return {link.provider_id: (link.company, link.relation) for link in atlas.eto_providers}


@dataclass
class EtoChokepoints:
    """Firm and country chokepoints, each ranked by score."""

    firms: pd.DataFrame
    countries: pd.DataFrame
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold_pct": self.threshold,
            "firms": records(self.firms),
            "countries": records(self.countries),
        }


def eto_chokepoints(
    eto: EtoData, atlas: Atlas, *, threshold: float = THRESHOLD, year: int | None = None
) -> EtoChokepoints:
    """Every input with a firm or a country at or above ``threshold`` percent."""
    links = atlas_links(atlas)
    table = input_table(eto, year)
    out: dict[str, list[dict[str, Any]]] = {"firm": [], "country": []}
    for item in table.itertuples():
        for side in ("firm", "country"):
            cr1 = getattr(item, f"{side}_cr1")
            if cr1 is None or pd.isna(cr1) or cr1 < threshold:
                continue
            shares = side_shares(eto, item.input_id, side, year)
            top = shares.named[0]
            provider = eto.providers[str(top["provider_id"])]
            firm_rows = side_shares(eto, item.input_id, "firm", year).shares
            suppliers = {links[r["provider_id"]][0] for r in firm_rows if r["provider_id"] in links}
            reach = input_reach(eto, atlas, item.input_id, suppliers)
            company, relation = links.get(provider.id, (None, None))
            tier1 = [r["company"] for r in reach.exposed if r["tier"] == 1]
            out[side].append(
                {
                    "input_id": item.input_id,
                    "input": item.input,
                    "side": side,
                    "provider_id": provider.id,
                    "provider": provider.display,
                    "company": company,
                    "relation": relation,
                    "country": provider.country if side == "firm" else provider.name,
                    "share": float(top["share"]),
                    "year": int(top["year"]),
                    "source": top["source"],
                    "n_named": shares.n_named,
                    "hhi": shares.hhi,
                    "cr3": shares.cr3,
                    "remainder": shares.remainder,
                    "market_size": item.market_size,
                    "role": role(float(top["share"])),
                    "stages": item.stages,
                    "path": " -> ".join(eto.name_of(n) for n in reach.path),
                    "ai_outputs": ";".join(reach.outputs),
                    "exposed": len(reach.exposed),
                    "tier1": ";".join(tier1),
                    "downstream": reach.downstream,
                    "reach": reach.reach,
                    "score": float(top["share"]) / 100.0 * reach.reach,
                }
            )
    frames = {}
    for side, rows in out.items():
        frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"])
        frame = frame.sort_values(
            ["score", "share", "input"], ascending=[False, False, True], kind="stable"
        ).reset_index(drop=True)
        frame.insert(0, "rank", range(1, len(frame) + 1))
        frames[side] = frame
    return EtoChokepoints(frames["firm"], frames["country"], threshold)


def eto_chokepoint_rows(
    firms: pd.DataFrame, spof_share: float, inflow: dict[str, float]
) -> list[dict[str, Any]]:
    """ETO firm chokepoints as rows of ``analysis.concentration.chokepoints`` (shares as
    fractions; the supplier is the atlas company when mapped, else ``eto:<provider id>``)."""
    from stackatlas.evidence import Evidence

    rows = []
    for r in firms.itertuples():
        share = r.share / 100.0
        company = r.company if isinstance(r.company, str) else None
        rows.append(
            {
                "company": company,
                "market": f"eto:{r.input_id}",
                "share": share,
                "n_suppliers": r.n_named,
                "downstream": r.downstream,
                "reach": r.reach,
                "score": r.score,
                "inflow_known": inflow.get(company) if company else None,
                "single_point": share >= spof_share,
                "role": r.role if share >= spof_share else "",
                "evidence": Evidence.ESTIMATED.value,
                "supplier_id": company or f"eto:{r.provider_id}",
                "supplier": r.provider,
                "market_name": r.input,
                "year": r.year,
                "basis": "eto",
                "source": r.source,
            }
        )
    return rows
