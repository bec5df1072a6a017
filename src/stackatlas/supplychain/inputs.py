"""One row per ETO input: firm and country concentration, market size, year and sources.

The columns per side (``firm_*`` and ``country_*``) follow ``shares.side_shares``: leader,
CR1 / CR3 and HHI in percent points over named providers, ``*_remainder`` (placeholders plus
what no row accounts for), ``*_blank`` (named providers with a blank share) and the year used
(the latest the side has, unless ``year`` is given). The HHI band uses the 2023 US Merger
Guidelines thresholds as ``analysis.concentration`` does for atlas markets.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from stackatlas.supplychain.dataset import EtoData
from stackatlas.supplychain.shares import SideShares, parse_market_size, side_shares

COLUMNS = [
    "input_id",
    "input",
    "type",
    "stages",
    "market_size",
    "market_size_usd_bn",
    "market_size_year",
]
SIDE_FIELDS = ("year", "leader", "leader_id", "cr1", "cr3", "hhi", "remainder", "blank", "named")


def side_columns(side: SideShares, prefix: str) -> dict[str, Any]:
    """``firm_year``, ``firm_leader`` ... of one side."""
    values = {
        "year": side.year,
        "leader": side.leader,
        "leader_id": side.leader_id,
        "cr1": side.cr1,
        "cr3": side.cr3,
        "hhi": side.hhi,
        "remainder": side.remainder,
        "blank": side.n_blank,
        "named": side.n_named,
    }
    return {f"{prefix}_{k}": v for k, v in values.items()}


def input_table(eto: EtoData, year: int | None = None, guidelines: str = "2023") -> pd.DataFrame:
    """Every input that has share rows (latest year per side by default), largest firm HHI
    first; inputs whose named shares are all blank keep None, never zero."""
    from stackatlas.analysis.concentration import concentration_band

    have = {node for node, _ in eto.rows_by_node}
    rows = []
    for iid, item in eto.inputs.items():
        if iid not in have:
            continue
        firm = side_shares(eto, iid, "firm", year)
        country = side_shares(eto, iid, "country", year)
        if firm.year is None and country.year is None:
            continue
        size = parse_market_size(item.market_share_chart_global_market_size_info)
        sources = sorted({str(r["source"]) for r in [*firm.shares, *country.shares]})
        rows.append(
            {
                "input_id": iid,
                "input": item.input_name,
                "type": item.type.value,
                "stages": ";".join(eto.stages[s].stage_name for s in eto.graph.stages_of(iid)),
                "market_size": size.text if size else None,
                "market_size_usd_bn": size.usd_bn if size else None,
                "market_size_year": size.year if size else None,
                **side_columns(firm, "firm"),
                **side_columns(country, "country"),
                "firm_band": None if firm.hhi is None else concentration_band(firm.hhi, guidelines),  # type: ignore[arg-type]
                "sources": " | ".join(sources),
            }
        )
    columns = [
        *COLUMNS,
        *(f"firm_{f}" for f in SIDE_FIELDS),
        *(f"country_{f}" for f in SIDE_FIELDS),
        "firm_band",
        "sources",
    ]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(
        ["firm_hhi", "country_hhi", "input"], ascending=[False, False, True], na_position="last"
    ).reset_index(drop=True)
