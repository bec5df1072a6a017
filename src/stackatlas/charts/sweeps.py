"""Plotly figures for a ``SweepResult``: the tornado of which parameters move the tail."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from stackatlas._io import atomic_write
from stackatlas.charts.theme import plotly_js, series_color, styled
from stackatlas.scenarios.sweep_result import SweepResult

_LOW, _HIGH = series_color(0), series_color(3)


def sweep_tornado(result: SweepResult, target: str | None = None) -> go.Figure:
    """One bar pair per swept parameter around the mean of the output over all points: to
    the mean at the parameter's lowest values and to the mean at its highest; largest first-order
    index on top. The label carries the index (S1)."""
    column = result.target_column(target)
    rows = result.tornado(column).dropna(subset=["low", "high"]).iloc[::-1]
    base = float(np.nanmean(result.points[column].to_numpy(float)))
    labels = [f"{r.parameter} (S1 {r.first_order:.2f})" for r in rows.itertuples()]
    fig = go.Figure()
    for side, color, key in (("low", _LOW, "param_low"), ("high", _HIGH, "param_high")):
        fig.add_trace(
            go.Bar(
                y=labels,
                x=rows[side] - base,
                base=base,
                orientation="h",
                name=f"parameter at its {side} end",
                marker_color=color,
                customdata=np.stack([rows[key], rows[side]], axis=1),
                hovertemplate="%{y}<br>value %{customdata[0]:.3g}: "
                "%{customdata[1]:.2f}%<extra></extra>",
            )
        )
    fig.add_vline(x=base, line_dash="dot", line_color="#555")
    return styled(
        fig,
        f"{result.scenario}: what moves {column}",
        f"scenario model output; {len(result.points):,} points x {result.draws:,} draws; "
        "S1 = first-order variance index",
        xaxis_title=(
            f"p95 revenue at risk, % of baseline over {result.horizon_text} (mean over points)"
        ),
        barmode="overlay",
        height=200 + 40 * len(rows),
    )


def write_sweep_html(result: SweepResult, path: Path, target: str | None = None) -> Path:
    """The tornado chart as one standalone HTML file (written atomically; plotly.js inlined
    from the installed package, no CDN)."""
    fig = sweep_tornado(result, target)
    body = fig.to_html(full_html=False, include_plotlyjs=False)
    script = f"<script>{plotly_js().decode('utf-8')}</script>"
    title = html.escape(f"sweep: {result.scenario}")
    page = (
        f"<html><head><meta charset='utf-8'><title>{title}</title>{script}</head>"
        f"<body>{body}</body></html>"
    )
    atomic_write(Path(path), page.encode("utf-8"), mode=0o644)
    return Path(path)
