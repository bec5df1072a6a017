"""The chip supply chain as a Sankey: stages -> inputs -> the AI outputs they feed first.

Only the most specific inputs are drawn (a parent such as "Lithography tools" is the sum of its
types and would count them twice), unless the view holds a single input. Link width is the
input's global market size (USD bn, from the ETO market-size note); an input
whose note gives no amount is drawn at the smallest known width and says so on hover, never as
zero. An input feeding several nearest outputs splits its width equally between them. The input
label carries its largest firm and country share with the year; the colour's strength follows
the largest firm share (a fuller colour = a stronger chokepoint).
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from stackatlas.charts.theme import LAYER_COLORS, OTHER_COLOR, rgba, styled
from stackatlas.display import fmt_pct

STAGE_COLOR = OTHER_COLOR
OUTPUT_COLOR = LAYER_COLORS["chips"]
MIN_ALPHA, MAX_ALPHA = 0.15, 0.85


def _share(side: dict[str, Any]) -> str:
    if side.get("cr1") is None:
        return "share unknown" if side.get("n_named") else "no rows"
    return f"{side['leader']} {fmt_pct(side['cr1'], 1, 0.01)}"


def supply_chain_sankey(view: dict[str, Any], *, title: str | None = None) -> go.Figure:
    """Sankey of a ``supply_chain(...).to_dict()``: its inputs (already filtered) between the
    stages they belong to and the AI outputs they reach first."""
    outputs = {o["id"]: o["name"] for o in view["ai_outputs"]}
    inputs = [r for r in view["inputs"] if r["ai_outputs"]]
    if len(inputs) > 1:
        inputs = [r for r in inputs if r.get("leaf", True)]
    known = [
        r["market_size"]["usd_bn"]
        for r in inputs
        if r["market_size"] and r["market_size"]["usd_bn"] is not None
    ]
    floor = min(known) if known else 1.0
    labels: list[str] = []
    colors: list[str] = []
    index: dict[str, int] = {}

    def node(key: str, label: str, color: str) -> int:
        if key not in index:
            index[key] = len(labels)
            labels.append(label)
            colors.append(color)
        return index[key]

    src, dst, val, link_colors, hover = [], [], [], [], []
    for r in inputs:
        size = r["market_size"]["usd_bn"] if r["market_size"] else None
        width = size if size is not None else floor
        size_text = (
            f"market {r['market_size']['text']}"
            if size is not None
            else "market size not given (drawn at the smallest width)"
        )
        cr1 = r["firms"].get("cr1") or 0.0
        alpha = MIN_ALPHA + (MAX_ALPHA - MIN_ALPHA) * min(cr1, 100.0) / 100.0
        label = (
            f"{r['input']} · {_share(r['firms'])} · {_share(r['countries'])} ({r['year'] or '—'})"
        )
        i = node(f"input:{r['input_id']}", label, rgba(OUTPUT_COLOR, alpha))
        info = (
            f"{r['input']}<br>firms: {_share(r['firms'])}<br>countries: "
            f"{_share(r['countries'])}<br>year {r['year'] or '—'} · {size_text}"
        )
        for stage in r["stages"] or ["(no stage)"]:
            s = node(f"stage:{stage}", stage, STAGE_COLOR)
            src.append(s)
            dst.append(i)
            val.append(width / max(len(r["stages"]), 1))
            link_colors.append(rgba(STAGE_COLOR, 0.25))
            hover.append(info)
        nearest = _nearest_outputs(r)
        for oid in nearest:
            o = node(f"output:{oid}", outputs.get(oid, oid), OUTPUT_COLOR)
            src.append(i)
            dst.append(o)
            val.append(width / len(nearest))
            link_colors.append(rgba(OUTPUT_COLOR, alpha))
            hover.append(info)
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": labels, "color": colors, "pad": 10, "thickness": 12},
            link={
                "source": src,
                "target": dst,
                "value": val,
                "color": link_colors,
                "customdata": hover,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
        )
    )
    return styled(
        fig,
        title or "Chip supply chain: stages → inputs → AI outputs",
        "most specific inputs; width = market size (USD bn, CSET/ETO note); colour = largest "
        "firm share; CSET / Emerging Technology Observatory (CC BY-NC 4.0)",
        height=max(420, 24 * len(inputs) + 160),
    )


def _nearest_outputs(row: dict[str, Any]) -> list[str]:
    """The AI outputs an input reaches first (the first tier along the sequence)."""
    steps = row.get("ai_output_steps") or {}
    if not steps:
        return list(row["ai_outputs"][:1])
    first = min(steps.values())
    return [k for k, v in steps.items() if v == first]
