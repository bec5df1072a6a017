"""Payback charts: the end-user AI revenue the capex needs each year against the revenue the
atlas can source, and the sensitivity grid as a heatmap.

Evidence is visible: a revenue need that is only a lower bound (a vintage missing or partial)
is hatched and labelled "≥"; a projected year is faded; the sourced revenue carries its
low-high range as an error bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from stackatlas.charts.theme import BAD, ESTIMATE_PATTERN, GOOD, series_color, styled

if TYPE_CHECKING:
    from stackatlas.analysis.payback import PaybackResult

NEEDED_COLOR = BAD
REVENUE_COLOR = GOOD


def payback_gap_chart(result: PaybackResult) -> go.Figure:
    """Bars per year: revenue needed (hatched where a lower bound, faded where projected) and
    the AI revenue sourced (with its range); Cahn's $600B drawn as a reference line."""
    years = result.years
    labels = [
        f"{y}{'E' if p else ''}" for y, p in zip(years["year"], years["projection"], strict=True)
    ]
    fig = go.Figure()
    fig.add_bar(
        x=labels,
        y=years["needed"].tolist(),
        name="end-user AI revenue needed",
        marker={
            "color": NEEDED_COLOR,
            "opacity": [0.5 if p else 0.9 for p in years["projection"]],
            "pattern": {
                "shape": ["" if c else ESTIMATE_PATTERN["shape"] for c in years["needed_complete"]],
                "fillmode": "overlay",
            },
        },
        text=[
            ("" if c else "≥ ") + f"{v:,.0f}"
            for v, c in zip(years["needed"], years["needed_complete"], strict=True)
        ],
        textposition="outside",
        hovertemplate="%{x}: %{text} USD bn needed<extra></extra>",
    )
    have = years["ai_revenue"]
    fig.add_bar(
        x=labels,
        y=[None if v is None or v != v else v for v in have],
        name="AI revenue sourced (revenue, not run-rates)",
        marker={"color": REVENUE_COLOR},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [
                0 if h is None or v is None or h != h else h - v
                for v, h in zip(have, years["ai_revenue_high"], strict=True)
            ],
            "arrayminus": [
                0 if lo is None or v is None or lo != lo else v - lo
                for v, lo in zip(have, years["ai_revenue_low"], strict=True)
            ],
        },
        hovertemplate="%{x}: %{y:,.1f} USD bn sourced<extra></extra>",
    )
    anchor = result.anchor["revenue_needed"]
    fig.add_hline(
        y=anchor,
        line_dash="dot",
        line_color=series_color(0),
        annotation_text=f"Cahn's ${anchor:,.0f}B question (2024)",
        annotation_position="top left",
    )
    return styled(
        fig,
        "What must be true: end-user AI revenue needed vs sourced (USD bn a year)",
        "hatched = lower bound (vintages missing or partial); faded = projected year; "
        "all values rest on an assumed cost of capital (scenario)",
        barmode="group",
        yaxis={"title": "USD billion"},
    )


def sensitivity_heatmap(result: PaybackResult) -> go.Figure:
    """The grid: revenue needed in the latest actual year over two parameters."""
    grid = result.sensitivity or {}
    rows, cols = grid.get("rows", {}), grid.get("columns", {})
    fig = go.Figure(
        go.Heatmap(
            z=grid.get("needed", []),
            x=[f"{v:g}" for v in cols.get("values", [])],
            y=[f"{v:g}" for v in rows.get("values", [])],
            colorscale="Reds",
            colorbar={"title": "USD bn"},
            texttemplate="%{z:,.0f}",
            hovertemplate=f"{rows.get('parameter')} %{{y}}, {cols.get('parameter')} %{{x}}: "
            "%{z:,.0f} USD bn<extra></extra>",
        )
    )
    have = grid.get("ai_revenue")
    return styled(
        fig,
        f"Revenue needed in {grid.get('year')} by {rows.get('parameter')} and "
        f"{cols.get('parameter')} (USD bn, scenario)",
        f"AI revenue sourced that year: {have:,.1f}" if have is not None else "",
        xaxis={"title": cols.get("parameter")},
        yaxis={"title": rows.get("parameter")},
    )
