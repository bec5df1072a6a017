"""Where a portfolio sits on the stack: layer / segment exposure, top names, HHI, chokepoints.

Exposure rule: a position of weight ``w`` in a company with revenue-exposure memberships
``{segment: m}`` contributes ``w * m`` to each segment (and its layer). What the memberships do
not cover (``w * (1 - sum m)``: revenue outside the AI stack) is ``unclassified``; positions
that are not mapped to an atlas company are ``unmapped`` (unknown tickers, fund rows outside
its listed constituents) or ``cash``. The rows of ``layer_exposure`` therefore sum to 1.

Chokepoint rule (documented in the README): a chokepoint is a supplier with at least
``CHOKEPOINT_SHARE`` (50%) of a tracked market in ``shares.csv`` (ranked by the chokepoint
score of ``analysis.concentration``). A position *depends on* a chokepoint when its company is
the chokepoint, or is downstream of it within ``MAX_DEPTH`` (3) supplier -> customer steps
along ``analysis.concentration.supply_edges`` (atlas dependencies, and cost flows read payee
supplies payer; groups and segments expand to their companies). The full position weight
counts (dependence is yes/no, not scaled by input share), split into direct (holding the
chokepoint itself) and downstream.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from stackatlas.analysis.concentration import chokepoints, supply_edges
from stackatlas.atlas.atlas import Atlas
from stackatlas.evidence import Evidence
from stackatlas.portfolio.resolve import Position

CHOKEPOINT_SHARE = 0.5
MAX_DEPTH = 3


def _membership_evidence(basis: str) -> Evidence:
    return Evidence.DERIVED if str(basis) == "actual" else Evidence.ESTIMATED


def segment_exposure(atlas: Atlas, positions: list[Position]) -> pd.DataFrame:
    """Rows (layer, segment, exposure, evidence) for segments with non-zero exposure."""
    acc: dict[str, float] = defaultdict(float)
    ev: dict[str, set[Evidence]] = defaultdict(set)
    for p in positions:
        if p.company is None:
            continue
        for m in atlas.memberships_of(p.company):
            acc[m.segment] += p.weight * m.weight
            ev[m.segment].add(_membership_evidence(m.basis))
    rows: list[dict[str, Any]] = [
        {
            "layer": atlas.layer_of_segment.get(seg, "?"),
            "segment": seg,
            "exposure": v,
            "evidence": max(ev[seg], key=lambda e: e.rank).value,
        }
        for seg, v in acc.items()
        if v > 0
    ]
    order = {lid: i for i, lid in enumerate(atlas.layer_ids)}
    rows.sort(key=lambda r: (order.get(r["layer"], 99), -r["exposure"]))
    return pd.DataFrame(rows, columns=["layer", "segment", "exposure", "evidence"])


def layer_exposure(atlas: Atlas, positions: list[Position]) -> pd.DataFrame:
    """One row per layer (stack order) plus ``unclassified``, ``unmapped`` and ``cash``.

    Columns: layer, level, level_name, exposure (fraction of the portfolio), stack_share
    (fraction of the portfolio's AI-stack exposure), evidence.
    """
    seg = segment_exposure(atlas, positions)
    rows = []
    stack_total = float(seg["exposure"].sum()) if len(seg) else 0.0
    for lid in atlas.layer_ids:
        layer = atlas.layer(lid)
        part = seg[seg["layer"] == lid]
        value = float(part["exposure"].sum())
        evidence = (
            max((Evidence(e) for e in part["evidence"]), key=lambda e: e.rank).value
            if len(part)
            else Evidence.ESTIMATED.value
        )
        rows.append(
            {
                "layer": lid,
                "level": layer.level,
                "level_name": layer.level_name,
                "exposure": value,
                "stack_share": value / stack_total if stack_total else 0.0,
                "evidence": evidence,
            }
        )
    mapped = sum(p.weight for p in positions if p.company is not None)
    extra = {
        "unclassified": mapped - stack_total,
        "unmapped": sum(p.weight for p in positions if p.kind in {"unknown", "fund-uncovered"}),
        "cash": sum(p.weight for p in positions if p.kind in {"cash", "fund-cash"}),
    }
    for name, value in extra.items():
        rows.append(
            {
                "layer": name,
                "level": None,
                "level_name": None,
                "exposure": max(value, 0.0),
                "stack_share": None,
                "evidence": Evidence.DERIVED.value,
            }
        )
    df = pd.DataFrame(rows)
    df["level"] = pd.Series([r["level"] for r in rows], dtype=object)  # ints, None for extras
    return df


def company_weights(positions: list[Position]) -> pd.DataFrame:
    """Look-through weight per name (atlas company, or ticker when unmapped), largest first.

    Columns: name_id, company, weight, direct, via_funds.
    """
    acc: dict[str, dict[str, float | str | None]] = {}
    for p in positions:
        if p.kind in {"cash", "fund-cash", "fund-uncovered"}:
            continue
        key = p.company or f"ticker:{p.ticker.upper()}"
        row = acc.setdefault(
            key,
            {"name_id": key, "company": p.company, "weight": 0.0, "direct": 0.0, "via_funds": 0.0},
        )
        row["weight"] = float(row["weight"] or 0) + p.weight
        col = "via_funds" if p.via else "direct"
        row[col] = float(row[col] or 0) + p.weight
    df = pd.DataFrame(
        list(acc.values()), columns=["name_id", "company", "weight", "direct", "via_funds"]
    )
    return df.sort_values("weight", ascending=False, ignore_index=True)


def top_names(atlas: Atlas, positions: list[Position], n: int = 10) -> pd.DataFrame:
    """The ``n`` largest look-through names with company name and primary layer."""
    df = company_weights(positions).head(n).copy()
    df["name"] = [
        atlas.companies[c].name
        if isinstance(c, str) and c in atlas.companies
        else nid.removeprefix("ticker:")
        for c, nid in zip(df["company"], df["name_id"], strict=True)
    ]
    df["primary_layer"] = [
        primary_layer(atlas, c) if isinstance(c, str) else None for c in df["company"]
    ]
    df["evidence"] = Evidence.DERIVED.value  # from the user's own amounts
    return df[["name", "company", "weight", "direct", "via_funds", "primary_layer", "evidence"]]


def primary_layer(atlas: Atlas, company: str) -> str | None:
    """The layer holding the largest share of a company's membership weight."""
    by_layer: dict[str, float] = defaultdict(float)
    for m in atlas.memberships_of(company):
        by_layer[atlas.layer_of_segment.get(m.segment, "?")] += m.weight
    return max(by_layer, key=lambda k: by_layer[k]) if by_layer else None


def hhi(positions: list[Position]) -> float:
    """Herfindahl index of look-through names (sum of squared weights of the invested part).

    Weights are renormalized over non-cash names; 1.0 = one name, 1/n = n equal names.
    """
    w = company_weights(positions)["weight"]
    total = float(w.sum())
    return float(((w / total) ** 2).sum()) if total > 0 else 0.0


def find_chokepoints(atlas: Atlas) -> pd.DataFrame:
    """Suppliers with >= CHOKEPOINT_SHARE of a market, ranked as in the concentration analysis.

    Columns: company, market, share, score, role (from ``analysis.concentration.chokepoints``).
    """
    table = chokepoints(atlas).table
    table = table[(table["share"] >= CHOKEPOINT_SHARE) & table["company"].isin(atlas.companies)]
    return table[["company", "market", "share", "score", "role"]].reset_index(drop=True)


def downstream_of(graph: dict[str, set[str]], company: str, depth: int = MAX_DEPTH) -> set[str]:
    """Companies reachable from ``company`` in at most ``depth`` supplier -> customer steps."""
    seen: set[str] = set()
    frontier = {company}
    for _ in range(depth):
        frontier = {c for s in frontier for c in graph.get(s, ())} - seen - {company}
        seen |= frontier
    return seen


def chokepoint_exposure(
    atlas: Atlas, positions: list[Position], *, depth: int = MAX_DEPTH
) -> pd.DataFrame:
    """Per chokepoint: portfolio weight held directly, downstream, and in total.

    Columns: company, name, markets, exposure, direct, downstream, holders (companies held that
    depend on it), sentence ("62% of this portfolio depends on TSMC capacity").
    """
    cps = find_chokepoints(atlas)
    graph = supply_edges(atlas)
    cw = company_weights(positions)
    held = {
        c: float(w) for c, w in zip(cw["company"], cw["weight"], strict=True) if isinstance(c, str)
    }
    rows = []
    for cid, group in cps.groupby("company", sort=False):
        down = downstream_of(graph, str(cid), depth)
        direct = held.get(str(cid), 0.0)
        holders = sorted((c for c in held if c in down), key=lambda c: -held[c])
        downstream = sum(held[c] for c in holders)
        name = atlas.companies[str(cid)].name
        markets = ", ".join(
            f"{m} {s:.0%}" for m, s in zip(group["market"], group["share"], strict=True)
        )
        total = direct + downstream
        rows.append(
            {
                "company": cid,
                "name": name,
                "markets": markets,
                "exposure": total,
                "direct": direct,
                "downstream": downstream,
                "holders": [atlas.companies[c].name for c in holders],
                "sentence": f"{total:.0%} of this portfolio depends on {name} ({markets})",
                "evidence": Evidence.ESTIMATED.value,
            }
        )  # shares and edges are estimates
    df = pd.DataFrame(
        rows,
        columns=[
            "company",
            "name",
            "markets",
            "exposure",
            "direct",
            "downstream",
            "holders",
            "sentence",
            "evidence",
        ],
    )
    return df.sort_values("exposure", ascending=False, ignore_index=True)
