"""Money charts: stacked profit pools, hyperscaler capex vs OCF, a lab's cash flow, and a
company's annual fundamentals.

Evidence is visible: the estimated part of a bar is hatched and faded, unresolved values are
left out and named in the hover / subtitle rather than drawn as zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from stackatlas.analysis.pools_view import period_key
from stackatlas.charts.theme import (
    BAD,
    ESTIMATE_PATTERN,
    GOOD,
    INK,
    layer_color,
    series_color,
    styled,
)
from stackatlas.evidence import Evidence

if TYPE_CHECKING:
    from stackatlas.analysis.capex import CapexTracker
    from stackatlas.analysis.economics import LabProjection
    from stackatlas.analysis.pools_view import ProfitPools

METRIC_TITLES = {
    "operating_income": "Operating income",
    "revenue": "Revenue",
    "gross_profit": "Gross profit",
    "capex": "Capital expenditure",
    "free_cash_flow": "Free cash flow",
    "operating_cash_flow": "Operating cash flow",
}
CAPEX_COLOR, OCF_COLOR = series_color(3), series_color(0)


def profit_pool_chart(pools: ProfitPools, metric: str = "operating_income") -> go.Figure:
    """Stacked bars of ``metric`` per layer (or segment) by period — the part resting on
    estimates hatched and faded — over a coverage panel: per group, the share of its revenue
    weight (else of its companies) the bars hold, so a partial year cannot pass for a collapse.
    In the full view, a period where a group's company set changes is marked."""
    from stackatlas.resolver.periods import period_label

    alloc = pools.allocations
    alloc = alloc[alloc["metric"] == metric] if not alloc.empty else alloc
    periods = sorted(set(pools.cells["period"]), key=period_key)
    labels = [period_label(p) for p in periods]
    groups = list(dict.fromkeys(pools.cells["group"]))
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.74, 0.26], vertical_spacing=0.06
    )
    cells = pools.cells[pools.cells["metric"] == metric].set_index(["group", "period"])
    for i, group in enumerate(groups):
        firm: list[float | None] = []
        est: list[float | None] = []
        who: list[str] = []
        for period in periods:
            part = (
                alloc[(alloc["group"] == group) & (alloc["period"] == period)]
                if not alloc.empty
                else alloc
            )
            if not len(part):
                firm.append(None)
                est.append(None)
                who.append("no data")
                continue
            is_est = part["alloc_evidence"].map(
                lambda e: Evidence(e).rank >= Evidence.ESTIMATED.rank
            )
            firm.append(float(part.loc[~is_est, "allocated"].sum()) / 1e9)
            est.append(float(part.loc[is_est, "allocated"].sum()) / 1e9)
            who.append(", ".join(sorted(set(part["company_id"]))))
        color = layer_color(group, series_color(i))
        fig.add_bar(
            x=labels,
            y=firm,
            name=group,
            legendgroup=group,
            marker_color=color,
            customdata=who,
            hovertemplate=f"{group} %{{x}}: %{{y:,.1f}} bn "
            "(reported / derived)<br>%{customdata}<extra></extra>",
            row=1,
            col=1,
        )
        if any(v for v in est):
            fig.add_bar(
                x=labels,
                y=est,
                name=f"{group} (estimated)",
                legendgroup=group,
                marker={"color": color, "opacity": 0.5, "pattern": ESTIMATE_PATTERN},
                customdata=who,
                hovertemplate=f"{group} %{{x}}: %{{y:,.1f}} bn "
                "(estimated)<br>%{customdata}<extra></extra>",
                row=1,
                col=1,
            )
        coverage = [_coverage(cells, group, p) for p in periods]
        if any(c is not None for c in coverage):
            fig.add_scatter(
                x=labels,
                y=coverage,
                name=f"{group} coverage",
                legendgroup=group,
                showlegend=False,
                mode="lines+markers",
                line={"color": color},
                hovertemplate=f"{group} %{{x}}: the bars hold %{{y:.0%}} of the layer "
                "(revenue weight, else companies)<extra></extra>",
                row=2,
                col=1,
            )
    if pools.panels is not None:
        for (group, m, year), change in pools.panels.changes.items():
            if m == metric:
                fig.add_annotation(
                    x=period_label(year),
                    y=1.0,
                    yref="y2 domain",
                    text=f"{group}: {change}",
                    showarrow=False,
                    font={"size": 9},
                    row=2,
                    col=1,
                )
    missing = [g for g in groups if alloc.empty or g not in set(alloc["group"])]
    years = pools.years
    span = f"CY{years[0]}-CY{years[-1]}" if len(years) > 1 else ""
    view = (
        f"same companies every year ({span} panel)"
        if pools.view == "panel" and span
        else "full view: company sets change where marked"
        if span
        else "companies with data"
    )
    notes = [view] + ([f"no data: {', '.join(missing)}"] if missing else [])
    fig = styled(
        fig,
        f"{METRIC_TITLES.get(metric, metric)} by {pools.by}, USD bn (hatched = estimated)",
        "; ".join(notes),
        barmode="relative",
        legend_title=pools.by,
    )
    fig.update_yaxes(title_text="USD billion", row=1, col=1)
    fig.update_yaxes(title_text="coverage", tickformat=".0%", range=[0, 1.05], row=2, col=1)
    return fig


def _coverage(cells: pd.DataFrame, group: str, period: str) -> float | None:
    """A cell's revenue-weight coverage, else its company coverage (None: no cell)."""
    if (group, period) not in cells.index:
        return None
    cell = cells.loc[(group, period)]
    value = cell["revenue_coverage"]
    if value is None or pd.isna(value):
        value = cell["coverage"]
    return None if value is None or pd.isna(value) else float(value)


def capex_ocf_chart(tracker: CapexTracker) -> go.Figure:
    """Capex and operating cash flow per hyperscaler and period (grouped bars), the AI part of
    capex as a hatched estimate, and capex / OCF as markers on the right axis."""
    rows = tracker.rows[tracker.rows["kind"].isin(["company", "group"])]
    rows = rows[rows["capex"].notna()]
    x = [rows["entity"].tolist(), rows["period"].astype(str).tolist()]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(
        x=x, y=_vals(rows["capex"]), name="capex", marker_color=CAPEX_COLOR, secondary_y=False
    )
    fig.add_bar(
        x=x,
        y=_vals(rows["operating_cash_flow"]),
        name="operating cash flow",
        marker_color=OCF_COLOR,
        secondary_y=False,
    )
    if rows["ai_capex_est"].notna().any():
        share = tracker.ai_share.value if tracker.ai_share else None
        fig.add_bar(
            x=x,
            y=_vals(rows["ai_capex_est"]),
            name=f"AI capex (estimated, {share:.0%} share)" if share else "AI capex",
            marker={"color": CAPEX_COLOR, "opacity": 0.5, "pattern": ESTIMATE_PATTERN},
            secondary_y=False,
        )
    fig.add_scatter(
        x=x,
        y=_vals(rows["capex_to_ocf"]),
        name="capex / OCF",
        mode="markers",
        marker={"symbol": "diamond", "size": 10, "color": INK},
        secondary_y=True,
    )
    missing = sorted({m for ms in tracker.rows["missing"] for m in ms})
    styled(
        fig,
        f"Hyperscaler capex vs operating cash flow ({tracker.period}, USD bn)",
        f"no SEC data: {', '.join(missing)}" if missing else "",
        barmode="group",
    )
    fig.update_yaxes(title_text="USD billion", secondary_y=False)
    fig.update_yaxes(title_text="capex / OCF", tickformat=".0%", secondary_y=True)
    return fig


def lab_cash_chart(projection: LabProjection) -> go.Figure:
    """Revenue and total cost bars with the cash-flow line of a lab projection; years whose
    cash flow rests on assumptions (evidence ``scenario``) are hatched."""
    wide = projection.wide().dropna(subset=["cash_flow"])
    table = projection.table.set_index(["year", "metric"])["evidence"]
    hatch = ["/" if table[(y, "cash_flow")] == "scenario" else "" for y in wide.index]
    years = [str(y) for y in wide.index]
    fig = go.Figure(
        [
            go.Bar(
                x=years,
                y=wide["revenue"],
                name="revenue",
                marker_color=GOOD,
                marker_pattern_shape=hatch,
            ),
            go.Bar(
                x=years,
                y=wide["total_cost"],
                name="total cost",
                marker_color=BAD,
                marker_pattern_shape=hatch,
            ),
            go.Scatter(
                x=years,
                y=wide["cash_flow"],
                name="cash flow",
                mode="lines+markers",
                line={"color": INK},
            ),
        ]
    )
    be = projection.breakeven_year
    if be is not None:
        fig.add_vline(x=years.index(str(be)), line_dash="dot", annotation_text=f"breakeven {be}")
    return styled(
        fig,
        f"{projection.name}: revenue, costs and cash flow (hatched: scenario assumptions)",
        barmode="group",
        yaxis_title="USD bn",
    )


def fundamentals_figure(metrics: pd.DataFrame, name: str) -> go.Figure:
    """Annual revenue, operating income, capex and free cash flow (USD bn) from SEC filings."""
    wanted = {
        "revenue": "Revenue",
        "operating_income": "Operating income",
        "capex": "Capex",
        "free_cash_flow": "Free cash flow",
        "operating_cash_flow": "Operating cash flow",
    }
    fig = go.Figure()
    frame = metrics[metrics["metric"].isin(list(wanted))] if len(metrics) else metrics
    for i, (metric, title) in enumerate(wanted.items()):
        part = frame[frame["metric"] == metric].sort_values("end") if len(frame) else frame
        if part.empty:
            continue
        labels = [f"FY{int(y)}" for y in part["fiscal_year"]]
        fig.add_bar(
            x=labels,
            y=(part["value"].astype(float) / 1e9).tolist(),
            name=title,
            marker_color=series_color(i),
            customdata=list(
                zip(part["accession"].astype(str), part["evidence"].astype(str), strict=True)
            ),
            hovertemplate=f"{title} %{{x}}: %{{y:,.1f}} bn<br>%{{customdata[1]}} · "
            "accession %{customdata[0]}<extra></extra>",
        )
    return styled(
        fig,
        f"{name}: annual fundamentals from SEC filings (USD bn)",
        barmode="group",
        yaxis_title="USD billion",
        xaxis_title="fiscal year",
    )


def _vals(series: pd.Series) -> list[float | None]:
    return [None if v is None or pd.isna(v) else float(v) for v in series]
