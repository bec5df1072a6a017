"""Watch-list charts: signal bullet gauges and the claims audit (computed vs claimed)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from stackatlas.charts.theme import (
    BAD,
    GOOD,
    OTHER_COLOR,
    STATUS_COLORS,
    WARN,
    ZONE_TINTS,
    styled,
)


def signals_figure(rows: pd.DataFrame) -> go.Figure:
    """One bullet gauge per resolved signal: its value against the watch and alert thresholds
    (in the signal's own unit); the bar colour is the status."""
    rows = rows[rows["value"].notna()].reset_index(drop=True) if len(rows) else rows
    fig = go.Figure()
    n = max(1, len(rows))
    for i, r in rows.iterrows():
        value, watch, alert = float(r["value"]), float(r["watch"]), float(r["alert"])
        lo, hi = min(value, watch, alert, 0.0), max(value, watch, alert)
        pad = (hi - lo) * 0.15 or 1.0
        lo, hi = lo - (pad if lo < 0 else 0), hi + pad
        if r["direction"] == "above":
            steps = [
                {"range": [lo, watch], "color": ZONE_TINTS["ok"]},
                {"range": [watch, alert], "color": ZONE_TINTS["watch"]},
                {"range": [alert, hi], "color": ZONE_TINTS["alert"]},
            ]
        else:
            steps = [
                {"range": [lo, alert], "color": ZONE_TINTS["alert"]},
                {"range": [alert, watch], "color": ZONE_TINTS["watch"]},
                {"range": [watch, hi], "color": ZONE_TINTS["ok"]},
            ]
        top = 1 - i / n
        fig.add_trace(
            go.Indicator(
                mode="number+gauge",
                value=value,
                number={"valueformat": ".3g", "suffix": f" {r['unit']}", "font": {"size": 16}},
                title={"text": f"{r['symbol']} {r['id']}", "font": {"size": 12}},
                domain={"x": [0.3, 0.85], "y": [top - 0.8 / n, top - 0.25 / n]},
                gauge={
                    "shape": "bullet",
                    "axis": {"range": [lo, hi]},
                    "bar": {"color": STATUS_COLORS.get(str(r["status"]), OTHER_COLOR)}
                    | {"thickness": 0.5},
                    "steps": steps,
                    "threshold": {
                        "line": {"color": BAD, "width": 3},
                        "thickness": 0.9,
                        "value": alert,
                    },
                },
            )
        )
    return styled(
        fig, "Signals: value against watch (amber) and alert (red) zones", height=120 + 90 * n
    )


def audit_figure(rows: pd.DataFrame) -> go.Figure:
    """Checked claims: computed vs claimed as a % difference (0 = exact), coloured by status."""
    checked = rows[rows["computed"].notna()] if len(rows) else rows
    diff = [
        (float(c) / float(v) - 1) * 100 if v else None
        for c, v in zip(checked["computed"], checked["claimed"], strict=True)
    ]
    colours = {"match": GOOD, "differs": WARN}
    fig = go.Figure(
        go.Bar(
            x=diff,
            y=checked["figure"],
            orientation="h",
            marker_color=[colours.get(s, OTHER_COLOR) for s in checked["status"]],
            customdata=list(
                zip(
                    checked["claimed"],
                    checked["computed"],
                    checked["unit"],
                    checked["status"],
                    strict=True,
                )
            ),
            hovertemplate="claimed %{customdata[0]:,.6g} · computed %{customdata[1]:,.6g} "
            "%{customdata[2]}<br>%{customdata[3]}<extra></extra>",
        )
    )
    span = max([1.0, *(abs(d) * 1.15 for d in diff if d is not None)])  # at least ±1%
    return styled(
        fig,
        "Claims checked against the filings: computed vs claimed, % "
        "difference (green = match within rounding)",
        xaxis={
            "title": "% difference",
            "ticksuffix": "%",
            "range": [-span, span],
            "zeroline": True,
        },
        yaxis={"automargin": True, "autorange": "reversed"},
        height=160 + 22 * max(1, len(checked)),
        showlegend=False,
    )
