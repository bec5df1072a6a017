"""``ScenarioResult``: revenue and operating profit at risk by company, segment, layer and
quarter, the path of the shock, and (with draws) p5 / p50 / p95 bands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from stackatlas.charts.theme import rich_style
from stackatlas.display import fmt_at_risk as signed
from stackatlas.display import records
from stackatlas.evidence import Evidence
from stackatlas.notebook import Tabular
from stackatlas.scenarios.measures import gains_note, horizon, measures


@dataclass
class ScenarioResult(Tabular):
    """All money in USD billions; ``*_at_risk`` > 0 is a loss, < 0 a gain versus baseline.

    Money is summed over the horizon (``quarters``) and ``revenue_at_risk_pct`` is the loss as
    a share of baseline revenue over the same horizon (``baseline_horizon_usd_bn`` = annual
    revenue x quarters / 4); ``measures`` says what every column measures (companies without a
    baseline revenue still get a percentage; their USD columns are NaN with evidence
    ``unresolved``). ``gains_note`` explains negative values when there are any. Every value
    is a model output: evidence ``scenario``.
    The point columns are one run at the parameters' ``value`` (``point_basis``); with draws,
    ``*_p5`` / ``*_p50`` / ``*_p95`` are over the draws (``bands_basis``), and the point can
    sit far from the median (the shock is not linear in its parameters).
    """

    scenario: str
    title: str
    description: str
    quarters: int
    draws: int
    seed: int
    parameters: pd.DataFrame  # name, value, distribution, low, high, unit, basis, origin
    layers: pd.DataFrame
    segments: pd.DataFrame
    companies: pd.DataFrame
    quarterly: pd.DataFrame  # level, id, quarter, revenue_at_risk_usd_bn, pct (+ bands)
    edges: pd.DataFrame  # supplier, customer, channel, group, carried_usd_bn, origin
    notes: list[str] = field(default_factory=list)
    evidence: Evidence = Evidence.SCENARIO
    gains: str = ""  # the scenario's own sentence on when the shock helps someone
    edge_shares: str = "point"  # explicit edges at point / low / high shares, or draw

    @property
    def measures(self) -> dict[str, str]:
        """Column -> what it measures (denominator and horizon)."""
        return measures(self.quarters)

    @property
    def gains_note(self) -> str | None:
        """Why some values are negative (gains), or None when none is."""
        return gains_note([self.layers, self.segments, self.companies], self.gains)

    @property
    def point_basis(self) -> str:
        """What the point values are computed at: ``default parameters`` unless overridden."""
        if "changed" not in self.parameters:
            return "default parameters"
        changed = self.parameters[self.parameters["changed"].astype(bool)]
        if changed.empty:
            return "default parameters"
        return "default parameters with overrides: " + ", ".join(
            f"{r.name}={r.value:g}" for r in changed.itertuples()
        )

    @property
    def bands_basis(self) -> str | None:
        """What p5 / p50 / p95 are taken over (None without draws)."""
        if not self.draws:
            return None
        return f"{self.draws} Monte Carlo draws of the parameter distributions (seed {self.seed})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: DataFrames become lists of records, NaN becomes None."""
        return {
            "scenario": self.scenario,
            "title": self.title,
            "description": self.description,
            "quarters": self.quarters,
            "horizon_quarters": self.quarters,
            "edge_shares": self.edge_shares,
            "measures": self.measures,
            "gains_note": self.gains_note,
            "draws": self.draws,
            "seed": self.seed,
            "evidence": str(self.evidence),
            "notes": self.notes,
            "point_basis": self.point_basis,
            "bands_basis": self.bands_basis,
            **{
                name: records(getattr(self, name))
                for name in ("parameters", "layers", "segments", "companies", "quarterly", "edges")
            },
        }

    def __rich__(self) -> Panel:
        bands = self.draws > 0
        params = Table(title="parameters", title_justify="left", box=None, pad_edge=False)
        for col in ("parameter", "value", "range", "basis"):
            params.add_column(col, overflow="fold")
        for r in self.parameters.itertuples():
            if r.origin == "model" and not r.changed:
                continue
            dist = r.distribution if isinstance(r.distribution, str) else None
            value = f"{r.value:g}; draws {dist}" if bands and dist else f"{r.value:g}"
            params.add_row(r.name, value, f"{r.low:g}–{r.high:g}", _short(str(r.basis)))
        point = (
            None
            if not bands
            else ("defaults" if self.point_basis == "default parameters" else "values set")
        )
        h = horizon(self.quarters)
        layers = _money_table(
            f"revenue at risk by layer over {h} (△ scenario)", self.layers, "layer", point
        )
        flows = self.companies["company"].astype(str).str.startswith("eto:")
        top = (
            self.companies[~flows]
            .sort_values("revenue_at_risk_pct", ascending=False, key=lambda s: s.abs())
            .head(12)
        )
        companies = _money_table(
            f"most affected companies over {h} (by |%|)", top, "company", point
        )
        path = Table(
            title=f"path of the shock: largest edges, USD bn carried over {h}",
            title_justify="left",
            box=None,
        )
        for col in ("supplier → customer", "group", "channel", "edge", "USD bn"):
            path.add_column(col, justify="right" if col == "USD bn" else "left")
        for r in self.edges.head(8).itertuples():
            path.add_row(
                f"{r.supplier} → {r.customer}",
                str(r.group),
                r.channel,
                str(getattr(r, "edge_kind", "")),
                f"{r.carried_usd_bn:,.1f}",
            )
        head = Text(
            f"{self.description}\n{h}"
            + (f", {self.draws} draws (seed {self.seed})" if bands else ""),
            style="dim",
        )
        head.append(
            f"\nUSD bn: summed over the {h}; %: share of baseline revenue over the same {h} "
            f"(baseline = annual revenue x {self.quarters}/4); 'gain' = revenue above baseline.",
            style="bold",
        )
        if self.edge_shares == "draw":
            head.append(
                "\nnetwork: explicit edges at their point shares in the central run, drawn "
                "from their low-high ranges in each Monte Carlo draw",
                style="bold",
            )
        elif self.edge_shares != "point":
            head.append(
                f"\nnetwork: explicit edges at their {self.edge_shares} shares (sensitivity)",
                style="bold",
            )
        if bands:
            head.append(
                f"\nrevenue at risk, % and op. profit at risk: one run at "
                f"{self.point_basis}; p5 / p50 / p95: over the {self.draws} draws",
                style="bold",
            )
        parts: list[Any] = [head, params, layers, companies]
        if flows.any():  # chip-input flow nodes (scenarios/eto_network.py): no revenue
            parts.append(_flow_table(self.companies[flows]))
        parts.append(path)
        if self.gains_note:
            parts.append(Text(f"gains: {self.gains_note}", style="italic"))
        if self.notes:
            parts.append(Text("\n".join(f"note: {n}" for n in self.notes), style="dim"))
        return Panel(
            Group(*parts),
            title=f"scenario: {self.title}",
            title_align="left",
        )


def _flow_table(frame: pd.DataFrame) -> Table:
    """Chip-input flows (CSET/ETO): the share of each flow lost over the horizon."""
    table = Table(
        title="chip input flows (CSET/ETO): % of each flow lost over the horizon (negative = gain)",
        title_justify="left",
        box=None,
    )
    table.add_column("input -> destination")
    table.add_column("lost %", justify="right")
    moved = frame[frame["revenue_at_risk_pct"].abs() > 0]
    ordered = moved.sort_values("revenue_at_risk_pct", ascending=False)
    for r in ordered.head(12).itertuples():
        table.add_row(str(r.name), signed(r.revenue_at_risk_pct, ".1f"))
    return table


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _money_table(title: str, frame: pd.DataFrame, key: str, point: str | None) -> Table:
    """``point`` labels the one-run columns when draws add bands (None: no draws). Losses are
    plain numbers, gains read ``gain <n>``, unknowns a dash."""
    bands = point is not None
    table = Table(title=title, title_justify="left", box=None)
    table.add_column(key)
    table.add_column("baseline\nUSD bn", justify="right")
    suffix = f"\n({point})" if bands else ""  # the point run is not the median of the draws
    for col in ("at risk\nUSD bn", "% of\nbaseline", "op. profit\nat risk USD bn"):
        table.add_column(f"{col}{suffix}", justify="right")
    if bands:
        table.add_column("p5 / p50 / p95\n% (draws)", justify="right", no_wrap=True)
    mean = "mean_company_loss_pct" in frame
    if mean:
        table.add_column(f"avg company\n%{suffix}", justify="right")
    for r in frame.itertuples():
        row: list[str | Text] = [
            Text(str(getattr(r, key)), style=rich_style(r.layer, False) if key == "layer" else ""),
            signed(r.baseline_horizon_usd_bn),
            signed(r.revenue_at_risk_usd_bn),
            signed(r.revenue_at_risk_pct, ".2f"),
            signed(r.op_profit_at_risk_usd_bn),
        ]
        if bands:
            row.append(" / ".join(signed(v, ".2f") for v in (r.pct_p5, r.pct_p50, r.pct_p95)))
        if mean:
            row.append(signed(r.mean_company_loss_pct, ".2f"))
        table.add_row(*row)
    return table
