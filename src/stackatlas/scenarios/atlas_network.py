"""Build the scenario ``SupplyNetwork`` from the atlas.

Sources of edges, weakest first; an edge is keyed by (supplier, customer, input group):

1. *inferred* (``links`` in ``model.yaml``, the proportional-sourcing assumption): a market
   (suppliers and shares from ``shares.csv``) or a set of segments (suppliers from
   ``memberships.csv``, shares proportional to membership weight x revenue) supplies the
   companies of the listed customer segments. A customer's input share from a supplier is the
   supplier's market share; the supplier's revenue share from a customer is its exposure to
   the supplying segment x the link's ``coverage`` (share of that segment's sales going to
   these customers) x the customer's share of the buyers' size (membership weight x revenue).
2. *flow* (``flows.csv``: capex purchases, cloud commitments, power purchases, services) with
   an annual amount, paid to one company (a paying group is split over its members by
   revenue): the amount over the supplier's revenue sets the revenue share. It replaces an
   inferred edge of the same pair (and takes its group).
3. *explicit* (``dependencies.csv``, shipped plus any atlas overlay): used as given; it
   replaces the inferred edge of the same supplier, customer and group, and any flow edge of
   the pair (the same money); inferred edges of the pair in other groups stay. A blank
   ``group`` / ``exposure`` takes the replaced inferred edge's (else the supplier's primary
   segment / 1). Inferred edges of other suppliers in the same (customer, group) share what
   the explicit input shares leave, and a supplier's inferred revenue shares what its explicit
   revenue shares leave (``_make_room_for_explicit``).

``edge_kind`` labels every edge ``explicit``, ``flow`` or ``inferred`` in every output.

Node revenue: the latest annual ``revenue`` (or annualised revenue) figure in the atlas, USD
billions; else the latest fiscal-year revenue from SEC fundamentals when facts are available
offline (``fundamentals_fill.py``); else NaN (fractions are still computed, money is
unresolved).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import Problem, ValidationError
from stackatlas.scenarios.baseline import Baseline
from stackatlas.scenarios.fundamentals_fill import fundamentals_revenue, sec_available
from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.params import ModelConfig, model_config

if TYPE_CHECKING:
    from stackatlas.store import Store

_ANNUAL = re.compile(r"^(FY)?\d{4}E?$")
_UNIT_TO_BN = {"usd_billion": 1.0, "usd_million": 1e-3, "usd": 1e-9}
_RANK = {"link": 0, "flow": 1, "dependency": 2}
EDGE_KIND = {"link": "inferred", "flow": "flow", "dependency": "explicit"}
"""Internal row kind -> the ``edge_kind`` label shown in outputs."""
EDGE_SHARES = ("point", "low", "high")
"""Which shares of the explicit edges a network uses (``build_network(edge_shares=...)``)."""
EDGE_CHOICES = (*EDGE_SHARES, "draw")
"""What a scenario run may ask for: a network's shares, or ``draw`` (each Monte Carlo draw
takes the explicit edges' shares from their ranges: ``edge_draws.py``)."""


def _latest_annual(
    atlas: Atlas, metrics: list[str], units: dict[str, float]
) -> dict[str, tuple[float, str]]:
    """company -> (value, figure id) from the latest annual period, actual before estimate."""
    best: dict[str, tuple[tuple, float, str]] = {}
    for f in atlas.figures:
        if f.subject_type != "company" or f.metric not in metrics or f.unit not in units:
            continue
        if not _ANNUAL.match(f.period):
            continue
        year = int(re.sub(r"\D", "", f.period))
        src = atlas.sources.get(f.source)
        rank = (
            year,
            f.kind == "actual",
            src is not None and src.kind == "filing",
            -metrics.index(f.metric),
        )
        if f.subject not in best or rank > best[f.subject][0]:
            best[f.subject] = (rank, f.value * units[f.unit], f.id)
    return {k: (v[1], v[2]) for k, v in best.items()}


def build_network(
    atlas: Atlas,
    model: ModelConfig | None = None,
    *,
    baseline: Baseline | None = None,
    fundamentals: bool | None = None,
    store: Store | None = None,
    edge_shares: str = "point",
) -> SupplyNetwork:
    """The supply network of the atlas companies (see module docstring for the rules).
    ``fundamentals`` (default: when SEC facts are available offline) fills revenue and margin
    of companies without an atlas figure from SEC filings; ``baseline`` (see ``baseline.py``)
    replaces revenue / margins where it has them. ``edge_shares`` (``point``, ``low`` or
    ``high``) picks which of an explicit edge's shares to use (a missing bound: the point)."""
    if edge_shares not in EDGE_SHARES:
        raise ValidationError(
            Problem(
                "edges",
                None,
                None,
                f"unknown edge shares {edge_shares!r} (expected one of: {', '.join(EDGE_SHARES)})",
            )
        )
    model = model or model_config()
    cfg = model.network
    ids = list(atlas.companies)
    index = {c: i for i, c in enumerate(ids)}
    rev_fig = _latest_annual(atlas, list(cfg.get("revenue_metrics", [])), _UNIT_TO_BN)
    sec: dict[str, tuple[float, float | None, str]] = {}
    if fundamentals or (fundamentals is None and sec_available()):
        sec = fundamentals_revenue(atlas, [c for c in ids if c not in rev_fig], store)
        rev_fig.update({c: (v[0], f"sec:{v[2]}") for c, v in sec.items()})
    if baseline is not None:
        rev_fig.update({c: (v, f"baseline:{baseline.file}") for c, v in baseline.revenue.items()})
    revenue = np.array([rev_fig.get(c, (np.nan, ""))[0] for c in ids])
    margin = _margins(atlas, ids, cfg)
    for cid, (_, gross_margin, _) in sec.items():
        if gross_margin is not None and np.isnan(margin[index[cid]]):
            margin[index[cid]] = min(max(gross_margin, 0.0), 1.0)
    if baseline is not None:
        for cid, value in baseline.margin.items():
            margin[index[cid]] = value

    weights = pd.DataFrame(0.0, index=ids, columns=list(atlas.segments))
    for m in atlas.memberships:
        if m.company in index and m.segment in weights.columns:
            weights.loc[m.company, m.segment] += m.weight
    seg_of = weights.idxmax(axis=1).where(weights.max(axis=1) > 0, "")
    layer_of = seg_of.map(lambda s: atlas.layer_of_segment.get(s, ""))

    size = pd.Series(revenue, index=ids).fillna(float(cfg["unknown_revenue_usd_bn"]["value"]))
    edges: dict[tuple[str, str, str], dict] = {}
    notes: list[str] = []

    def put(s: str, c: str, row: dict) -> None:
        if s == c or s not in index or c not in index:
            return
        key = (s, c, str(row["group"]))
        old = edges.get(key)
        if old is None or (_RANK[row["kind"]], row["input_share"]) >= (
            _RANK[old["kind"]],
            old["input_share"],
        ):
            edges[key] = row

    active = pd.DataFrame(False, index=ids, columns=weights.columns)
    for link in cfg.get("links", []):
        shares = _link_shares(atlas, link, weights, size)
        if not shares:
            notes.append(
                f"link {link.get('market') or link.get('segments')}: no suppliers "
                "in the atlas, skipped"
            )
            continue
        sup_segs = [  # a partial (overlay or test) atlas may lack some segments
            seg
            for seg in (
                [atlas.markets[link["market"]].segment]
                if link.get("market") in atlas.markets
                else list(link.get("segments", []))
            )
            if seg in weights.columns
        ]
        cust_segs = [s for s in link["customers"] if s in weights.columns]
        exposure = weights[cust_segs].sum(axis=1).clip(upper=1.0)
        buyers = exposure[exposure > 0]
        if buyers.empty:
            continue
        buyer_size = buyers * size[buyers.index]
        buyer_share = buyer_size / buyer_size.sum()
        origin = (
            f"market:{link['market']}"
            if link.get("market")
            else "segments:" + "+".join(link["segments"])
        )
        coverage = float(link["coverage"])
        active.loc[list(buyers.index), cust_segs] = True
        active.loc[list(shares), sup_segs] = True
        for s, sigma in shares.items():
            sup_exposure = min(float(weights.loc[s, sup_segs].sum()), 1.0) if sup_segs else 1.0
            for c, bshare in buyer_share.items():
                put(
                    s,
                    str(c),
                    {
                        "kind": "link",
                        "group": link["group"],
                        "input_share": sigma,
                        "revenue_share": sup_exposure * float(bshare) * coverage,
                        "exposure": float(buyers[c]),
                        "origin": origin,
                    },
                )

    _add_flows(atlas, cfg, index, revenue, size, put, edges, seg_of)
    _add_dependencies(atlas, index, edges, seg_of, edge_shares)

    frame = pd.DataFrame(
        [{"supplier": s, "customer": c, **row} for (s, c, _), row in edges.items()]
    )
    if frame.empty:
        frame = pd.DataFrame(
            columns=[
                "supplier",
                "customer",
                "group",
                "input_share",
                "revenue_share",
                "exposure",
                "origin",
                "kind",
            ]
        )
    frame = _make_room_for_explicit(frame)
    group_names, gidx = np.unique(frame["group"].astype(str).to_numpy(), return_inverse=True)
    return SupplyNetwork.from_arrays(
        np.asarray(ids, dtype=object),
        frame["supplier"].map(index).to_numpy(np.int64),
        frame["customer"].map(index).to_numpy(np.int64),
        frame["input_share"].to_numpy(float).clip(0, 1),
        frame["revenue_share"].to_numpy(float).clip(0, 1),
        gidx.astype(np.int64),
        tuple(str(g) for g in group_names),
        revenue=revenue,
        exposure=frame["exposure"].to_numpy(float),
        origin=frame["origin"].to_numpy(object),
        kind=frame["kind"].map(EDGE_KIND).to_numpy(object),
        names=np.asarray([atlas.companies[c].name for c in ids], dtype=object),
        layer=layer_of.to_numpy(object),
        segment=seg_of.to_numpy(object),
        margin=margin,
        segment_weights=weights,
        segment_active=active & (weights > 0),
        notes=notes,
        revenue_basis=np.asarray([rev_fig.get(c, (0, ""))[1] for c in ids], dtype=object),
    )


def _pair_edges(edges: dict, s: str, c: str) -> list[tuple[tuple[str, str, str], dict]]:
    return [(k, row) for k, row in edges.items() if k[0] == s and k[1] == c]


def _add_dependencies(
    atlas: Atlas, index: dict[str, int], edges: dict, seg_of: pd.Series, which: str = "point"
) -> None:
    """Explicit edges replace the pair's inferred edge in their group and its flow edges."""
    explicit: dict[tuple[str, str, str], dict] = {}
    for d in atlas.dependencies:
        if d.supplier == d.customer or d.supplier not in index or d.customer not in index:
            continue
        derived = [row for _, row in _pair_edges(edges, d.supplier, d.customer)]
        linked = next((r for r in derived if r["kind"] == "link"), None) or next(
            iter(derived), None
        )
        group = (
            d.group
            or (str(linked["group"]) if linked else "")
            or (seg_of.get(d.supplier) or d.supplier)
        )
        same = next((r for r in derived if r["group"] == group), linked)
        exposure = (
            d.exposure
            if d.exposure is not None
            else (float(same["exposure"]) if same is not None else 1.0)
        )
        explicit[(d.supplier, d.customer, group)] = {
            "kind": "dependency",
            "group": group,
            "input_share": _pick(d.input_share, d.input_low, d.input_high, which),
            "revenue_share": _pick(d.revenue_share, d.revenue_low, d.revenue_high, which),
            "exposure": exposure,
            "origin": f"dependency:{d.source}",
        }
    for s, c, group in explicit:
        for key, row in _pair_edges(edges, s, c):
            if key[2] == group or row["kind"] == "flow":  # a flow is the same money
                del edges[key]
    edges.update(explicit)


def _pick(point: float, low: float | None, high: float | None, which: str) -> float:
    """The point share, or its low / high bound when asked for and given."""
    bound = {"low": low, "high": high}.get(which)
    return point if bound is None else bound


def _make_room_for_explicit(frame: pd.DataFrame) -> pd.DataFrame:
    """Explicit dependencies keep their shares; derived edges share what is left (scaled down
    only when they would overflow it): input shares per (customer, group), revenue shares per
    supplier."""
    if frame.empty:
        return frame
    explicit = frame["kind"] == "dependency"
    frame = frame.copy()
    for col, key in (
        ("input_share", [frame["customer"], frame["group"]]),
        ("revenue_share", [frame["supplier"]]),
    ):
        taken = frame[col].where(explicit, 0.0).groupby(key).transform("sum")
        others = frame[col].where(~explicit, 0.0).groupby(key).transform("sum")
        room = (1.0 - taken).clip(lower=0.0)
        scale = np.where(others > room, room / others.where(others > 0, 1.0), 1.0)
        frame[col] = np.where(explicit, frame[col], frame[col] * scale)
    return frame


def _link_shares(
    atlas: Atlas, link: dict, weights: pd.DataFrame, size: pd.Series
) -> dict[str, float]:
    """supplier -> share of the link's supply (sums to at most 1)."""
    if link.get("market"):
        shares = {
            s.company: s.share
            for s in atlas.shares
            if s.market == link["market"] and s.company in weights.index
        }
        total = sum(shares.values())
        return {k: v / total for k, v in shares.items()} if total > 1 else shares
    segs = [s for s in link.get("segments", []) if s in weights.columns]
    exposure = weights[segs].sum(axis=1) if segs else pd.Series(dtype=float)
    exposure = exposure[exposure > 0]
    if exposure.empty:
        return {}
    sized = exposure * size[exposure.index]
    return {str(k): float(v) for k, v in (sized / sized.sum()).items()}


def _members(atlas: Atlas, node: str) -> list[str]:
    if node in atlas.companies:
        return [node]
    if node in atlas.groups:
        return [m for m in atlas.groups[node].members if m in atlas.companies]
    return []


def _add_flows(
    atlas: Atlas,
    cfg: dict,
    index: dict[str, int],
    revenue: np.ndarray,
    size: pd.Series,
    put,
    edges: dict,
    seg_of: pd.Series,
) -> None:
    """Flow amounts (USD bn per year) become revenue shares of the payee."""
    kinds = set(cfg.get("flow_kinds", []))
    spend: dict[tuple[str, str], float] = defaultdict(float)
    found: list[tuple[str, str, str, float, str]] = []
    for f in atlas.flows:
        if f.kind not in kinds or not _ANNUAL.match(f.period):
            continue
        amount = (
            f.amount
            if f.amount is not None
            else ((f.low + f.high) / 2 if f.low is not None and f.high is not None else None)
        )
        # a payer group is split over its members; the payee must be one company (a flow to
        # a group or segment says nothing about which supplier gets the money)
        payers = _members(atlas, f.source_node)
        payees = [f.target_node] if f.target_node in atlas.companies else []
        if amount is None or not payers or not payees:
            continue
        weight_pairs = [(p, q, size[p] * size[q]) for p in payers for q in payees if p != q]
        total = sum(w for *_, w in weight_pairs) or 1.0
        for p, q, w in weight_pairs:
            part = amount * w / total
            found.append((q, p, str(f.kind), part, f.id))
            spend[(p, str(f.kind))] += part
    for s, c, kind, part, fid in found:
        rev = revenue[index[s]]
        if not np.isfinite(rev) or rev <= 0:
            continue
        pair = _pair_edges(edges, s, c)
        old = next((row for _, row in pair if row["kind"] == "link"), None)
        put(
            s,
            c,
            {
                "kind": "flow",
                "group": old["group"] if old else f"flow:{kind}",
                "input_share": old["input_share"] if old else part / spend[(c, kind)],
                "revenue_share": min(part / rev, 1.0),
                "exposure": old["exposure"] if old else 1.0,
                "origin": f"flow:{fid}",
            },
        )


def _margins(atlas: Atlas, ids: list[str], cfg: dict) -> np.ndarray:
    """Company gross margin (fraction) as contribution margin where the atlas has one."""
    pct = _latest_annual(atlas, list(cfg.get("gross_margin_metrics", [])), {"percent": 0.01})
    gp = _latest_annual(atlas, list(cfg.get("gross_profit_metrics", [])), _UNIT_TO_BN)
    rev = _latest_annual(atlas, list(cfg.get("revenue_metrics", [])), _UNIT_TO_BN)
    out = np.full(len(ids), np.nan)
    for i, c in enumerate(ids):
        if c in pct:
            out[i] = pct[c][0]
        elif c in gp and c in rev and rev[c][0] > 0:
            out[i] = gp[c][0] / rev[c][0]
    return np.clip(out, 0.0, 1.0)
