"""Placing money-flow endpoints in the stack: how a company, group or segment divides over
segments and layers (the rules are in the ``flows`` module docstring)."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from stackatlas.atlas.atlas import Atlas

Level = Literal["company", "segment", "layer"]


def node_type(atlas: Atlas, node: str) -> str:
    """``Atlas.node_kind`` (company, group, segment), extended to layers; else ``unknown``."""
    return atlas.node_kind(node) or ("layer" if node in atlas.layer_ids else "unknown")


def node_split(
    atlas: Atlas, node: str, level: Level = "layer", restrict: frozenset[str] = frozenset()
) -> dict[str, float]:
    """How a node's money divides over segments or layers (weights sum to 1; {} = unplaceable).

    ``restrict`` names layers to keep when the node has memberships in them (see module doc).
    """
    kind = node_type(atlas, node)
    if level == "company":
        return {node: 1.0}
    if kind == "layer":
        return {node: 1.0} if level == "layer" else {}
    if kind == "segment":
        return {atlas.layer_of_segment[node] if level == "layer" else node: 1.0}
    if kind == "group":
        members = atlas.groups[node].members
        inside = [m for m in members if restrict & _layers_of(atlas, m)]
        parts = [node_split(atlas, m, level, restrict) for m in (inside or members)]
        parts = [p for p in parts if p]
        total: dict[str, float] = {}
        for part in parts:
            for name, weight in part.items():
                total[name] = total.get(name, 0.0) + weight / len(parts)
        return total
    if kind != "company":
        return {}
    ties = [m for m in atlas.memberships_of(node) if m.weight > 0]
    if not ties:
        parent = atlas.companies[node].parent
        return node_split(atlas, parent, level, restrict) if parent else {}
    kept = [m for m in ties if atlas.layer_of_segment.get(m.segment, "") in restrict]
    raw: dict[str, float] = {}
    for m in kept or ties:
        key: str | None = atlas.layer_of_segment.get(m.segment) if level == "layer" else m.segment
        if key is not None:
            raw[key] = raw.get(key, 0.0) + m.weight
    total_weight = sum(raw.values())
    return {k: v / total_weight for k, v in raw.items()} if total_weight else {}


def _layers_of(atlas: Atlas, company: str) -> set[str]:
    return {
        atlas.layer_of_segment[m.segment]
        for m in atlas.memberships_of(company)
        if m.weight > 0 and m.segment in atlas.layer_of_segment
    }


def _nodes(atlas: Atlas, edges: pd.DataFrame) -> pd.DataFrame:
    layer_order = {lid: i for i, lid in enumerate(atlas.layer_ids)}
    seg_order = {
        s: layer_order[lid] + i / 100
        for lid in atlas.layer_ids
        for i, s in enumerate(x.id for x in atlas.layer(lid).segments)
    }
    rows = []
    for lid in atlas.layer_ids:
        rows.append(
            {"id": lid, "name": atlas.layer(lid).name, "type": "layer", "order": layer_order[lid]}
        )
    for sid, seg in atlas.segments.items():
        rows.append({"id": sid, "name": seg.name, "type": "segment", "order": seg_order[sid]})
    for node in sorted(set(edges["source"]) | set(edges["target"])):
        kind = node_type(atlas, node)
        if kind in ("layer", "segment"):
            continue
        split = node_split(atlas, node, "layer")
        top = min(split, key=lambda k: (-split[k], k)) if split else None
        name = (
            atlas.companies[node].name
            if kind == "company"
            else atlas.groups[node].name
            if kind == "group"
            else node
        )
        rows.append(
            {
                "id": node,
                "name": name,
                "type": kind,
                "order": layer_order.get(top, 98) if top else 99,
            }
        )
    return pd.DataFrame(rows, columns=["id", "name", "type", "order"])
