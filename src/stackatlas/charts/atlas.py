"""Atlas charts: the stack map (layer -> segment -> company sunburst)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from stackatlas.charts.theme import layer_color, rgba, styled

if TYPE_CHECKING:
    from stackatlas.analysis.stack_sizes import StackDollars
    from stackatlas.atlas.views import StackMap


def stack_map_figure(view: StackMap, dollars: StackDollars | None = None) -> go.Figure:
    """The stack map sized in dollars (``dollars`` given: each company's revenue in the
    segment, the estimated slices lighter) or by revenue-exposure weight (default)."""
    if dollars is not None:
        return _dollar_map(view, dollars)
    return _weight_map(view)


@dataclass
class _Sunburst:
    """The nodes of a layer -> segment -> company sunburst, in drawing order."""

    ids: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    colors: list[str] = field(default_factory=list)
    hover: list[str] = field(default_factory=list)

    def add(self, node: str, label: str, parent: str, value: float, color: str, hover: str) -> None:
        self.ids.append(node)
        self.labels.append(label)
        self.parents.append(parent)
        self.values.append(value)
        self.colors.append(color)
        self.hover.append(hover)

    def figure(self) -> go.Figure:
        return go.Figure(
            go.Sunburst(
                ids=self.ids,
                labels=self.labels,
                parents=self.parents,
                values=self.values,
                branchvalues="total",
                marker={"colors": self.colors, "line": {"color": "white", "width": 1}},
                customdata=self.hover,
                hovertemplate="<b>%{label}</b><br>%{customdata}<extra></extra>",
                insidetextorientation="radial",
                maxdepth=3,
            )
        )


def _dollar_map(view: StackMap, dollars: StackDollars) -> go.Figure:
    """Sunburst layer -> segment -> company, a company's slice = its revenue in the segment
    (USD bn): the filing's own segment revenue where reported, else revenue x share or weight
    (estimated: lighter, and said in the hover). Companies without any revenue are left out,
    and a layer with none is named in the subtitle rather than drawn as zero."""
    tree = _Sunburst()
    not_drawn: list[str] = []
    for layer in sorted(view.layers, key=lambda layer: -layer.order):
        color = layer_color(layer.id)
        seg_rows: list = []
        layer_total = 0.0
        layer_members: set[str] = set()
        layer_sized: set[str] = set()
        for seg in layer.segments:
            members = [c for c in seg.companies if c.weight > 0]
            layer_members.update(c.id for c in members)
            parts = [(c, dollars.get(seg.id, c.id)) for c in members]
            sized = [(c, d) for c, d in parts if d is not None]
            layer_sized.update(c.id for c, _ in sized)
            total = sum(d["value"] for _, d in sized) / 1e9
            if total > 0:
                seg_rows.append((seg, total, sized, len(members)))
                layer_total += total
        if layer_total <= 0:
            not_drawn.append(layer.name)
            continue
        estimated_total = sum(
            d["value"] for _, _, sized, _ in seg_rows for _, d in sized if _is_estimate(d)
        )
        tree.add(
            layer.id,
            layer.name,
            "",
            layer_total,
            color,
            f"USD {layer_total:,.1f} bn ({estimated_total / 1e9:,.1f} estimated) from "
            f"{len(layer_sized)} of {len(layer_members)} companies · level {layer.level}: "
            f"{layer.level_name}",
        )
        for seg, total, sized, n_members in seg_rows:
            sid = f"{layer.id}/{seg.id}"
            tree.add(
                sid,
                seg.name,
                layer.id,
                total,
                color,
                f"USD {total:,.1f} bn from {len(sized)} of {n_members} companies",
            )
            for c, d in sized:
                tree.add(
                    f"{sid}/{c.id}",
                    c.name,
                    sid,
                    d["value"] / 1e9,
                    rgba(color, 0.45) if _is_estimate(d) else color,
                    f"USD {d['value'] / 1e9:,.1f} bn, CY{d['period']} · {d['evidence']} "
                    f"({d['rule']})<br>{d['basis']}",
                )
    fig = tree.figure()
    years = dollars.periods
    span = f"CY{years[0]}" + (f"-CY{years[-1]}" if len(years) > 1 else "") if years else ""
    note = f"each company's latest year with revenue ({span}); lighter = estimated"
    if dollars.unsized:
        note += f"; {len(dollars.unsized)} companies without revenue data are not drawn"
    if not_drawn:
        note += f" (no revenue data at all: {', '.join(not_drawn)})"
    return styled(
        fig,
        "The AI stack in dollars: layer → segment → company (slice = revenue, USD bn)",
        note,
        height=720,
    )


def _is_estimate(row: Mapping[str, Any]) -> bool:
    """An allocated or atlas-estimated value (anything not reported or derived from filings)."""
    return row["evidence"] not in ("reported", "derived")


def _weight_map(view: StackMap) -> go.Figure:
    """Sunburst layer -> segment -> company. A company's slice is its revenue-exposure weight
    in the segment (the share of its revenue from that segment, 0-1); a segment is the sum of
    its companies' weights, so wide segments hold many exposed companies."""
    tree = _Sunburst()
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
        tree.add(
            layer.id, layer.name, "", seg_total, color, f"level {layer.level}: {layer.level_name}"
        )
        for seg, total in seg_rows:
            sid = f"{layer.id}/{seg.id}"
            tree.add(sid, seg.name, layer.id, total, color, f"{len(seg.companies)} companies")
            for c in seg.companies:
                if c.weight <= 0:
                    continue
                share = (
                    f"<br>{c.key_share.share:.0%} of {c.key_share.market_name}"
                    if c.key_share
                    else ""
                )
                tree.add(
                    f"{sid}/{c.id}",
                    c.name,
                    sid,
                    c.weight,
                    color,
                    f"{c.ticker or 'private'} · weight {c.weight:.2f}{share}",
                )
    return styled(
        tree.figure(),
        "The AI stack by weight: layer → segment → company (slice = revenue-exposure weight)",
        "a weight is a share of a company's own revenue, not its size",
        height=720,
    )
