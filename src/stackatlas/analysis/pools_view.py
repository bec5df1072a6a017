"""The profit-pools result: cells, panels, changes; a wide table per period and its renderings
(``to_dict`` for JSON / API, ``__rich__`` for the terminal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Group as RichGroup
from rich.table import Table
from rich.text import Text

from stackatlas.display import fmt_num, fmt_pct, records
from stackatlas.notebook import Tabular
from stackatlas.resolver.periods import period_label

if TYPE_CHECKING:
    from stackatlas.analysis.panels import Panels

WIDE_METRICS = (
    "revenue",
    "operating_income",
    "operating_margin",
    "capex",
    "capex_intensity",
    "free_cash_flow",
)


def period_key(period: str) -> tuple[int, str]:
    return (9999, period) if not str(period).isdigit() else (int(period), "")


@dataclass
class ProfitPools(Tabular):
    """Profit-pool cells (long format), the thesis table (layers only), the panels behind
    them, the latest year-on-year change on the same companies, and coverage notes."""

    by: str
    cells: pd.DataFrame
    thesis: pd.DataFrame
    inputs: pd.DataFrame
    not_covered: dict[str, str] = field(default_factory=dict)
    allocations: pd.DataFrame = field(default_factory=pd.DataFrame)  # the rows summed
    view: str = "panel"
    panels: Panels | None = None
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)  # layer rows (coverage.py)
    note: str | None = None  # why there are no cells (no SEC data yet), else None

    def coverage_line(self, period: str | None = None, metric: str = "revenue") -> str | None:
        """The per-layer coverage of ``period`` (a calendar year; default the latest) as
        ``stackatlas coverage`` prints it: companies resolved / layer companies and the share
        of exposure weight; None for TTM or without data."""
        period = period or (self.latest() if not self.cells.empty else None)
        if period is None or not str(period).isdigit() or self.coverage.empty:
            return None
        sub = self.coverage[
            (self.coverage["year"] == int(period)) & (self.coverage["metric"] == metric)
        ]
        parts = [
            f"{r.layer} {r.resolved}/{r.companies} ({fmt_pct(r.weight_share)} of weight)"
            for r in sub.itertuples()
        ]
        return f"coverage CY{period} ({metric.replace('_', ' ')}): " + ", ".join(parts)

    @property
    def periods(self) -> list[str]:
        return sorted(set(self.cells["period"]), key=period_key)

    @property
    def years(self) -> list[str]:
        return [p for p in self.periods if str(p).isdigit()]

    def latest(self) -> str:
        return next(
            (p for p in reversed(self.periods) if p.isdigit()),
            self.periods[-1] if self.periods else "",
        )

    def wide(
        self, period: str | None = None, metrics: tuple[str, ...] = WIDE_METRICS
    ) -> pd.DataFrame:
        """One row per group for one period (default: the latest calendar year), with the
        coverage of its revenue cell and the change from the year before (same companies)."""
        period = period or self.latest()
        sub = self.cells[(self.cells["period"] == period) & self.cells["metric"].isin(metrics)]
        table = sub.pivot_table(
            index="group",
            columns="metric",
            values="value",
            aggfunc="first",
            dropna=False,
            sort=False,
        )
        table = table.reindex(columns=list(metrics))
        rev = sub[sub["metric"] == "revenue"].set_index("group")
        table["symbol"] = rev["symbol"]
        table["coverage"] = rev["coverage"]
        table["revenue_coverage"] = rev["revenue_coverage"]
        for metric in ("revenue", "operating_income"):
            table[f"{metric}_change"] = self._change_column(metric, period, table.index)
        table.insert(0, "period", period)
        out = table.reset_index()
        return out.astype(object).where(out.notna(), None)

    def _change_column(self, metric: str, period: str, groups: pd.Index) -> list[float | None]:
        ch = self.changes
        if ch.empty:
            return [None] * len(groups)
        hit = ch[(ch["metric"] == metric) & (ch["to"] == period)].set_index("group")["change"]
        return [hit.get(g) for g in groups]

    def panel_rows(self) -> pd.DataFrame:
        """Per group and metric: the panel's companies and those left out (with why)."""
        cols = ["group", "metric", "panel", "left_out"]
        if self.panels is None or not self.panels.members:
            return pd.DataFrame(columns=cols)
        rows = [
            {
                "group": g,
                "metric": m,
                "panel": companies,
                "left_out": self.panels.left_out.get((g, m), {}),
            }
            for (g, m), companies in self.panels.members.items()
        ]
        return pd.DataFrame(rows, columns=cols)

    def to_dict(self) -> dict:
        panels = self.panels
        return {
            "by": self.by,
            "view": self.view,
            "years": [period_label(y) for y in self.years],
            "unit": "usd_billion (money), fraction (ratios)",
            "periods": "calendar years (CY); TTM = the latest four calendar quarters",
            "cells": records(self.cells),
            "thesis": records(self.thesis),
            "panels": records(self.panel_rows()),
            "changes": records(self.changes),
            "set_changes": (
                [
                    {"group": g, "metric": m, "year": y, "change": c}
                    for (g, m, y), c in panels.changes.items()
                ]
                if panels is not None
                else []
            ),
            "not_covered": self.not_covered,
            "coverage": records(self.coverage),
            "note": self.note,
        }

    def title(self, period: str) -> str:
        years = self.years
        span = f"CY{years[0]}-CY{years[-1]}" if len(years) > 1 else ""
        if self.view == "panel" and span:
            how = f"like-for-like panel {span}"
        elif span:
            how = f"full view {span}: company sets may change between years"
        else:
            how = "companies with data"
        return f"Profit pools by {self.by}, {period_label(period)} (USD bn; {how})"

    def __rich__(self) -> RichGroup | Text:
        if self.cells.empty and self.note:
            return Text(self.note, style="yellow")
        wide = self.wide()
        period = wide["period"].iloc[0] if len(wide) else ""
        prev = self._previous(period)
        table = Table(title=self.title(period))
        delta = f"Δ vs CY{prev}" if prev else "Δ"
        cols = [
            "",
            self.by,
            "revenue",
            "op.inc",
            "margin",
            "capex",
            "capex/rev",
            "FCF",
            f"rev {delta}",
            f"op.inc {delta}",
            "cov",
            "rev cov",
        ]
        for col in cols:
            table.add_column(
                col,
                justify="left" if col in ("", self.by) else "right",
                no_wrap=col in ("", self.by),
                min_width=max(1, min(len(col), 8)),
            )
        for r in wide.itertuples():
            table.add_row(
                str(r.symbol),
                Text(str(r.group)),
                fmt_num(r.revenue),
                fmt_num(r.operating_income),
                fmt_pct(r.operating_margin),
                fmt_num(r.capex),
                fmt_pct(r.capex_intensity),
                fmt_num(r.free_cash_flow),
                _signed(r.revenue_change),
                _signed(r.operating_income_change),
                fmt_pct(r.coverage),
                fmt_pct(r.revenue_coverage),
            )
        return RichGroup(table, *self._panel_notes())

    def _previous(self, period: str) -> str | None:
        years = self.years
        return (
            years[years.index(period) - 1] if period in years and years.index(period) > 0 else None
        )

    def _panel_notes(self) -> list[Text]:
        """One line per group: the revenue panel and who is left out of it, and why."""
        if self.panels is None:
            return []
        lines = []
        if self.view == "panel" and len(self.years) > 1:
            lines.append(
                Text(
                    "panel = companies with data in every year shown (revenue series):", style="dim"
                )
            )
            for (group, metric), companies in self.panels.members.items():
                if metric != "revenue":
                    continue
                out = self.panels.left_out.get((group, metric), {})
                gone = (
                    "; left out: " + ", ".join(f"{c} ({why})" for c, why in sorted(out.items()))
                    if out
                    else ""
                )
                lines.append(
                    Text(f"  {group}: {', '.join(companies) or 'none'}{gone}", style="dim")
                )
        elif self.panels.changes:
            lines.append(
                Text("full view: the company set changes where marked (revenue):", style="dim")
            )
            for (group, metric, year), change in self.panels.changes.items():
                if metric == "revenue":
                    lines.append(Text(f"  {group} CY{year}: {change}", style="dim"))
        return lines


def _signed(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{float(value):+.0%}"  # type: ignore[arg-type]
