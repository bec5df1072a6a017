"""Plotly figures for a ``PortfolioReport``: exposure sunburst, risk/return scatter, drawdowns."""

from __future__ import annotations

import plotly.graph_objects as go

from stackatlas.portfolio.report import PortfolioReport
from stackatlas.portfolio.risk import drawdown


def exposure_sunburst(report: PortfolioReport) -> go.Figure:
    """Portfolio -> layer -> segment, plus the unclassified / unmapped / cash remainder."""
    ids, labels, parents, values = ["portfolio"], ["portfolio"], [""], [1.0]
    for r in report.layers.itertuples(index=False):
        if r.exposure <= 0:
            continue
        ids.append(r.layer)
        labels.append(r.layer)
        parents.append("portfolio")
        values.append(float(r.exposure))
    for s in report.segments.itertuples(index=False):
        ids.append(f"{s.layer}/{s.segment}")
        labels.append(s.segment)
        parents.append(s.layer)
        values.append(float(s.exposure))
    fig = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            hovertemplate="%{label}: %{value:.1%}",
        )
    )
    fig.update_layout(
        title="Portfolio exposure by layer and segment", margin={"t": 40, "l": 0, "r": 0, "b": 0}
    )
    return fig


def risk_return_scatter(report: PortfolioReport) -> go.Figure:
    """Annualized volatility (x) vs return (y) of each layer basket, the portfolio and benchmark."""
    fig = go.Figure()
    if report.risk is not None:
        for kind, df in report.risk.stats.groupby("kind", sort=False):
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
                    name=str(kind),
                )
            )
    fig.update_layout(
        title="Risk and return by layer",
        xaxis_title="annualized volatility",
        yaxis_title="annualized return",
        xaxis_tickformat=".0%",
        yaxis_tickformat=".0%",
    )
    return fig


def drawdown_lines(report: PortfolioReport) -> go.Figure:
    """Drawdown from the running peak for each basket over the risk window."""
    fig = go.Figure()
    if report.risk is not None:
        for name in report.risk.levels.columns:
            series = report.risk.levels[name].dropna()
            fig.add_trace(
                go.Scatter(x=series.index, y=drawdown(series), mode="lines", name=str(name))
            )
    fig.update_layout(title="Drawdowns", yaxis_title="drawdown from peak", yaxis_tickformat=".0%")
    return fig
