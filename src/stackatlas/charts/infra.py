"""Physical-stack charts from Epoch AI's cluster data: operating power by year (with the
share of clusters that state it) and who supplies the compute."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from stackatlas.charts.theme import NEUTRAL, layer_color, rgba, series_color, styled

if TYPE_CHECKING:
    from stackatlas.infra.summary import InfraSummary


def power_by_year(summary: InfraSummary) -> go.Figure:
    """Operating AI cluster power at each year end (energy colour), the part of the clusters
    that state their power as a line on a second axis, and a partial last year drawn faded."""
    years = summary.by_year
    fig = go.Figure()
    if len(years):
        faded = [rgba(layer_color("energy"), 0.35 if p else 1.0) for p in years["partial_year"]]
        labels = [
            f"{y}{' (partial)' if p else ''}"
            for y, p in zip(years["year"], years["partial_year"], strict=True)
        ]
        fig.add_bar(
            x=labels,
            y=years["power_gw"],
            marker={"color": faded},
            name="stated power in operation (GW)",
            hovertemplate="%{x}: %{y:.2f} GW<extra></extra>",
        )
        fig.add_scatter(
            x=labels,
            y=years["power_known"] / years["clusters"],
            yaxis="y2",
            mode="lines+markers",
            line={"color": NEUTRAL, "dash": "dot"},
            name="clusters stating power (share)",
            hovertemplate="%{x}: %{y:.0%} of clusters state power<extra></extra>",
        )
    subtitle = (
        f"Epoch AI, {summary.basis} basis, as of {summary.as_of}; planned clusters not included"
    )
    return styled(
        fig,
        "AI cluster power in operation at year end (GW)",
        subtitle,
        yaxis={"title": "GW"},
        yaxis2={
            "title": "share stating power",
            "overlaying": "y",
            "side": "right",
            "range": [0, 1.05],
            "tickformat": ".0%",
        },
        legend={"orientation": "h", "y": -0.2},
    )


def compute_by_supplier(summary: InfraSummary) -> go.Figure:
    """Operational H100-equivalents by chip supplier; the undisclosed part drawn grey."""
    frame = summary.by_supplier
    colors = [
        NEUTRAL
        if company is None
        else layer_color("chips")
        if company == "nvidia"
        else series_color(i)
        for i, company in enumerate(frame["company"])
    ]
    fig = go.Figure(
        go.Bar(
            x=frame["h100e_m"],
            y=frame["supplier"],
            orientation="h",
            marker={"color": colors},
            hovertemplate="%{y}: %{x:.3f} M H100e<extra></extra>",
        )
    )
    return styled(
        fig,
        "Who supplies the operating AI compute (millions of H100-equivalents)",
        "grey: supplier not disclosed by Epoch (excluded from supplier shares)",
        yaxis={"autorange": "reversed"},
        xaxis={"title": "M H100e"},
    )
