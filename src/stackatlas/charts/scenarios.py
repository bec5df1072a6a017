"""Scenario charts: impact by layer, a fan chart over quarters, every shipped scenario side by
side, and a standalone HTML page of one result."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from stackatlas.charts.theme import layer_color, rgba, series_color, styled
from stackatlas.outputs import write_output
from stackatlas.scenarios.measures import horizon, pct_of_baseline

if TYPE_CHECKING:
    from stackatlas.scenarios.result import ScenarioResult


def impact_by_layer(result: ScenarioResult, *, money: bool = False) -> go.Figure:
    """Bar per layer: revenue at risk (% of baseline revenue over the horizon, or USD bn summed
    over it) with p5-p95 error bars; the two titles differ and name the horizon."""
    df = result.layers
    col, unit = ("revenue_at_risk_usd_bn", "usd") if money else ("revenue_at_risk_pct", "pct")
    error = None
    if result.draws and f"{unit}_p5" in df:
        error = {
            "type": "data",
            "symmetric": False,
            "array": (df[f"{unit}_p95"] - df[col]).clip(lower=0).fillna(0).to_numpy(),
            "arrayminus": (df[col] - df[f"{unit}_p5"]).clip(lower=0).fillna(0).to_numpy(),
        }
    fig = go.Figure(
        go.Bar(
            x=df["layer"],
            y=df[col],
            error_y=error,
            marker_color=[layer_color(layer) for layer in df["layer"]],
            hovertemplate="%{x}: %{y:.2f}<extra></extra>",
        )
    )
    h = horizon(result.quarters)
    if money:
        title = f"{result.title}: revenue at risk by layer, USD bn summed over {h}"
        label = f"revenue at risk, USD bn over {h}"
    else:
        title = f"{result.title}: revenue at risk by layer, {pct_of_baseline(result.quarters)}"
        label = pct_of_baseline(result.quarters)
    return styled(fig, title, yaxis_title=label, xaxis_title="layer (negative = gain)")


def fan_chart(
    result: ScenarioResult, *, level: str = "layer", ids: list[str] | None = None
) -> go.Figure:
    """Revenue at risk (% of baseline) per quarter; p5-p95 band and median when drawn."""
    df = result.quarterly[result.quarterly["level"] == level]
    if ids:
        df = df[df["id"].isin(ids)]
    fig = go.Figure()
    for i, (key, part) in enumerate(df.groupby("id", sort=False)):
        part = part.sort_values("quarter")
        if np.all(np.isnan(part["revenue_at_risk_pct"].to_numpy(float))):
            continue
        color = layer_color(key, series_color(i)) if level == "layer" else series_color(i)
        if result.draws and "pct_p5" in part:
            fig.add_trace(
                go.Scatter(
                    x=part["quarter"],
                    y=part["pct_p95"],
                    mode="lines",
                    line={"width": 0},
                    showlegend=False,
                    hoverinfo="skip",
                    legendgroup=str(key),
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=part["quarter"],
                    y=part["pct_p5"],
                    mode="lines",
                    line={"width": 0},
                    fill="tonexty",
                    fillcolor=rgba(color, 0.18),
                    name=f"{key} p5–p95",
                    legendgroup=str(key),
                )
            )
        fig.add_trace(
            go.Scatter(
                x=part["quarter"],
                y=part["revenue_at_risk_pct"],
                mode="lines+markers",
                line={"color": color},
                name=str(key),
                legendgroup=str(key),
            )
        )
    return styled(
        fig,
        f"{result.title}: revenue at risk in each quarter, % of that quarter's baseline revenue",
        xaxis_title="quarter after onset",
        yaxis_title="% of the quarter's baseline revenue (negative = gain)",
    )


def scenarios_summary(results: Sequence[ScenarioResult]) -> go.Figure:
    """Revenue at risk by layer (USD bn) of several scenarios, grouped bars (one per result)."""
    fig = go.Figure()
    for i, result in enumerate(results):
        layers = result.layers
        fig.add_bar(
            x=layers["layer"],
            y=layers["revenue_at_risk_usd_bn"],
            name=result.title,
            marker_color=series_color(i),
        )
    quarters = sorted({r.quarters for r in results})
    span = horizon(quarters[0]) if len(quarters) == 1 else "each scenario's horizon"
    return styled(
        fig,
        f"Shipped scenarios at default parameters: revenue at risk by layer, USD bn summed over "
        f"{span}",
        barmode="group",
        yaxis_title=f"USD bn over {span} (negative = gain)",
    )


def write_html(result: ScenarioResult, path: Path) -> Path:
    """Both charts in one standalone HTML file (written atomically)."""
    html = "".join(
        fig.to_html(full_html=False, include_plotlyjs="cdn" if i else True)
        for i, fig in enumerate((impact_by_layer(result), fan_chart(result)))
    )
    page = (
        f"<html><head><meta charset='utf-8'><title>{result.title}</title></head>"
        f"<body>{html}</body></html>"
    )
    return write_output(path, page.encode("utf-8"), "chart page")
