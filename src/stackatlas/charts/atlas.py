"""Atlas charts: the stack map (layer -> segment -> company sunburst)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from stackatlas.charts.theme import layer_color, styled

if TYPE_CHECKING:
    from stackatlas.atlas.views import StackMap


def stack_map_figure(view: StackMap) -> go.Figure:
    """Sunburst layer -> segment -> company. A company's slice is its revenue-exposure weight
    in the segment (the share of its revenue from that segment, 0-1); a segment is the sum of
    its companies' weights, so wide segments hold many exposed companies."""
    ids, labels, parents, values, colors, hover = [], [], [], [], [], []
    for layer in sorted(view.layers, key=lambda layer: -layer.order):
        color = layer_color(layer.id)
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
    return styled(
        fig,
        "The AI stack: layer → segment → company (slice = revenue-exposure weight)",
        height=720,
    )
