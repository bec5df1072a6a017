"""Portfolio charts: exposure sunburst, risk/return scatter, drawdowns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from stackatlas.charts.theme import OTHER_COLOR, ROOT_COLOR, layer_color, series_color, styled

if TYPE_CHECKING:
    from stackatlas.portfolio.report import PortfolioReport


def exposure_sunburst(report: PortfolioReport) -> go.Figure:
    """Portfolio -> layer -> segment, plus the unclassified / unmapped / cash remainder."""
    ids, labels, parents, values = ["portfolio"], ["portfolio"], [""], [1.0]
    colors = [ROOT_COLOR]
    for r in report.layers.itertuples(index=False):
        if r.exposure <= 0:
            continue
        ids.append(r.layer)
        labels.append(r.layer)
        parents.append("portfolio")
        values.append(float(r.exposure))
        colors.append(layer_color(r.layer, OTHER_COLOR))
    for s in report.segments.itertuples(index=False):
        ids.append(f"{s.layer}/{s.segment}")
        labels.append(s.segment)
        parents.append(s.layer)
        values.append(float(s.exposure))
        colors.append(layer_color(s.layer, OTHER_COLOR))
    fig = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": colors, "line": {"color": "white", "width": 1}},
            hovertemplate="%{label}: %{value:.1%}",
        )
    )
    return styled(
        fig,
        "Portfolio exposure by layer and segment",
        margin={"t": 40, "l": 0, "r": 0, "b": 0},
    )


def risk_return_scatter(report: PortfolioReport) -> go.Figure:
    """Annualized volatility (x) vs return (y) of each layer basket, the portfolio and benchmark."""
    fig = go.Figure()
    if report.risk is not None:
        for i, (kind, df) in enumerate(report.risk.stats.groupby("kind", sort=False)):
            labels = [
                f"{n} ({w})" if w else n for n, w in zip(df["name"], df["weighting"], strict=True)
            ]
            fig.add_trace(
                go.Scatter(
                    x=df["ann_volatility"],
                    y=df["ann_return"],
                    text=labels,
                    mode="markers+text",
                    textposition="top center",
                    marker={"color": [layer_color(n, series_color(i)) for n in df["name"]]},
                    name=str(kind),
                )
            )
    return styled(
        fig,
        "Risk and return by layer",
        xaxis_title="annualized volatility",
        yaxis_title="annualized return",
        xaxis_tickformat=".0%",
        yaxis_tickformat=".0%",
    )


def drawdown_lines(report: PortfolioReport) -> go.Figure:
    """Drawdown from the running peak for each basket over the risk window (a layer basket in
    its layer's colour, cap-weighted dashed)."""
    from stackatlas.portfolio.risk import drawdown

    fig = go.Figure()
    if report.risk is not None:
        for i, name in enumerate(report.risk.levels.columns):
            series = report.risk.levels[name].dropna()
            layer, _, weighting = str(name).partition(" (")
            line = {"color": layer_color(layer, series_color(i))}
            if weighting == "cap)":
                line["dash"] = "dash"
            trace = go.Scatter(x=series.index, y=drawdown(series), mode="lines", line=line)
            fig.add_trace(trace.update(name=str(name)))
    return styled(fig, "Drawdowns", yaxis_title="drawdown from peak", yaxis_tickformat=".0%")
