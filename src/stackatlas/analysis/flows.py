"""The money-flow graph: atlas flows as a directed graph, collapsible to segments and layers.

Every atlas flow (payer -> payee, USD billions) becomes one edge with ``low`` / ``mid`` /
``high`` as stated: ``mid`` is the point ``amount``, else the midpoint of ``low`` and ``high``; a
missing bound falls back to the point value. A flow with no number at all stays in the graph
with ``evidence = unresolved`` and None amounts: it is printed and drawn as "amount not
disclosed", and never adds a silent zero to a total.

**Annual flows and multi-year commitments are kept apart** (``flow_periods``). Yearly views
(``collapse``, ``layer_totals``, ``sankey``) add up only *annual slices*: each annual flow in the
year its label names ("2026E" and "FY2026" go to 2026), one row per (source, target, year), so
2025 and 2026 amounts are never summed either. Multi-year flows (a $250B Azure commitment with no
stated term, a 2019-2026 equity stake) are listed by ``commitments()`` as stated. With
``per_year=True`` a multi-year flow with a stated term also adds ``amount / years`` to every year
of its term (evidence ``derived`` at best); one without a stated term is never annualised and is
listed in ``not_annualised``.

**Collapsing a company to layers.** A company node is split across layers by its membership
weights (summed per layer, renormalised to 1 so the whole flow is placed somewhere). The flow
kind narrows that split where the kind says which business is paying or being paid:

====================  =========================  =========================
kind                  payer side restricted to   payee side restricted to
====================  =========================  =========================
capex_purchase        cloud                      energy, chips, cloud
cloud_commitment      models, cloud              cloud
power_purchase        (all layers)               energy
revenue_share         (all layers)               cloud, models
equity_investment     (all layers)               models
====================  =========================  =========================

A restriction applies only if the company has memberships in those layers (else all its
weights are used; in a group, members outside the restricted layers are dropped when some member
is inside them — Meta does not receive cloud spend paid to "hyperscalers"). Compute bought from a
cloud is counted against the buyer's models business (it is what trains and serves the models,
whichever product then sells them) or, for a cloud buying capacity from another, its cloud
business; likewise equity raised by a lab funds its models business. A flow of ``X`` from
payer ``P`` to payee ``Q`` contributes ``X * p_a * q_b`` to layer ``a`` -> layer ``b`` (``p``,
``q`` the normalised splits). A segment node sits in its layer; a group node expands to its
members with equal weight (the mean of their splits); a company without memberships borrows its
``parent``'s. Nodes that cannot be placed are listed in ``FlowGraph.unmapped`` and left out of
layer totals.

**Debt** (kind ``debt``) is money lent, lender -> borrower. It is financing, left out unless
``include_debt``; the shipped atlas files hyperscaler debt issuance as group *figures*, not as
flows, because the lenders are not atlas nodes (a borrower's debt is never money paid to its
suppliers).

**Missing amounts.** An aggregate over flows of which some have no number has ``low`` / ``mid``
/ ``high`` = None (unresolved), ``known`` = the sum of the amounts that are known (a lower
bound: money flows are never negative) and ``n_unresolved`` = the flows without a number.

Evidence: a flow from a filing is ``reported``; every other source is ``estimated``; no amount is
``unresolved``. Aggregates take the weakest status of their inputs (reported -> derived).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from stackatlas.analysis.flow_nodes import Level, _nodes, node_split, node_type
from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.flow_periods import (
    is_projection,
    period_span,
    period_years,
    term_of,
    year_key,
)
from stackatlas.atlas.models import Flow, FlowKind, SourceKind
from stackatlas.display import AMOUNTS, NOT_DISCLOSED, amount_text, records, rich_table
from stackatlas.evidence import Evidence, combine
from stackatlas.notebook import Tabular

__all__ = [
    "COST_KINDS",
    "FlowGraph",
    "flow_amounts",
    "flow_evidence",
    "flow_graph",
    "node_split",
    "node_type",
    "period_span",
    "period_years",
]

PAYER_HINT: dict[FlowKind, frozenset[str]] = {
    FlowKind.CAPEX_PURCHASE: frozenset({"cloud"}),
    FlowKind.CLOUD_COMMITMENT: frozenset({"models", "cloud"}),
}
PAYEE_HINT: dict[FlowKind, frozenset[str]] = {
    FlowKind.CAPEX_PURCHASE: frozenset({"energy", "chips", "cloud"}),
    FlowKind.CLOUD_COMMITMENT: frozenset({"cloud"}),
    FlowKind.POWER_PURCHASE: frozenset({"energy"}),
    FlowKind.REVENUE_SHARE: frozenset({"cloud", "models"}),
    FlowKind.EQUITY_INVESTMENT: frozenset({"models"}),
}
COST_KINDS = frozenset(
    {
        FlowKind.CAPEX_PURCHASE,
        FlowKind.CLOUD_COMMITMENT,
        FlowKind.REVENUE_SHARE,
        FlowKind.POWER_PURCHASE,
        FlowKind.SERVICES,
    }
)
"""Outflows that are operating or capital spending (equity and debt are financing, not cost)."""

CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
_EVIDENCE_BY_RANK = {e.rank: e for e in Evidence}
EDGE_COLUMNS = [
    "id",
    "source",
    "target",
    "kind",
    "horizon",
    *AMOUNTS,
    "period",
    "years",
    "term",
    "per_year_low",
    "per_year_mid",
    "per_year_high",
    "per_year_evidence",
    "source_id",
    "confidence",
    "evidence",
    "note",
]
SLICE_COLUMNS = ["flow_id", "year", *AMOUNTS, "evidence", "annualised", "projection"]
LINK_COLUMNS = [
    "source",
    "target",
    "year",
    *AMOUNTS,
    "known",
    "n_unresolved",
    "n_flows",
    "flow_ids",
    "kinds",
    "periods",
    "confidence",
    "evidence",
]


# ---- single flows ------------------------------------------------------------------------
def flow_amounts(flow: Flow) -> tuple[float | None, float | None, float | None]:
    """(low, mid, high) in USD billions; None where the flow gives no number."""
    lo, amt, hi = flow.low, flow.amount, flow.high
    mid: float | None
    if amt is not None:
        mid = amt
    elif lo is not None and hi is not None:
        mid = (lo + hi) / 2
    else:
        mid = lo if lo is not None else hi
    return (lo if lo is not None else mid, mid, hi if hi is not None else mid)


def flow_evidence(atlas: Atlas, flow: Flow) -> Evidence:
    """reported for a filing source, estimated otherwise, unresolved without an amount."""
    if flow_amounts(flow)[1] is None:
        return Evidence.UNRESOLVED
    source = atlas.sources.get(flow.source)
    return Evidence.REPORTED if source and source.kind == SourceKind.FILING else Evidence.ESTIMATED


# ---- the graph -----------------------------------------------------------------------------
@dataclass
class FlowGraph(Tabular):
    """Company-level edges (one per atlas flow), their annual slices, and node splits."""

    edges: pd.DataFrame  # one row per flow, amounts as stated (EDGE_COLUMNS)
    slices: pd.DataFrame  # annual amounts per flow and year (SLICE_COLUMNS)
    nodes: pd.DataFrame
    splits: pd.DataFrame  # flow_id, level, source, target, weight
    unmapped: list[str] = field(default_factory=list)  # flow ids left out of layer totals
    not_annualised: list[str] = field(default_factory=list)  # per_year, no stated term
    per_year: bool = False

    def years(self) -> list[str]:
        """Years with annual slices, oldest first."""
        return sorted(set(self.slices["year"]), key=_year_order)

    def default_year(self) -> str | None:
        """The latest year with a disclosed annual amount (not annualised) that is not a
        projection; failing that, relaxing those conditions one by one."""
        known = self.slices[self.slices["mid"].notna()]
        actual = known[~known["projection"]]
        for pool in (actual[~actual["annualised"]], actual, known, self.slices):
            if len(pool):
                return max(pool["year"], key=_year_order)
        return None

    def collapse(self, level: Level = "layer", year: str | None = None) -> pd.DataFrame:
        """Annual totals per (source, target, year) at a level; ``year`` keeps one year."""
        slices = self.slices if year is None else self.slices[self.slices["year"] == str(year)]
        ends = self.edges[["id", "source", "target", "kind", "period", "confidence"]]
        parts = slices.merge(ends, left_on="flow_id", right_on="id")
        if level == "company":
            parts = parts.assign(weight=1.0)
        else:
            split = self.splits[self.splits["level"] == level]
            parts = parts.drop(columns=["source", "target"]).merge(split, on="flow_id")
        return _aggregate(parts, ["source", "target", "year"])

    def layer_totals(self, year: str | None = None) -> pd.DataFrame:
        return self.collapse("layer", year)

    def commitments(self) -> pd.DataFrame:
        """Flows that are not one year's amount — multi-year commitments and stakes, and
        part-year (quarter) amounts — as stated (company level), with the yearly amount where
        a multi-year term is stated (``per_year_*``, evidence ``per_year_evidence``)."""
        return self.edges[self.edges["horizon"] != "annual"].reset_index(drop=True)

    def sankey(self, level: Level = "layer", year: str | None = None) -> SankeyTables:
        """Nodes and links of one year's annual flows for a Sankey diagram.

        Links are drawn left to right *down* the stack (payer layer above or equal to the
        payee's). Links going *up* (equity into a lab, a chip maker renting cloud capacity)
        would close loops and are returned apart in ``upward``; links inside one node are
        dropped (the tables have them). A link without any disclosed amount is kept with
        ``disclosed = False`` and a nominal ``value`` (its width is not an amount).
        """
        year = year if year is not None else self.default_year()
        links = self.collapse(level, year) if year is not None else _empty(LINK_COLUMNS)
        order = dict(zip(self.nodes["id"], self.nodes["order"], strict=True))
        rank = [
            order.get(s, 99) - order.get(t, 99)
            for s, t in zip(links["source"], links["target"], strict=True)
        ]
        links = links.assign(
            complete=links["mid"].notna(),
            disclosed=links["mid"].notna() | (links["known"] > 0),
            direction=["up" if r < 0 else "within" if r == 0 else "down" for r in rank],
        )
        links = links[links["source"] != links["target"]]
        upward = links[links["direction"] == "up"].reset_index(drop=True)
        links = links[links["direction"] != "up"]
        known_total = float(links["mid"].fillna(links["known"]).sum())
        nominal = known_total * UNDISCLOSED_WIDTH if known_total > 0 else 1.0
        links = links.assign(
            value=links["mid"]
            .where(links["complete"], links["known"])
            .where(links["disclosed"], nominal)
        )
        names = sorted(
            set(links["source"]) | set(links["target"]), key=lambda n: (-order.get(n, 99), n)
        )
        index = {n: i for i, n in enumerate(names)}
        labels = dict(zip(self.nodes["id"], self.nodes["name"], strict=True))
        nodes = pd.DataFrame(
            {"index": range(len(names)), "id": names, "label": [labels.get(n, n) for n in names]}
        )
        links = links.assign(
            source_index=links["source"].map(index), target_index=links["target"].map(index)
        ).reset_index(drop=True)
        return SankeyTables(nodes, links, upward, year, nominal)

    def to_dict(self) -> dict[str, Any]:
        return {
            "per_year": self.per_year,
            "years": self.years(),
            "default_year": self.default_year(),
            "edges": records(self.edges),
            "layers": records(self.layer_totals()),
            "commitments": records(self.commitments()),
            "unmapped": self.unmapped,
            "not_annualised": self.not_annualised,
        }

    def __rich__(self) -> Any:
        from rich.console import Group

        parts: list[Any] = [
            rich_table(
                "Annual money flows between layers (USD bn per year)",
                link_view(self.layer_totals()),
            )
        ]
        commitments = self.commitments()
        if len(commitments):
            parts.append(commitments_table(commitments))
        return Group(*parts)


UNDISCLOSED_WIDTH = 0.02
"""Width of an undisclosed Sankey link, as a share of the year's disclosed total."""


@dataclass
class SankeyTables:
    """What a Sankey of one year draws: nodes, links (down the stack), links going up."""

    nodes: pd.DataFrame
    links: pd.DataFrame
    upward: pd.DataFrame
    year: str | None
    nominal: float  # the value given to links without a disclosed amount


def commitments_table(frame: pd.DataFrame) -> Any:
    """Rich table of multi-year flows: amount as stated, term, and per year where stated."""
    view = pd.DataFrame(
        [
            {
                "from": r["source"],
                "to": r["target"],
                "kind": r["kind"],
                "USD bn as stated": amount_text(r),
                "period": r["period"],
                "term": r["term"],
                "per year": _per_year_text(r),
                "evidence": r["evidence"],
            }
            for r in records(frame)
        ],
        columns=[
            "from",
            "to",
            "kind",
            "USD bn as stated",
            "period",
            "term",
            "per year",
            "evidence",
        ],
    )
    return rich_table(
        "Multi-year commitments and stakes, part-year amounts (not annual; never added to a year)",
        view,
    )


def _per_year_text(rec: dict[str, Any]) -> str:
    """A commitment's yearly amount with its own evidence ("1.6 ◐"), or why there is none."""
    if rec["mid"] is None:
        return NOT_DISCLOSED
    if rec["per_year_mid"] is None:
        return "not annualised" + (" (part-year)" if rec["horizon"] == "part_year" else "")
    amounts = {k: rec[f"per_year_{k}"] for k in AMOUNTS}
    return f"{amount_text(amounts)} {Evidence(rec['per_year_evidence']).symbol}"


def _year_order(year: str) -> tuple[int, str]:
    return (int(year), year) if str(year).isdigit() else (9999, str(year))


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


def _aggregate(parts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum weighted slices per key; any slice without a number leaves the total unresolved."""
    if parts.empty:
        return _empty(LINK_COLUMNS if "year" in keys else [c for c in LINK_COLUMNS if c != "year"])
    weighted = parts.assign(
        **{col: parts[col] * parts["weight"] for col in AMOUNTS},
        known=parts["mid"].fillna(0.0) * parts["weight"],
        missing=parts["mid"].isna().astype(int),
        unresolved_id=parts["flow_id"].where(parts["mid"].isna()),
        confidence_rank=parts["confidence"].map(CONFIDENCE_RANK),
        evidence_rank=parts["evidence"].map(lambda e: Evidence(e).rank),
        label=[
            f"{p} (annualised)" if a else p
            for p, a in zip(parts["period"], parts["annualised"], strict=True)
        ],
    )
    joined = lambda values: ";".join(sorted(set(values)))  # noqa: E731
    out = (
        weighted.groupby(keys, sort=True)
        .agg(
            low=("low", "sum"),
            mid=("mid", "sum"),
            high=("high", "sum"),
            known=("known", "sum"),
            missing=("missing", "sum"),
            n_unresolved=("unresolved_id", "nunique"),
            n_flows=("flow_id", "nunique"),
            flow_ids=("flow_id", joined),
            kinds=("kind", joined),
            periods=("label", joined),
            confidence_rank=("confidence_rank", "max"),
            evidence_rank=("evidence_rank", "max"),
            min_weight=("weight", "min"),
            n_parts=("flow_id", "size"),
        )
        .reset_index()
    )
    for col in AMOUNTS:
        out[col] = out[col].where(out["missing"] == 0)
    # nothing disclosed: no lower bound either (None, never a known part of 0)
    out["known"] = out["known"].where((out["known"] > 0) | (out["missing"] == 0))
    by_rank = {rank: name for name, rank in CONFIDENCE_RANK.items()}
    out["confidence"] = out["confidence_rank"].map(by_rank)
    # one whole flow passes its status on; a sum or a split is a formula (reported -> derived)
    whole = (out["n_parts"] == 1) & (out["min_weight"] == 1.0)
    out["evidence"] = [
        str(_EVIDENCE_BY_RANK[r] if one else combine([_EVIDENCE_BY_RANK[r]]))
        for r, one in zip(out["evidence_rank"], whole, strict=True)
    ]
    columns = [c for c in LINK_COLUMNS if c in keys or c not in ("source", "target", "year")]
    return out[columns]


def flow_graph(
    atlas: Atlas, *, per_year: bool = False, period: str | None = None, include_debt: bool = False
) -> FlowGraph:
    """Build the money-flow graph from ``atlas.flows``.

    ``period`` (e.g. "2025" or "2026E") keeps annual flows of that year and multi-year flows
    whose term covers it (or whose term is not stated). ``per_year`` annualises multi-year
    amounts over a stated term into the yearly views (see module doc). Debt flows are left out
    unless ``include_debt``.
    """
    want = None if period is None else year_key(period)
    rows, slice_rows, split_rows = [], [], []
    unmapped, not_annualised = [], []
    for f in atlas.flows:
        if f.kind == FlowKind.DEBT and not include_debt:
            continue
        term = term_of(f.period)
        if want is not None and not _covers(f.period, term, want):
            continue
        lo, mid, hi = flow_amounts(f)
        evidence = flow_evidence(atlas, f)
        per_year_amounts: tuple[float | None, ...] = (None, None, None)
        per_year_ev = Evidence.UNRESOLVED
        if term.horizon == "annual":
            per_year_amounts, per_year_ev = (lo, mid, hi), evidence
            slice_rows.append(
                _slice(f.id, year_key(f.period), (lo, mid, hi), evidence, False, f.period)
            )
        elif term.stated:
            years = term.years or 1.0
            per_year_amounts = tuple(None if v is None else v / years for v in (lo, mid, hi))
            per_year_ev = combine([evidence]) if mid is not None else Evidence.UNRESOLVED
            if per_year:
                for y in range(int(term.first or 0), int(term.last or 0) + 1):
                    if want is None or str(y) == want:
                        slice_rows.append(
                            _slice(f.id, str(y), per_year_amounts, per_year_ev, True, f.period)
                        )
        elif per_year and mid is not None:
            not_annualised.append(f.id)
        rows.append(
            {
                "id": f.id,
                "source": f.source_node,
                "target": f.target_node,
                "kind": str(f.kind),
                "horizon": term.horizon,
                "low": lo,
                "mid": mid,
                "high": hi,
                "period": f.period,
                "years": period_years(f.period),
                "term": term.label(),
                "per_year_low": per_year_amounts[0],
                "per_year_mid": per_year_amounts[1],
                "per_year_high": per_year_amounts[2],
                "per_year_evidence": str(per_year_ev),
                "source_id": f.source,
                "confidence": str(f.confidence),
                "evidence": str(evidence),
                "note": f.note,
            }
        )
        for level in ("segment", "layer"):
            src = node_split(atlas, f.source_node, level, PAYER_HINT.get(f.kind, frozenset()))
            tgt = node_split(atlas, f.target_node, level, PAYEE_HINT.get(f.kind, frozenset()))
            if not src or not tgt:
                if level == "layer":
                    unmapped.append(f.id)
                continue
            split_rows += [
                {"flow_id": f.id, "level": level, "source": a, "target": b, "weight": wa * wb}
                for a, wa in src.items()
                for b, wb in tgt.items()
            ]
    edges = pd.DataFrame(rows, columns=EDGE_COLUMNS)
    slices = pd.DataFrame(slice_rows, columns=SLICE_COLUMNS)
    for frame, cols in (
        (edges, [*AMOUNTS, "per_year_low", "per_year_mid", "per_year_high"]),
        (slices, AMOUNTS),
    ):
        for col in cols:
            frame[col] = frame[col].astype("float64")
    slices["annualised"] = slices["annualised"].astype(bool)
    slices["projection"] = slices["projection"].astype(bool)
    splits = pd.DataFrame(split_rows, columns=["flow_id", "level", "source", "target", "weight"])
    return FlowGraph(
        edges, slices, _nodes(atlas, edges), splits, unmapped, not_annualised, per_year
    )


def _slice(
    flow_id: str,
    year: str,
    amounts: tuple[float | None, ...],
    evidence: Evidence,
    annualised: bool,
    period: str,
) -> dict[str, Any]:
    lo, mid, hi = amounts
    return {
        "flow_id": flow_id,
        "year": year,
        "low": lo,
        "mid": mid,
        "high": hi,
        "evidence": str(evidence if mid is not None else Evidence.UNRESOLVED),
        "annualised": annualised,
        "projection": is_projection(period),
    }


def _covers(period: str, term: Any, year: str) -> bool:
    """Whether a flow belongs to a ``--period`` selection (see ``flow_graph``)."""
    if term.horizon in ("annual", "part_year"):
        return year_key(period) == year
    if not term.stated:
        return True
    return year.isdigit() and int(term.first) <= int(year) <= int(term.last)


def link_view(frame: pd.DataFrame) -> pd.DataFrame:
    """A compact display of aggregated links: from, to, year, amount, kinds, periods, flows,
    evidence (an undisclosed amount reads "not disclosed")."""
    rows = [
        {
            "from": r["source"],
            "to": r["target"],
            "year": r.get("year", ""),
            "USD bn": amount_text(r),
            "kinds": str(r.get("kinds", "")).replace(";", ", "),
            "periods": str(r.get("periods", "")).replace(";", ", "),
            "flows": r.get("n_flows", 1),
            "evidence": r["evidence"],
        }
        for r in records(frame)
    ]
    return pd.DataFrame(
        rows, columns=["from", "to", "year", "USD bn", "kinds", "periods", "flows", "evidence"]
    )
