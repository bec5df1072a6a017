"""Terminal view of the physical stack (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from stackatlas.display import DASH, rich_table

if TYPE_CHECKING:
    from stackatlas.infra.summary import InfraSummary


def _num(value: Any, spec: str = ",.2f") -> str:
    return DASH if value is None or value != value else format(value, spec)


def render_infra(summary: InfraSummary) -> Any:
    from rich.console import Group
    from rich.text import Text

    from stackatlas.infra.clusters import CITATION

    layers = summary.layers.assign(
        value=[
            _num(v, ".0%") if "share" in m else _num(v)
            for v, m in zip(summary.layers["value"], summary.layers["measure"], strict=True)
        ]
    )
    years = summary.by_year.assign(
        year=[
            f"{y}{' (to ' + str(summary.as_of) + ')' if p else ''}"
            for y, p in zip(summary.by_year["year"], summary.by_year["partial_year"], strict=True)
        ]
    ).drop(columns=["partial_year"])
    supplier = summary.by_supplier.assign(
        share_of_known=[_num(v, ".1%") for v in summary.by_supplier["share_of_known"]]
    )
    parts: list[Any] = [
        rich_table("The physical stack (Epoch AI GPU clusters)", layers),
        rich_table("Operational AI clusters at each year end (CY)", years.tail(8)),
        rich_table("Planned clusters (not in the figures above)", summary.planned),
        rich_table("Chip suppliers of operational compute", supplier),
        rich_table("Owners (operational H100e; shared owners split evenly)", _owners(summary)),
        rich_table("Countries (operational H100e; planned apart)", summary.by_country),
        rich_table("Hardware cost per MW by first-operational year", summary.cost_per_mw),
    ]
    parts += [Text(f"· {note}", style="dim") for note in summary.notes]
    parts.append(Text(f"source: {CITATION}", style="dim"))
    return Group(*parts)


def _owners(summary: InfraSummary) -> pd.DataFrame:
    frame = summary.by_owner
    if frame.empty:
        return frame
    cols = [
        "owner",
        "company",
        "operational_gw",
        "operational_h100e_m",
        "h100e_share",
        "planned_gw",
        "evidence",
    ]
    return frame[cols]
