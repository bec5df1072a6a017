"""Read-only views of the atlas behind ``stackatlas map``, ``company``, ``sources``, ``run``.

Each view is a pydantic model whose ``to_dict()`` is the documented, stable ``--json`` shape
(field names below never change meaning; new fields may be added). ``__rich__`` renders it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from pydantic import BaseModel

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.flow_periods import horizon
from stackatlas.atlas.models import Company, Figure, Flow, Share, Source
from stackatlas.display import is_missing
from stackatlas.notebook import Tabular


class _View(BaseModel, Tabular):
    def to_dict(self) -> dict[str, Any]:
        """The JSON-safe ``--json`` shape."""
        return self.model_dump(mode="json", by_alias=True)

    def __rich__(self) -> Any:
        from stackatlas.atlas import render

        return getattr(render, f"render_{type(self).__name__.lower()}")(self)


class FigureItem(BaseModel):
    """A headline figure (a row of figures.csv)."""

    id: str
    subject_type: str
    subject: str
    metric: str
    value: float
    low: float | None
    high: float | None
    unit: str
    period: str
    kind: str
    source: str
    quote: str | None = None
    note: str | None = None


class KeyShare(BaseModel):
    market: str
    market_name: str
    share: float
    as_of: date
    kind: str
    source: str


class MapCompany(BaseModel):
    id: str
    name: str
    ticker: str | None
    weight: float  # revenue-exposure weight of the company in this segment, 0-1
    key_share: KeyShare | None  # largest share in a market supplied by this segment


class MapSegment(BaseModel):
    id: str
    name: str
    description: str
    companies: list[MapCompany]


class MapLayer(BaseModel):
    id: str
    name: str
    order: int
    level: int
    level_name: str
    risk: str
    figures: list[FigureItem]  # subject: this layer, a group / segment / market in it
    segments: list[MapSegment]


class StackMap(_View):
    """``stackatlas map``: layers (stack order) -> segments -> companies."""

    atlas_version: str
    layers: list[MapLayer]

    def to_frames(self) -> dict[str, Any]:
        """Flat tables for exports: one row per (layer, segment, company) and per figure."""
        import pandas as pd

        companies = [
            {
                "layer": layer.id,
                "level": layer.level,
                "segment": seg.id,
                "company": c.id,
                "name": c.name,
                "ticker": c.ticker,
                "weight": c.weight,
                **{
                    f"key_share_{k}": v
                    for k, v in (c.key_share.model_dump() if c.key_share else {}).items()
                },
            }
            for layer in self.layers
            for seg in layer.segments
            for c in seg.companies
        ]
        figures = [
            {"layer": layer.id, **f.model_dump(mode="json")}
            for layer in self.layers
            for f in layer.figures
        ]
        return {"companies": pd.DataFrame(companies), "figures": pd.DataFrame(figures)}


def _figure(f: Figure) -> FigureItem:
    return FigureItem(**f.model_dump(mode="json"))


def layer_figures(atlas: Atlas, layer_id: str) -> list[Figure]:
    """Figures whose subject is the layer or a group, segment or market placed in it."""
    out = []
    for f in atlas.figures:
        if f.subject_type.value in (
            "layer",
            "group",
            "segment",
            "market",
        ) and layer_id in atlas.layers_of(f.subject, f.subject_type.value):
            out.append(f)
    return out


def _key_share(atlas: Atlas, company_id: str, segment_id: str) -> KeyShare | None:
    shares = [
        s
        for s in atlas.shares
        if s.company == company_id
        and s.market in atlas.markets
        and atlas.markets[s.market].segment == segment_id
    ]
    if not shares:
        return None
    best = max(shares, key=lambda s: (s.share, s.as_of))
    return KeyShare(
        market=best.market,
        market_name=atlas.markets[best.market].name,
        share=best.share,
        as_of=best.as_of,
        kind=best.kind.value,
        source=best.source,
    )


def stack_map(atlas: Atlas, layer: str | None = None) -> StackMap:
    """The stack as a tree; ``layer`` keeps one layer (NotFoundError with suggestions)."""
    layers = [atlas.layer(layer)] if layer else [atlas.layer(lid) for lid in atlas.layer_ids]
    out = []
    for lay in layers:
        segments = []
        for seg in lay.segments:
            ms = sorted(
                (m for m in atlas.memberships if m.segment == seg.id),
                key=lambda m: (-m.weight, m.company),
            )
            companies = [
                MapCompany(
                    id=m.company,
                    name=atlas.companies[m.company].name,
                    ticker=atlas.companies[m.company].ticker,
                    weight=m.weight,
                    key_share=_key_share(atlas, m.company, seg.id),
                )
                for m in ms
            ]
            segments.append(
                MapSegment(
                    id=seg.id, name=seg.name, description=seg.description, companies=companies
                )
            )
        out.append(
            MapLayer(
                id=lay.id,
                name=lay.name,
                order=lay.order,
                level=lay.level,
                level_name=lay.level_name,
                risk=lay.risk,
                figures=[_figure(f) for f in layer_figures(atlas, lay.id)],
                segments=segments,
            )
        )
    return StackMap(atlas_version=atlas.version, layers=out)


# ---- company profile ---------------------------------------------------------------------
class ProfileMembership(BaseModel):
    layer: str
    layer_name: str
    segment: str
    segment_name: str
    weight: float
    as_of: date
    basis: str
    source: str
    note: str | None


class ProfileShare(BaseModel):
    market: str
    market_name: str
    share: float
    low: float | None
    high: float | None
    as_of: date
    kind: str
    source: str
    note: str | None


class ProfileFlow(BaseModel):
    """A flow touching the company: directly (``via`` None), or through a group / segment it
    belongs to (``via`` = that id; the amount is the group's or segment's total, not the
    company's). ``horizon``: annual, part_year (a quarter) or multi_year (a commitment or
    stake over ``period``)."""

    id: str
    direction: str  # "in" (company is paid) or "out" (company pays)
    counterparty: str
    counterparty_kind: str  # company / group / segment
    counterparty_name: str
    via: str | None  # group or segment id when the company is not named directly
    kind: str
    amount: float | None  # USD billions; None = not disclosed
    low: float | None
    high: float | None
    period: str
    horizon: str  # annual | part_year | multi_year
    confidence: str
    source: str
    note: str | None


class EdgeItem(BaseModel):
    """One supplier -> customer edge of the scenario network, as the network uses it.

    ``edge_kind``: ``explicit`` (dependencies.csv), ``flow`` (a flows.csv amount) or
    ``inferred`` (proportional sourcing from market shares / memberships: an assumption, not a
    known relationship). Shares are fractions: ``input_share`` of the customer's input in
    ``group``, ``revenue_share`` of the supplier's revenue, ``exposure`` of the customer's
    revenue that needs the group. Ranges and bases come from the atlas row (explicit edges)."""

    supplier: str
    supplier_name: str
    customer: str
    customer_name: str
    group: str
    edge_kind: str
    input_share: float
    input_low: float | None = None
    input_high: float | None = None
    input_basis: str
    revenue_share: float
    revenue_low: float | None = None
    revenue_high: float | None = None
    revenue_basis: str
    exposure: float
    as_of: date | None = None
    evidence: str | None = None
    note: str | None = None
    sources: list[str]
    origin: str


class ConcentrationItem(BaseModel):
    """A major-customer percentage the company's filing tags (XBRL ConcentrationRiskPercentage1);
    ``customer`` is the filer's own label ("Customer A" when it does not name the customer)."""

    customer: str
    share: float  # fraction of ``benchmark`` over start..end
    benchmark: str  # revenue / accounts_receivable / ...
    start: date | None
    end: date
    months: int | None
    segment: str
    product: str
    geography: str
    form: str | None
    accession: str


class CompanyProfile(_View):
    """``stackatlas company``: everything the atlas says about one company, with sources.

    ``upstream`` / ``downstream``: its edges in the scenario network (suppliers / customers),
    explicit ones first; ``customer_concentration``: major-customer percentages from its
    filings when they are in the SEC folder (``STACKATLAS_SEC_DIR``)."""

    atlas_version: str
    company: Company
    parent_name: str | None
    subsidiaries: list[str]
    groups: list[str]
    memberships: list[ProfileMembership]
    shares: list[ProfileShare]
    flows_in: list[ProfileFlow]  # money that names the company as payee
    flows_out: list[ProfileFlow]  # money that names the company as payer
    group_flows_in: list[ProfileFlow]  # paid to a group / segment the company belongs to
    group_flows_out: list[ProfileFlow]  # paid by a group the company belongs to
    figures: list[FigureItem]
    upstream: list[EdgeItem] = []
    downstream: list[EdgeItem] = []
    customer_concentration: list[ConcentrationItem] = []
    sources: list[Source]  # every source cited above, by id

    def to_frames(self) -> dict[str, Any]:
        """The company as one row (parent, groups, subsidiaries beside it), then each list of
        records (memberships, shares, flows, figures, edges, sources)."""
        import pandas as pd

        from stackatlas.notebook import dict_tables

        data = self.to_dict()
        row = {key: data[key] for key in ("parent_name", "groups", "subsidiaries")}
        scalars = {"atlas_version", "company", *row}
        rest = {k: v for k, v in data.items() if k not in scalars}
        return {"company": pd.DataFrame([{**data["company"], **row}]), **dict_tables(rest)}


def _node_name(atlas: Atlas, node: str) -> str:
    kind = atlas.node_kind(node)
    if kind == "company":
        return atlas.companies[node].name
    if kind == "group":
        return atlas.groups[node].name
    if kind == "segment":
        return atlas.segments[node].name
    return node


def _profile_flow(atlas: Atlas, f: Flow, direction: str, via: str | None) -> ProfileFlow:
    other = f.source_node if direction == "in" else f.target_node
    return ProfileFlow(
        id=f.id,
        direction=direction,
        counterparty=other,
        counterparty_kind=atlas.node_kind(other) or "unknown",
        counterparty_name=_node_name(atlas, other),
        via=via,
        kind=f.kind.value,
        amount=f.amount,
        low=f.low,
        high=f.high,
        period=f.period,
        horizon=horizon(f.period),
        confidence=f.confidence.value,
        source=f.source,
        note=f.note,
    )


def company_profile(atlas: Atlas, company_id: str, *, network: bool = True) -> CompanyProfile:
    """Profile of a company given by id, ticker, name or alias (NotFoundError on a miss).
    ``network=False`` leaves out the scenario-network edges (no network is built)."""
    company = atlas.find_company(company_id)
    cid = company.id
    groups = [g.id for g in atlas.groups.values() if cid in g.members]
    segments = [m.segment for m in atlas.memberships_of(cid)]
    via_nodes = {cid: None, **{g: g for g in groups}}
    for seg in segments:
        if atlas.node_kind(seg) == "segment":
            via_nodes.setdefault(seg, seg)
    memberships = [
        ProfileMembership(
            layer=atlas.layer_of_segment[m.segment],
            layer_name=atlas.layer(atlas.layer_of_segment[m.segment]).name,
            segment=m.segment,
            segment_name=atlas.segments[m.segment].name,
            weight=m.weight,
            as_of=m.as_of,
            basis=m.basis.value,
            source=m.source,
            note=m.note,
        )
        for m in sorted(atlas.memberships_of(cid), key=lambda m: -m.weight)
    ]
    shares = [_profile_share(atlas, s) for s in atlas.shares if s.company == cid]
    flows: dict[tuple[str, bool], list[ProfileFlow]] = {
        (d, named): [] for d in ("in", "out") for named in (True, False)
    }
    for f in atlas.flows:
        for direction, node in (("in", f.target_node), ("out", f.source_node)):
            if node in via_nodes:
                via = via_nodes[node]
                flows[(direction, via is None)].append(_profile_flow(atlas, f, direction, via))
    flows_in, flows_out = flows[("in", True)], flows[("out", True)]
    group_in, group_out = flows[("in", False)], flows[("out", False)]
    figures = [
        _figure(f) for f in atlas.figures if f.subject_type.value == "company" and f.subject == cid
    ]
    upstream: list[EdgeItem] = []
    downstream: list[EdgeItem] = []
    if network:
        from stackatlas.scenarios.company_edges import company_edges

        upstream, downstream = company_edges(atlas, cid)
    concentration = _concentration(atlas, company)
    cited = (
        [m.source for m in memberships]
        + [s.source for s in shares]
        + [f.source for f in flows_in + flows_out + group_in + group_out]
        + [f.source for f in figures]
        + [sid for e in upstream + downstream for sid in e.sources]
    )
    order = list(dict.fromkeys(cited))
    return CompanyProfile(
        atlas_version=atlas.version,
        company=company,
        parent_name=atlas.companies[company.parent].name if company.parent else None,
        subsidiaries=sorted(c.id for c in atlas.companies.values() if c.parent == cid),
        groups=groups,
        memberships=memberships,
        shares=sorted(shares, key=lambda s: -s.share),
        flows_in=flows_in,
        flows_out=flows_out,
        group_flows_in=group_in,
        group_flows_out=group_out,
        figures=figures,
        upstream=upstream,
        downstream=downstream,
        customer_concentration=concentration,
        sources=[atlas.sources[s] for s in order if s in atlas.sources],
    )


def _concentration(atlas: Atlas, company: Company) -> list[ConcentrationItem]:
    """Major-customer facts of the company's filings in the SEC folder (empty without)."""
    if company.cik is None:
        return []
    from stackatlas.sec.concentration import company_concentration

    rows = company_concentration(int(company.cik), atlas)
    return [
        ConcentrationItem(
            customer=r.customer,
            share=float(r.share),
            benchmark=r.benchmark,
            start=None if is_missing(r.start) else r.start,
            end=r.end,
            months=None if is_missing(r.months) else int(r.months),
            segment=r.segment,
            product=r.product,
            geography=r.geography,
            form=r.form,
            accession=r.accession,
        )
        for r in rows.itertuples()
    ]


def _profile_share(atlas: Atlas, s: Share) -> ProfileShare:
    return ProfileShare(
        market=s.market,
        market_name=atlas.markets[s.market].name,
        share=s.share,
        low=s.low,
        high=s.high,
        as_of=s.as_of,
        kind=s.kind.value,
        source=s.source,
        note=s.note,
    )


# ---- sources and summary -----------------------------------------------------------------
class SourceItem(Source):
    cited_by: int  # rows citing it: memberships, shares, flows, figures, dependencies,
    # eto_providers, upstream exemptions


class SourceList(_View):
    """``stackatlas sources``: every source with how many atlas rows cite it."""

    atlas_version: str
    sources: list[SourceItem]


def _citations(atlas: Atlas) -> Counter[str]:
    rows: list[Any] = [
        *atlas.memberships,
        *atlas.shares,
        *atlas.flows,
        *atlas.figures,
        *atlas.eto_providers,
        *atlas.upstream_exemptions,
    ]
    counts = Counter(r.source for r in rows)
    counts.update(s for d in atlas.dependencies for s in d.sources)
    return counts


def source_list(atlas: Atlas) -> SourceList:
    counts = _citations(atlas)
    items = [
        SourceItem(**s.model_dump(), cited_by=counts.get(s.id, 0))
        for s in sorted(atlas.sources.values(), key=lambda s: (s.published, s.id))
    ]
    return SourceList(atlas_version=atlas.version, sources=items)


class LayerCounts(BaseModel):
    layer: str
    name: str
    companies: int  # companies with a membership in the layer
    flows: int  # flows with an endpoint in the layer
    figures: int  # figures about the layer or a company / group / segment / market in it
    sources: int  # distinct sources cited by the layer's memberships, shares, flows, figures


class AtlasSummary(_View):
    """Counts per table and per layer (``stackatlas validate`` / ``run``)."""

    atlas_version: str
    tables: dict[str, int]
    layers: list[LayerCounts]


def atlas_summary(atlas: Atlas) -> AtlasSummary:
    tables = {"layers": len(atlas.layers), "segments": len(atlas.segments)}
    for name in (
        "sources",
        "companies",
        "memberships",
        "markets",
        "shares",
        "groups",
        "flows",
        "figures",
        "dependencies",
        "eto_providers",
        "upstream_exemptions",
    ):
        tables[name] = len(getattr(atlas, name))
    layers = []
    for lid in atlas.layer_ids:
        companies = {
            m.company for m in atlas.memberships if atlas.layer_of_segment.get(m.segment) == lid
        }
        flows = [
            f
            for f in atlas.flows
            if lid in atlas.layers_of(f.source_node) + atlas.layers_of(f.target_node)
        ]
        figures = [
            f for f in atlas.figures if lid in atlas.layers_of(f.subject, f.subject_type.value)
        ]
        shares = [s for s in atlas.shares if lid in atlas.layers_of(s.market, "market")]
        ms = [m for m in atlas.memberships if atlas.layer_of_segment.get(m.segment) == lid]
        cited = (
            {f.source for f in flows}
            | {f.source for f in figures}
            | {s.source for s in shares}
            | {m.source for m in ms}
        )
        layers.append(
            LayerCounts(
                layer=lid,
                name=atlas.layer(lid).name,
                companies=len(companies),
                flows=len(flows),
                figures=len(figures),
                sources=len(cited),
            )
        )
    return AtlasSummary(atlas_version=atlas.version, tables=tables, layers=layers)
