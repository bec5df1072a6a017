"""``coverage()``: the coverage map as a result object (table, JSON, the one-line summary).

``Coverage.line(year)`` is the per-layer line ``stackatlas run`` prints and pools cite;
``to_dict`` lists every atlas company with a status per metric and year and a reason (and a
fix) for every gap; ``__rich__`` shows the layer summary, a company matrix for one year and
the gaps grouped by reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text

from stackatlas.analysis.coverage import (
    CELL_FIELDS,
    COVERAGE_METRICS,
    CoverageSpec,
    compute_coverage,
)
from stackatlas.atlas.atlas import Atlas
from stackatlas.display import fmt_num, fmt_pct, records
from stackatlas.evidence import Evidence
from stackatlas.notebook import Tabular
from stackatlas.resolver import Resolver

if TYPE_CHECKING:
    from stackatlas.store import Store

SHORT = {
    "revenue": "revenue",
    "operating_income": "op.inc",
    "capex": "capex",
    "operating_cash_flow": "OCF",
}
SOURCE_SHORT = {
    "sec-companyfacts": "sec",
    "sec-filing": "filing",
    "yahoo": "yahoo",
    "user-csv": "csv",
    "atlas": "atlas",
}


@dataclass
class Coverage(Tabular):
    """Cells (company x metric x year), layer rows and the providers asked, in order."""

    cells: pd.DataFrame
    layers: pd.DataFrame
    years: list[int]
    providers: list[str]
    layer: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def latest(self) -> int:
        return max(self.years)

    def layer_share(self, layer: str, year: int, metric: str = "revenue") -> dict:
        """The layer row for one layer, year and metric (what pools and capex cite)."""
        hit = self.layers[
            (self.layers["layer"] == layer)
            & (self.layers["year"] == int(year))
            & (self.layers["metric"] == metric)
        ]
        if hit.empty:
            raise KeyError((layer, year, metric))
        return hit.iloc[0].to_dict()

    def line(self, year: int | None = None, metric: str = "revenue") -> str:
        """``coverage CY2025 (revenue): energy 0/20 (0% of weight), chips 3/22 (...) ...``."""
        year = year or self.latest
        parts = []
        for r in self.layers[
            (self.layers["year"] == year) & (self.layers["metric"] == metric)
        ].itertuples():
            parts.append(
                f"{r.layer} {r.resolved}/{r.companies} ({fmt_pct(r.weight_share)} of weight)"
            )
        return f"coverage CY{year} ({metric.replace('_', ' ')}): " + ", ".join(parts)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The cells (one row per company, metric and year) and the layer rows, flat."""
        cells = self.cells.assign(layers=self.cells["layers"].map(", ".join))
        layers = self.layers.assign(missing=self.layers["missing"].map(", ".join))
        return {"cells": cells.reset_index(drop=True), "layers": layers.reset_index(drop=True)}

    def to_dict(self) -> dict:
        companies = []
        for cid, grp in self.cells.groupby("company", sort=False):
            first = grp.iloc[0]
            companies.append(
                {
                    "company": cid,
                    "name": first["name"],
                    "layers": list(first["layers"]),
                    "cells": records(grp, CELL_FIELDS),
                }
            )
        return {
            "years": [f"CY{y}" for y in self.years],
            "metrics": list(COVERAGE_METRICS),
            "unit": "usd (values), fraction (shares), usd_billion (resolved_revenue_bn)",
            "providers": self.providers,
            "layer": self.layer,
            "layers": records(self.layers),
            "companies": companies,
            "notes": self.notes,
        }

    def __rich__(self) -> Group:
        return Group(
            self._layer_table(), self._company_table(self.latest), *self._gaps(self.latest)
        )

    def _layer_table(self) -> Table:
        year = self.latest
        table = Table(
            title=f"Coverage by layer, CY{year} (resolved / companies; share of exposure weight)"
        )
        table.add_column("layer", no_wrap=True)
        for metric in COVERAGE_METRICS:
            table.add_column(SHORT[metric], justify="right")
        table.add_column("revenue $bn", justify="right")
        sub = self.layers[self.layers["year"] == year]
        for layer in dict.fromkeys(sub["layer"]):
            cells = []
            for metric in COVERAGE_METRICS:
                r = sub[(sub["layer"] == layer) & (sub["metric"] == metric)].iloc[0]
                cells.append(f"{r.resolved}/{r.companies} ({fmt_pct(r.weight_share)})")
            rev = sub[(sub["layer"] == layer) & (sub["metric"] == "revenue")].iloc[0]
            table.add_row(Text(str(layer)), *cells, fmt_num(rev["resolved_revenue_bn"]))
        return table

    def _company_table(self, year: int) -> Table:
        table = Table(
            title=f"Companies, CY{year}: evidence and source of each value (? = missing)",
            caption=" ".join(f"{e.symbol} {e.value}" for e in Evidence)
            + "; sources: sec = companyfacts, filing = inline XBRL, yahoo, csv = your "
            "figures, atlas",
        )
        table.add_column("company", no_wrap=True)
        table.add_column("layer")
        for metric in COVERAGE_METRICS:
            table.add_column(SHORT[metric])
        sub = self.cells[self.cells["year"] == year]
        for _cid, grp in sub.groupby("company", sort=False):
            row = [Text(str(grp.iloc[0]["name"])), Text(", ".join(grp.iloc[0]["layers"]) or "—")]
            for metric in COVERAGE_METRICS:
                c = grp[grp["metric"] == metric].iloc[0]
                if c["status"] == "resolved":
                    src = " + ".join(SOURCE_SHORT.get(s, s) for s in str(c["source"]).split(" + "))
                    row.append(Text(f"{Evidence(c['evidence']).symbol} {src}"))
                else:
                    row.append(Text("?", style="dim"))
            table.add_row(*row)
        return table

    def _gaps(self, year: int) -> list[Table]:
        gaps = self.cells[(self.cells["year"] == year) & (self.cells["status"] == "missing")]
        if gaps.empty:
            return []
        table = Table(title=f"Why values are missing, CY{year} (and what would resolve them)")
        table.add_column("reason")
        table.add_column("companies (metrics)")
        table.add_column("what would resolve it")
        keyed = gaps.assign(_reason=gaps["reason"].map(_generic), _fix=gaps["fix"].map(_generic))
        for (reason, fix), grp in keyed.groupby(["_reason", "_fix"], sort=False):
            who = []
            for cid, g in grp.groupby("company", sort=False):
                ms = list(g["metric"])
                who.append(
                    cid
                    if len(ms) == len(COVERAGE_METRICS)
                    else f"{cid} ({', '.join(SHORT[m] for m in ms)})"
                )
            table.add_row(Text(str(reason)), Text(", ".join(who)), Text(str(fix)))
        return [table]


def _generic(text: str) -> str:
    """A reason or fix without the company-specific part, for grouping (CIKs, file names)."""
    if text.startswith("SEC filer (CIK"):
        return "SEC filer without facts at hand (not synced, no companyfacts file)"
    return re.sub(r"CIK\d{10}\.json", "CIK##########.json", text)


def coverage(
    atlas: Atlas,
    *,
    layer: str | None = None,
    year: int | str | None = None,
    years: Sequence[int] | None = None,
    store: Store | None = None,
    resolver: Resolver | None = None,
) -> Coverage:
    """The coverage map of the atlas (module docstring of ``stackatlas.analysis.coverage``).

    ``year``: one calendar year (``2024`` / ``CY2024``); ``years``: several; default: the three
    latest calendar years any company resolves."""
    from stackatlas.analysis.metric_inputs import resolver_for

    resolver = resolver_for(atlas, store=store, resolver=resolver)
    if year is not None:
        from stackatlas.resolver.periods import parse_period

        p = parse_period(year)
        if p.kind != "calendar" or p.slot != "FY":
            from stackatlas.errors import ValidationError

            raise ValidationError(f"--year must be a calendar year such as 2024, not {year!r}")
        years = [int(p.year)]  # type: ignore[arg-type]
    spec = CoverageSpec(layer=layer, years=tuple(years) if years else None)
    cells, layer_frame, used = compute_coverage(atlas, resolver, spec)
    notes = [
        f"{p.label}: {note}"
        for p in resolver.providers
        for note in getattr(p, "notes", {}).values()
    ]
    return Coverage(
        cells,
        layer_frame,
        used,
        resolver.source_names,
        spec.layer and atlas.layer(spec.layer).id,
        notes,
    )
