"""Network charts: the Sankey of money flows, the panel of circular flows and the HHI bars
of market concentration.

Evidence shows in the ink: a link's opacity follows its confidence (high / medium / low); a
link whose amount is only partly known (a lower bound) is drawn fainter and labelled "≥"; one
whose amount is not disclosed is a grey hairline labelled so; estimated HHI bars are hatched,
and the band thresholds are drawn as lines.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go

from stackatlas.analysis.concentration import BANDS, Concentration
from stackatlas.analysis.cycles import CycleReport
from stackatlas.analysis.flows import FlowGraph, Level, flow_graph
from stackatlas.atlas.atlas import Atlas
from stackatlas.charts.theme import (
    BAD,
    GOOD,
    INK,
    LAYERS,
    NEUTRAL,
    OTHER_COLOR,
    WARN,
    layer_color,
    rgba,
    styled,
)
from stackatlas.display import amount_text

CONFIDENCE_ALPHA = {"high": 0.65, "medium": 0.45, "low": 0.2}
INCOMPLETE_FACTOR = 0.5
BAND_COLORS = {
    "highly concentrated": BAD,
    "moderately concentrated": WARN,
    "unconcentrated": GOOD,
}
UNDISCLOSED_ALPHA = 0.35


def _layer_of(graph: FlowGraph, node: str) -> str | None:
    """The layer a Sankey node belongs to (layers are themselves; segments and companies by the
    stack order recorded in the graph's node table)."""
    if node in LAYERS:
        return node
    order = dict(zip(graph.nodes["id"], graph.nodes["order"], strict=True))
    rank = order.get(node)
    if rank is None or rank >= len(LAYERS):
        return None
    return LAYERS[int(rank)]


def flow_sankey(
    graph: FlowGraph | Atlas,
    level: Level = "layer",
    *,
    year: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Sankey of one year's annual money flows at layer, segment or company level (USD bn);
    pass a ``FlowGraph`` or an ``Atlas`` (then ``flow_graph(atlas)`` is used).

    Payers sit left of payees and links run down the stack; money going up the stack (equity
    into a lab) and money inside one node are not drawn here (``FlowGraph.sankey``: the cycles
    get their own panel, ``cycle_panel``). A link whose amount is not disclosed is drawn as a
    thin grey link of nominal width labelled "amount not disclosed"; one only partly known is
    fainter and labelled "≥". Multi-year commitments are never drawn as a year's flow.
    """
    if isinstance(graph, Atlas):
        graph = flow_graph(graph)
    drawn = graph.sankey(level, year)
    nodes, links = drawn.nodes, drawn.links
    node_colours = [rgba(layer_color(_layer_of(graph, n)), 0.9) for n in nodes["id"]]
    link_colours, labels = [], []
    for rec in links.to_dict(orient="records"):
        if not rec["disclosed"]:
            link_colours.append(rgba(OTHER_COLOR, UNDISCLOSED_ALPHA))
            labels.append(
                f"amount not disclosed · {rec['kinds']} · {rec['periods']} · "
                f"{rec['n_flows']} flow(s) (width is not an amount)"
            )
            continue
        alpha = CONFIDENCE_ALPHA.get(rec["confidence"], 0.3)
        if not rec["complete"]:
            alpha *= INCOMPLETE_FACTOR
        link_colours.append(rgba(layer_color(_layer_of(graph, rec["source"])), alpha))
        amount = amount_text(rec)
        labels.append(
            f"{amount} bn · {rec['kinds']} · {rec['periods']} · "
            f"{rec['evidence']} · {rec['n_flows']} flow(s)"
        )
    sankey = go.Sankey(
        arrangement="snap",
        node={"label": list(nodes["label"]), "color": node_colours, "pad": 14, "thickness": 16},
        link={
            "source": list(links["source_index"]),
            "target": list(links["target_index"]),
            "value": list(links["value"]),
            "color": link_colours,
            "customdata": labels,
            "hovertemplate": "%{customdata}<extra></extra>",
        },
    )
    fig = go.Figure(sankey)
    projection = drawn.year is not None and bool(
        graph.slices[(graph.slices["year"] == drawn.year)]["projection"].all()
    )
    when = f"{drawn.year}{' (projection)' if projection else ''}" if drawn.year else "no year"
    styled(
        fig,
        title or f"Annual money flows by {level}, {when} (USD bn)",
        "payers left, down the stack; grey hairline = amount not disclosed (width is not an "
        "amount); faded = partly known or low confidence",
        font_size=12,
    )
    if len(drawn.upward):
        ups = ", ".join(
            f"{s} → {t}"
            for s, t in zip(drawn.upward["source"], drawn.upward["target"], strict=True)
        )
        fig.add_annotation(
            text=f"not drawn (money going up the stack, see the cycles panel and table): {ups}",
            xref="paper",
            yref="paper",
            x=0,
            y=-0.08,
            showarrow=False,
            font={"size": 11, "color": NEUTRAL},
            align="left",
        )
    return fig


def cycle_panel(report: CycleReport, *, max_cycles: int = 6) -> go.Figure:
    """The circular flows on their own: one ring per loop (nodes on a circle, an arrow per
    hop) labelled with the hop's amount in the loop's comparison year, or "not disclosed" /
    "multi-year only" — so loops never wrap round the Sankey."""
    from plotly.subplots import make_subplots

    cycles = report.cycles[:max_cycles]
    cols = max(1, min(3, len(cycles)))
    rows = max(1, -(-len(cycles) // cols))
    titles = [
        f"{c.path}<br><sup>{c.year or 'no common year'}: bottleneck "
        f"{amount_text(c.bottleneck) if c.year else '—'}</sup>"
        for c in cycles
    ]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles or ["no cycles"])
    notes: list[dict[str, Any]] = []  # set once: plotly copies the layout on every add
    for i, c in enumerate(cycles):
        r, col = i // cols + 1, i % cols + 1
        n = len(c.nodes)
        angle = [math.pi / 2 - 2 * math.pi * k / n for k in range(n)]
        xs, ys = [math.cos(a) for a in angle], [math.sin(a) for a in angle]
        axis = "" if i == 0 else str(i + 1)
        for k, hop in enumerate(c.edges.to_dict(orient="records")):
            j = (k + 1) % n
            text = amount_text(hop, missing="not disclosed") if c.year else "no common year"
            notes.append(
                {
                    "x": xs[j] * 0.8,
                    "y": ys[j] * 0.8,
                    "ax": xs[k] * 0.8,
                    "ay": ys[k] * 0.8,
                    "xref": f"x{axis}",
                    "yref": f"y{axis}",
                    "axref": f"x{axis}",
                    "ayref": f"y{axis}",
                    "showarrow": True,
                    "arrowhead": 3,
                    "arrowwidth": 1.5,
                    "arrowcolor": INK,
                    "text": "",
                }
            )
            shift = (0.12 if k == 0 else -0.12) if n == 2 else 0
            notes.append(
                {
                    "x": (xs[k] + xs[j]) * 0.45,
                    "y": (ys[k] + ys[j]) * 0.45 + shift,
                    "xref": f"x{axis}",
                    "yref": f"y{axis}",
                    "text": f"{text}<br><sub>{hop['kinds'].replace(';', ', ')}</sub>",
                    "showarrow": False,
                    "font": {"size": 10},
                }
            )
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers+text",
                text=c.nodes,
                textposition="top center",
                marker={"size": 14, "color": INK},
                hoverinfo="text",
                showlegend=False,
            ),
            row=r,
            col=col,
        )
        fig.update_xaxes(visible=False, range=[-1.5, 1.5], row=r, col=col)
        fig.update_yaxes(visible=False, range=[-1.4, 1.5], row=r, col=col)
    fig.update_layout(annotations=[*fig.layout.annotations, *notes])
    unit = "per year, multi-year amounts annualised" if report.per_year else "per year"
    return styled(
        fig,
        f"Circular money flows (USD bn {unit})",
        "each loop on its own; amounts compared within one year, never across periods",
        height=320 * rows,
        margin={"t": 110},
        showlegend=False,
    )


def hhi_bars(result: Concentration) -> go.Figure:
    """HHI per market with the guideline band lines; the whisker reaches the HHI when the
    unnamed remainder is one firm (upper bound). Estimated values are hatched."""
    table = result.table[result.table["hhi"].notna()].iloc[::-1]
    patterns = ["" if ev in ("reported", "derived") else "/" for ev in table["evidence"]]
    upper = (table["hhi_others_single"] - table["hhi"]).tolist()
    bar = go.Bar(
        x=table["hhi"],
        y=table["name"],
        orientation="h",
        marker={"color": [_band_colour(b) for b in table["band"]], "pattern": {"shape": patterns}},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": upper,
            "arrayminus": [0] * len(upper),
        },
        customdata=list(
            zip(
                table["band"],
                table["cr1"],
                table["cr3"],
                table["others"],
                table["evidence"],
                strict=True,
            )
        ),
        hovertemplate=(
            "HHI %{x:,.0f} · %{customdata[0]}<br>CR1 %{customdata[1]:.0f}% · "
            "CR3 %{customdata[2]:.0f}% · others %{customdata[3]:.0f}%<br>"
            "%{customdata[4]}<extra></extra>"
        ),
        name="HHI",
    )
    fig = go.Figure(bar)
    low, high = BANDS[result.guidelines]
    # the lines are close (1,000 / 1,800 on a 0-10,500 axis): above the plot, the lower label
    # ends at its line and the upper one starts at its line, so they never overlap
    for x, text, anchor in (
        (low, "moderately concentrated", "right"),
        (high, "highly concentrated", "left"),
    ):
        fig.add_vline(
            x=x,
            line_dash="dash",
            line_color="grey",
            annotation_text=f"{text} ({x:,.0f})",
            annotation_position="top",
            annotation={"xanchor": anchor},
        )
    return styled(
        fig,
        f"Market concentration (HHI, {result.guidelines} Merger Guidelines bands; "
        "whisker: others as one firm; hatched: estimated)",
        xaxis={"title": "HHI (0-10,000)", "range": [0, 10_500]},
        yaxis={"title": ""},
        showlegend=False,
    )


def _band_colour(band: Any) -> str:
    return BAND_COLORS.get(band, OTHER_COLOR)
