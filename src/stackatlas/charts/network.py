"""Network charts: the Sankey of money flows and the HHI bars of market concentration.

Evidence shows in the ink: a link's opacity follows its confidence (high / medium / low) and a
link whose amount is only partly known (a lower bound) is drawn fainter and labelled "≥";
estimated HHI bars are hatched, and the band thresholds are drawn as lines.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from stackatlas.analysis.concentration import BANDS, Concentration
from stackatlas.analysis.flows import FlowGraph, Level, flow_graph
from stackatlas.atlas.atlas import Atlas
from stackatlas.charts.theme import (
    BAD,
    GOOD,
    LAYERS,
    OTHER_COLOR,
    WARN,
    layer_color,
    rgba,
    styled,
)

CONFIDENCE_ALPHA = {"high": 0.65, "medium": 0.45, "low": 0.2}
INCOMPLETE_FACTOR = 0.5
BAND_COLORS = {
    "highly concentrated": BAD,
    "moderately concentrated": WARN,
    "unconcentrated": GOOD,
}


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
    graph: FlowGraph | Atlas, level: Level = "layer", *, title: str | None = None
) -> go.Figure:
    """Sankey of money flows at layer, segment or company level (USD bn, as stated); pass a
    ``FlowGraph`` or an ``Atlas`` (then ``flow_graph(atlas)`` is used).

    Self-loops (money that stays inside one node) cannot be drawn and are left out; the graph's
    ``collapse(level)`` table has them.
    """
    if isinstance(graph, Atlas):
        graph = flow_graph(graph)
    nodes, links = graph.sankey(level)
    node_colours = [rgba(layer_color(_layer_of(graph, n)), 0.9) for n in nodes["id"]]
    link_colours, labels = [], []
    for rec in links.to_dict(orient="records"):
        alpha = CONFIDENCE_ALPHA.get(rec["confidence"], 0.3)
        if not rec["complete"]:
            alpha *= INCOMPLETE_FACTOR
        link_colours.append(rgba(layer_color(_layer_of(graph, rec["source"])), alpha))
        prefix = "" if rec["complete"] else "≥ "
        labels.append(
            f"{prefix}{rec['value']:,.1f} bn · {rec['kinds']} · {rec['periods']} · "
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
    return styled(
        go.Figure(sankey),
        title or f"Money flows by {level} (USD bn; faded = low confidence or partly unknown)",
        font_size=12,
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
