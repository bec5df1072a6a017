"""Plotly figures for the network analysis: the Sankey of money flows and HHI bars.

Evidence shows in the ink: a link's opacity follows its confidence (high / medium / low) and a
link whose amount is only partly known (a lower bound) is drawn fainter and labelled "≥";
estimated HHI bars are hatched, and the band thresholds are drawn as lines.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from stackatlas.analysis.concentration import BANDS, Concentration
from stackatlas.analysis.economics import LabProjection
from stackatlas.analysis.flows import FlowGraph, Level, flow_graph
from stackatlas.atlas.atlas import Atlas

LAYER_COLOURS = {
    "energy": "44, 160, 44",
    "chips": "31, 119, 180",
    "cloud": "148, 103, 189",
    "models": "214, 39, 40",
    "applications": "255, 127, 14",
}
OTHER_COLOUR = "127, 127, 127"
CONFIDENCE_ALPHA = {"high": 0.65, "medium": 0.45, "low": 0.2}
INCOMPLETE_FACTOR = 0.5


def _layer_of(graph: FlowGraph, node: str) -> str | None:
    """The layer a Sankey node belongs to (layers are themselves; segments and companies by the
    stack order recorded in the graph's node table)."""
    order = dict(zip(graph.nodes["id"], graph.nodes["order"], strict=True))
    rank = order.get(node)
    layers = list(LAYER_COLOURS)
    if node in LAYER_COLOURS:
        return node
    if rank is None or rank >= len(layers):
        return None
    return layers[int(rank)]


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
    node_colours = [
        f"rgba({LAYER_COLOURS.get(_layer_of(graph, n) or '', OTHER_COLOUR)}, 0.9)"
        for n in nodes["id"]
    ]
    link_colours, labels = [], []
    for rec in links.to_dict(orient="records"):
        alpha = CONFIDENCE_ALPHA.get(rec["confidence"], 0.3)
        if not rec["complete"]:
            alpha *= INCOMPLETE_FACTOR
        colour = LAYER_COLOURS.get(_layer_of(graph, rec["source"]) or "", OTHER_COLOUR)
        link_colours.append(f"rgba({colour}, {alpha:.3f})")
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
    fig = go.Figure(sankey)
    fig.update_layout(
        title=title or f"Money flows by {level} (USD bn; faded = low confidence or partly unknown)",
        font_size=12,
    )
    return fig


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
    fig.update_layout(
        title=f"Market concentration (HHI, {result.guidelines} Merger Guidelines bands; "
        "whisker: others as one firm; hatched: estimated)",
        xaxis={"title": "HHI (0-10,000)", "range": [0, 10_500]},
        yaxis={"title": ""},
        showlegend=False,
    )
    return fig


def _band_colour(band: Any) -> str:
    return {
        "highly concentrated": "#d62728",
        "moderately concentrated": "#ff7f0e",
        "unconcentrated": "#2ca02c",
    }.get(band, "#7f7f7f")


def lab_cash_chart(projection: LabProjection) -> go.Figure:
    """Revenue and total cost bars with the cash-flow line of a lab projection; years whose
    cash flow rests on assumptions (evidence ``scenario``) are hatched."""
    wide = projection.wide().dropna(subset=["cash_flow"])
    table = projection.table.set_index(["year", "metric"])["evidence"]
    hatch = ["/" if table[(y, "cash_flow")] == "scenario" else "" for y in wide.index]
    years = [str(y) for y in wide.index]
    fig = go.Figure(
        [
            go.Bar(
                x=years,
                y=wide["revenue"],
                name="revenue",
                marker_color="#2ca02c",
                marker_pattern_shape=hatch,
            ),
            go.Bar(
                x=years,
                y=wide["total_cost"],
                name="total cost",
                marker_color="#d62728",
                marker_pattern_shape=hatch,
            ),
            go.Scatter(
                x=years,
                y=wide["cash_flow"],
                name="cash flow",
                mode="lines+markers",
                line={"color": "black"},
            ),
        ]
    )
    be = projection.breakeven_year
    if be is not None:
        fig.add_vline(x=years.index(str(be)), line_dash="dot", annotation_text=f"breakeven {be}")
    fig.update_layout(
        barmode="group",
        yaxis_title="USD bn",
        title=f"{projection.name}: revenue, costs and cash flow (hatched: scenario assumptions)",
    )
    return fig
