"""Figures the web pages need that no analysis module draws (stack map, fundamentals, signals),
and the safe embedding of any plotly figure as a JSON data block.

Embedding: ``fig.to_json()`` with ``<``, ``>`` and ``&`` escaped as ``\\u003c`` ... so no text in a
figure (an overlay company name, say) can close the ``<script type="application/json">`` block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from stackatlas.analysis.pool_charts import LAYER_COLORS
from stackatlas.atlas.views import StackMap

_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
STATUS_COLORS = {"ok": "#2ca02c", "watch": "#ff7f0e", "alert": "#d62728", "unresolved": "#9e9e9e"}


@dataclass(frozen=True)
class Chart:
    """A figure ready for a page: ``id`` names the data block, ``json`` is safe to inline."""

    id: str
    json: str
    caption: str = ""
    title: str = ""  # plain text of the figure title (aria-label)


def safe_json(text: str) -> str:
    """JSON text that cannot break out of an HTML ``<script>`` element."""
    return text.translate(_JSON_ESCAPES)


def chart(chart_id: str, fig: go.Figure, caption: str = "") -> Chart:
    fig.update_layout(margin={"t": 70, "l": 60, "r": 30, "b": 50}, autosize=True)
    title = re.sub(r"<[^>]+>", " ", fig.layout.title.text or chart_id).strip()
    return Chart(chart_id, safe_json(fig.to_json()), caption, title)


def stack_map_figure(view: StackMap) -> go.Figure:
    """Sunburst layer -> segment -> company. A company's slice is its revenue-exposure weight
    in the segment (the share of its revenue from that segment, 0-1); a segment is the sum of
    its companies' weights, so wide segments hold many exposed companies."""
    ids, labels, parents, values, colors, hover = [], [], [], [], [], []
    for layer in sorted(view.layers, key=lambda layer: -layer.order):
        color = LAYER_COLORS.get(layer.id, "#888")
        seg_total = 0.0
        seg_rows = []
        for seg in layer.segments:
            total = sum(c.weight for c in seg.companies)
            if total <= 0:
                continue
            seg_total += total
            seg_rows.append((seg, total))
        if seg_total <= 0:
            continue
        ids.append(layer.id)
        labels.append(layer.name)
        parents.append("")
        values.append(seg_total)
        colors.append(color)
        hover.append(f"level {layer.level}: {layer.level_name}")
        for seg, total in seg_rows:
            sid = f"{layer.id}/{seg.id}"
            ids.append(sid)
            labels.append(seg.name)
            parents.append(layer.id)
            values.append(total)
            colors.append(color)
            hover.append(f"{len(seg.companies)} companies")
            for c in seg.companies:
                if c.weight <= 0:
                    continue
                ids.append(f"{sid}/{c.id}")
                labels.append(c.name)
                parents.append(sid)
                values.append(c.weight)
                colors.append(color)
                share = (
                    f"<br>{c.key_share.share:.0%} of {c.key_share.market_name}"
                    if c.key_share
                    else ""
                )
                hover.append(f"{c.ticker or 'private'} · weight {c.weight:.2f}{share}")
    fig = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": colors, "line": {"color": "white", "width": 1}},
            customdata=hover,
            hovertemplate="<b>%{label}</b><br>%{customdata}<extra></extra>",
            insidetextorientation="radial",
            maxdepth=3,
        )
    )
    fig.update_layout(
        title="The AI stack: layer → segment → company (slice = revenue-exposure weight)",
        height=720,
    )
    return fig


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
    for metric, title in wanted.items():
        part = frame[frame["metric"] == metric].sort_values("end") if len(frame) else frame
        if part.empty:
            continue
        labels = [f"FY{int(y)}" for y in part["fiscal_year"]]
        fig.add_bar(
            x=labels,
            y=(part["value"].astype(float) / 1e9).tolist(),
            name=title,
            customdata=list(
                zip(part["accession"].astype(str), part["evidence"].astype(str), strict=True)
            ),
            hovertemplate=f"{title} %{{x}}: %{{y:,.1f}} bn<br>%{{customdata[1]}} · "
            "accession %{customdata[0]}<extra></extra>",
        )
    fig.update_layout(
        title=f"{name}: annual fundamentals from SEC filings (USD bn)",
        barmode="group",
        yaxis_title="USD billion",
        xaxis_title="fiscal year",
    )
    return fig


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
                {"range": [lo, watch], "color": "#e8f5e9"},
                {"range": [watch, alert], "color": "#fff3e0"},
                {"range": [alert, hi], "color": "#ffebee"},
            ]
        else:
            steps = [
                {"range": [lo, alert], "color": "#ffebee"},
                {"range": [alert, watch], "color": "#fff3e0"},
                {"range": [watch, hi], "color": "#e8f5e9"},
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
                    "bar": {"color": STATUS_COLORS.get(str(r["status"]), "#888"), "thickness": 0.5},
                    "steps": steps,
                    "threshold": {
                        "line": {"color": "#d62728", "width": 3},
                        "thickness": 0.9,
                        "value": alert,
                    },
                },
            )
        )
    fig.update_layout(
        title="Signals: value against watch (amber) and alert (red) zones", height=120 + 90 * n
    )
    return fig


def audit_figure(rows: pd.DataFrame) -> go.Figure:
    """Checked claims: computed vs claimed as a % difference (0 = exact), coloured by status."""
    checked = rows[rows["computed"].notna()] if len(rows) else rows
    diff = [
        (float(c) / float(v) - 1) * 100 if v else None
        for c, v in zip(checked["computed"], checked["claimed"], strict=True)
    ]
    colours = {"match": "#2ca02c", "differs": "#ff7f0e"}
    fig = go.Figure(
        go.Bar(
            x=diff,
            y=checked["figure"],
            orientation="h",
            marker_color=[colours.get(s, "#888") for s in checked["status"]],
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
    fig.update_layout(
        title="Claims checked against the filings: computed vs claimed, % "
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
    return fig
