"""Plotly figures for the money analyses: stacked profit pools over time, capex vs OCF.

Evidence is visible: the estimated part of a bar is hatched and faded, unresolved values are
left out and named in the hover / subtitle rather than drawn as zero.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from stackatlas.analysis.capex import CapexTracker
from stackatlas.analysis.profit_pools import ProfitPools, _period_key
from stackatlas.evidence import Evidence

LAYER_COLORS = {
    "energy": "#f2a900",
    "chips": "#76b900",
    "cloud": "#0078d4",
    "models": "#8e44ad",
    "applications": "#e4572e",
}
_PALETTE = [
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#e45756",
    "#72b7b2",
    "#b279a2",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
    "#eeca3b",
]
ESTIMATE_STYLE = {"shape": "/", "fillmode": "overlay"}
METRIC_TITLES = {
    "operating_income": "Operating income",
    "revenue": "Revenue",
    "gross_profit": "Gross profit",
    "capex": "Capital expenditure",
    "free_cash_flow": "Free cash flow",
    "operating_cash_flow": "Operating cash flow",
}


def _color(group: str, i: int) -> str:
    return LAYER_COLORS.get(group, _PALETTE[i % len(_PALETTE)])


def profit_pool_chart(pools: ProfitPools, metric: str = "operating_income") -> go.Figure:
    """Stacked bars of ``metric`` per layer (or segment) by period; the part resting on
    estimates is hatched and faded."""
    alloc = pools.allocations
    alloc = alloc[alloc["metric"] == metric] if not alloc.empty else alloc
    periods = sorted(set(pools.cells["period"]), key=_period_key)
    groups = list(dict.fromkeys(pools.cells["group"]))
    fig = go.Figure()
    for i, group in enumerate(groups):
        firm, est, who = [], [], []
        for period in periods:
            part = (
                alloc[(alloc["group"] == group) & (alloc["period"] == period)]
                if not alloc.empty
                else alloc
            )
            is_est = (
                part["alloc_evidence"].map(lambda e: Evidence(e).rank >= Evidence.ESTIMATED.rank)
                if len(part)
                else []
            )
            firm.append(float(part.loc[~is_est, "allocated"].sum()) / 1e9 if len(part) else None)
            est.append(float(part.loc[is_est, "allocated"].sum()) / 1e9 if len(part) else None)
            who.append(", ".join(sorted(set(part["company_id"]))) if len(part) else "no data")
        color = _color(group, i)
        fig.add_bar(
            x=periods,
            y=firm,
            name=group,
            legendgroup=group,
            marker_color=color,
            customdata=who,
            hovertemplate=f"{group} %{{x}}: %{{y:,.1f}} bn "
            "(reported / derived)<br>%{customdata}<extra></extra>",
        )
        if any(v for v in est):
            fig.add_bar(
                x=periods,
                y=est,
                name=f"{group} (estimated)",
                legendgroup=group,
                marker={"color": color, "opacity": 0.5, "pattern": ESTIMATE_STYLE},
                customdata=who,
                hovertemplate=f"{group} %{{x}}: %{{y:,.1f}} bn "
                "(estimated)<br>%{customdata}<extra></extra>",
            )
    missing = [g for g in groups if alloc.empty or g not in set(alloc["group"])]
    subtitle = f"no data: {', '.join(missing)}" if missing else ""
    title = f"{METRIC_TITLES.get(metric, metric)} by {pools.by}, USD bn (hatched = estimated)"
    fig.update_layout(
        barmode="relative",
        title={"text": title + (f"<br><sup>{subtitle}</sup>" if subtitle else "")},
        xaxis_title="calendar year",
        yaxis_title="USD billion",
        legend_title=pools.by,
    )
    return fig


def capex_ocf_chart(tracker: CapexTracker) -> go.Figure:
    """Capex and operating cash flow per hyperscaler and period (grouped bars), the AI part of
    capex as a hatched estimate, and capex / OCF as markers on the right axis."""
    rows = tracker.rows[tracker.rows["kind"].isin(["company", "group"])]
    rows = rows[rows["capex"].notna()]
    x = [rows["entity"].tolist(), rows["period"].astype(str).tolist()]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(
        x=x, y=_vals(rows["capex"]), name="capex", marker_color="#e4572e", secondary_y=False
    )
    fig.add_bar(
        x=x,
        y=_vals(rows["operating_cash_flow"]),
        name="operating cash flow",
        marker_color="#4c78a8",
        secondary_y=False,
    )
    if rows["ai_capex_est"].notna().any():
        share = tracker.ai_share.value if tracker.ai_share else None
        fig.add_bar(
            x=x,
            y=_vals(rows["ai_capex_est"]),
            name=f"AI capex (estimated, {share:.0%} share)" if share else "AI capex",
            marker={"color": "#e4572e", "opacity": 0.5, "pattern": ESTIMATE_STYLE},
            secondary_y=False,
        )
    fig.add_scatter(
        x=x,
        y=_vals(rows["capex_to_ocf"]),
        name="capex / OCF",
        mode="markers",
        marker={"symbol": "diamond", "size": 10, "color": "#222"},
        secondary_y=True,
    )
    missing = sorted({m for ms in tracker.rows["missing"] for m in ms})
    sub = f"<br><sup>no SEC data: {', '.join(missing)}</sup>" if missing else ""
    fig.update_layout(
        barmode="group",
        title={"text": f"Hyperscaler capex vs operating cash flow ({tracker.period}, USD bn){sub}"},
    )
    fig.update_yaxes(title_text="USD billion", secondary_y=False)
    fig.update_yaxes(title_text="capex / OCF", tickformat=".0%", secondary_y=True)
    return fig


def _vals(series: pd.Series) -> list[float | None]:
    return [None if v is None or pd.isna(v) else float(v) for v in series]
