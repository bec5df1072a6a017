"""How a profit-pool cell is made: each company's part of one layer (or segment) and period,
with the allocation rule, its evidence and the filing or weight behind it
(``stackatlas.analysis.allocation``). The parts are the rows the pools' view summed, so they add
up to the cell."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from rich.console import Group as RichGroup
from rich.table import Table
from rich.text import Text

from stackatlas.analysis.pools_view import ProfitPools
from stackatlas.display import fmt_num, records
from stackatlas.errors import ValidationError
from stackatlas.evidence import Evidence
from stackatlas.notebook import Tabular
from stackatlas.resolver.periods import period_label

EXPLAIN_METRICS = ("revenue", "operating_income", "capex", "operating_cash_flow")
EXPLAIN_COLUMNS = ["company_id", "metric", "value", "evidence", "symbol", "rule", "basis"]
BILLION = 1e9


@dataclass
class PoolExplanation(Tabular):
    """The parts of one group's cells in one period (``rows``, USD bn) and the cells' sums."""

    group: str
    period: str
    view: str
    rows: pd.DataFrame
    totals: dict[str, float | None]  # the cells' values per metric (free cash flow too)

    def to_dict(self) -> dict:
        return {
            "group": self.group,
            "period": period_label(self.period),
            "view": self.view,
            "unit": "usd_billion",
            "totals": self.totals,
            "parts": records(self.rows),
        }

    def to_frames(self) -> dict[str, pd.DataFrame]:
        return {"parts": self.rows.assign(group=self.group, period=self.period)}

    def __rich__(self) -> RichGroup:
        table = Table(
            title=f"How {self.group} {period_label(self.period)} is made "
            f"({self.view} view; USD bn; each company's part)"
        )
        for col in ("", "company", "metric", "value", "rule", "basis"):
            table.add_column(col, justify="right" if col == "value" else "left")
        for r in self.rows.itertuples():
            table.add_row(
                str(r.symbol),
                r.company_id,
                r.metric,
                fmt_num(r.value, ",.3f"),
                r.rule,
                Text(r.basis),
            )
        sums = "; ".join(f"{m} {fmt_num(v, ',.3f')}" for m, v in self.totals.items())
        return RichGroup(table, Text(f"the cells: {sums}", style="dim"))


def explain_pool(
    pools: ProfitPools,
    group: str,
    period: str | None = None,
    metrics: tuple[str, ...] = EXPLAIN_METRICS,
) -> PoolExplanation:
    """Each company's part of ``group``'s cells in ``period`` (default: the latest calendar
    year shown), one row per company and metric, in the order of ``metrics``."""
    groups = sorted(set(pools.cells["group"]))
    if group not in groups:
        raise ValidationError(f"no {pools.by} {group!r} in the pools; choose one of {groups}")
    period = pools.latest() if period is None else str(period).upper().removeprefix("CY")
    if period not in pools.periods:
        shown = ", ".join(period_label(p) for p in pools.periods)
        raise ValidationError(f"period {period!r} is not in the pools; computed: {shown}")
    alloc = pools.allocations
    part = alloc[
        (alloc["group"] == group)
        & (alloc["period"].astype(str) == period)
        & alloc["metric"].isin(metrics)
    ]
    order = {m: i for i, m in enumerate(metrics)}
    part = part.sort_values(
        ["metric", "allocated"],
        key=lambda s: s.map(order) if s.name == "metric" else -s,
    )
    rows = pd.DataFrame(
        {
            "company_id": part["company_id"],
            "metric": part["metric"],
            "value": part["allocated"] / BILLION,
            "evidence": [Evidence(e).value for e in part["alloc_evidence"]],
            "symbol": [Evidence(e).symbol for e in part["alloc_evidence"]],
            "rule": part["rule"],
            "basis": part["basis"],
        },
        columns=EXPLAIN_COLUMNS,
    ).reset_index(drop=True)
    cells = pools.cells[(pools.cells["group"] == group) & (pools.cells["period"] == period)]
    value = dict(zip(cells["metric"], cells["value"], strict=True))
    # the cells' values; free cash flow = operating cash flow - capex over the same companies
    totals = {m: value.get(m) for m in (*metrics, "free_cash_flow")}
    return PoolExplanation(group, period, pools.view, rows, totals)
