"""Typed response and request models of the JSON API (they shape the OpenAPI schema).

Record models type the fields clients rely on and allow extra columns (``extra="allow"``), so a
new column in a library result shows up in the API without breaking the schema. Money is USD
billions unless a field says otherwise; ``evidence`` is reported / derived / estimated /
scenario / unresolved.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat

from stackatlas.atlas.companies import CompanyList
from stackatlas.atlas.views import CompanyProfile, MapLayer, SourceItem

EvidenceStr = Literal["reported", "derived", "estimated", "scenario", "unresolved"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorBody(BaseModel):
    error: str = Field(
        description="not_found, invalid_input, payload_too_large, data_unavailable, busy, "
        "forbidden or error"
    )
    detail: str
    suggestions: list[str] | None = None
    problems: list[dict[str, Any]] | None = None


class LayersResponse(BaseModel):
    atlas_version: str
    layers: list[MapLayer]


class CompaniesResponse(CompanyList):
    """Every atlas company with its layers and segments."""


class CompanyResponse(CompanyProfile):
    """The atlas profile of one company (memberships, shares, flows, figures, sources)."""


class SourcesResponse(BaseModel):
    atlas_version: str
    sources: list[SourceItem]


class FlowEdge(_Record):
    """One atlas flow as stated. ``horizon`` annual: the amount belongs to the year its
    ``period`` names; part_year: a quarter's or half's amount (never scaled to a year);
    multi_year: a commitment or stake over ``term`` (``per_year_*`` is
    amount / years where the term is stated, else null). Null amount = not disclosed."""

    id: str
    source: str
    target: str
    kind: str
    horizon: Literal["annual", "part_year", "multi_year"]
    low: float | None
    mid: float | None
    high: float | None
    period: str
    term: str
    per_year_mid: float | None = None
    per_year_evidence: EvidenceStr
    source_id: str
    confidence: str
    evidence: EvidenceStr


class AnnualLink(_Record):
    """Annual flows summed per (source, target, year); null ``mid`` with ``known`` > 0: only
    a lower bound is disclosed (``n_unresolved`` flows are not)."""

    source: str
    target: str
    year: str
    low: float | None
    mid: float | None
    high: float | None
    known: float | None = Field(description="the disclosed part (null: nothing disclosed)")
    n_unresolved: int
    n_flows: int
    kinds: str
    periods: str
    evidence: EvidenceStr


class CycleEdge(_Record):
    source: str
    target: str
    year: str | None = None
    mid: float | None = None
    known: float | None = None
    kinds: str | None = None
    stated: str | None = Field(None, description="every flow of the hop as stated")


class CycleItem(_Record):
    path: str
    nodes: list[str]
    year: str | None = Field(description="the year compared; null: no common year (see basis)")
    basis: str
    edges: list[CycleEdge]
    bottleneck: dict[str, float | None]
    pass_through: float | None = None
    returns: list[dict[str, Any]]
    evidence: EvidenceStr


class FlowsResponse(BaseModel):
    unit: Literal["usd_billion"] = "usd_billion"
    per_year: bool = Field(description="cycles: multi-year amounts annualised over a term")
    years: list[str]
    default_year: str | None
    edges: list[FlowEdge]
    annual: list[AnnualLink] = Field(description="annual company flows per year")
    layers: list[AnnualLink] = Field(description="annual flows collapsed to layer pairs")
    commitments: list[FlowEdge] = Field(description="multi-year flows, as stated")
    unmapped: list[str]
    not_annualised: list[str]
    cycles: list[CycleItem]


class PoolCell(_Record):
    group: str
    period: str
    metric: str
    value: float | None
    unit: str
    evidence: EvidenceStr
    coverage: float | None = None
    revenue_coverage: float | None = None
    contributors: list[str] = []
    estimated: list[str] = []
    set_change: str | None = None


class PoolsResponse(BaseModel):
    by: str
    view: str
    years: list[str]
    unit: str
    periods: str
    cells: list[PoolCell]
    thesis: list[dict[str, Any]]
    panels: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    set_changes: list[dict[str, Any]]
    not_covered: dict[str, str]
    note: str | None = None


class CapexRow(_Record):
    entity: str
    kind: str
    period: str
    capex: float | None
    operating_cash_flow: float | None
    capex_to_ocf: float | None
    free_cash_flow: float | None
    ai_capex_est: float | None
    evidence: EvidenceStr


class CapexResponse(BaseModel):
    period: str
    unit: str
    ai_share: dict[str, Any] | None
    rows: list[CapexRow]
    claims: list[dict[str, Any]]
    not_covered: dict[str, str]


class PaybackParameter(_Record):
    key: str
    value: float
    low: float
    high: float
    basis: Literal["sourced", "derived", "assumption", "override"]
    evidence: EvidenceStr
    source: str | None = None


class PaybackYear(_Record):
    """End-user AI revenue needed in a year (``needed_complete`` False: a lower bound) beside
    the AI revenue sourced (revenue only, never run-rates)."""

    year: int
    needed: float
    needed_complete: bool
    ai_revenue: float | None
    gap: float | None
    multiple: float | None
    projection: bool
    evidence: EvidenceStr


class PaybackResponse(BaseModel):
    unit: Literal["usd_billion"] = "usd_billion"
    anchor: dict[str, Any] = Field(description="Cahn's $600B question: inputs and result")
    parameters: list[PaybackParameter]
    vintages: list[dict[str, Any]] = Field(description="each year's AI capex and its needs")
    years: list[PaybackYear]
    revenue: list[dict[str, Any]]
    payback: dict[str, Any]
    sensitivity: dict[str, Any] | None
    notes: list[str]


class CoverageResponse(BaseModel):
    """Every atlas company x metric x calendar year: value and source, or reason and fix."""

    years: list[str]
    metrics: list[str]
    unit: str
    providers: list[str]
    layer: str | None
    layers: list[dict[str, Any]]
    companies: list[dict[str, Any]]
    notes: list[str]


class MarketConcentration(_Record):
    market: str
    name: str
    hhi: float | None
    cr1: float | None
    band: str | None
    evidence: EvidenceStr


class Chokepoint(_Record):
    rank: int
    company: str | None = Field(
        description="atlas company id; None for an ETO provider outside the atlas"
    )
    supplier: str | None = None
    market: str = Field(description="atlas market id, or eto:<input id>")
    basis: Literal["atlas", "eto"] | None = None
    year: int | None = None
    source: str | None = None
    share: float
    score: float | None
    single_point: bool
    evidence: EvidenceStr


class ConcentrationResponse(BaseModel):
    guidelines: str
    markets: list[MarketConcentration]
    chokepoints: list[Chokepoint]
    eto_inputs: list[dict[str, Any]] | None = Field(
        None, description="CSET/ETO inputs (firm / country HHI) when the dataset is configured"
    )
    country_chokepoints: list[dict[str, Any]] | None = None
    eto_credit: dict[str, str] | None = None


class SupplyChainShare(_Record):
    provider_id: str
    provider: str
    kind: str
    share: float | None = Field(description="percent; None = blank in the dataset (unknown)")
    year: int
    source: str
    aggregate: bool
    company: str | None = None


class SupplyChainSide(_Record):
    year: int | None
    leader: str | None
    cr1: float | None
    cr3: float | None
    hhi: float | None
    remainder: float | None
    shares: list[SupplyChainShare]


class SupplyChainInput(_Record):
    input_id: str
    input: str
    type: str
    stages: list[str]
    year: int | None
    firms: SupplyChainSide
    countries: SupplyChainSide
    ai_outputs: list[str]


class SupplyChainResponse(BaseModel):
    """``stackatlas supplychain --json``: CSET / Emerging Technology Observatory, Advanced
    Semiconductor Supply Chain Dataset (CC BY-NC 4.0)."""

    credit: dict[str, str]
    dataset: dict[str, Any]
    filters: dict[str, Any]
    inputs: list[SupplyChainInput]
    stages: list[dict[str, Any]]
    provider: dict[str, Any] | None
    country: dict[str, Any] | None
    chokepoints: dict[str, Any]
    ai_outputs: list[dict[str, Any]]
    notes: list[str]


class SignalRow(_Record):
    id: str
    name: str
    value: float | None
    period: str
    watch: float
    alert: float
    direction: str
    unit: str
    status: Literal["ok", "watch", "alert", "unresolved"]
    evidence: EvidenceStr


class SignalsResponse(BaseModel):
    signals: list[SignalRow]


class AuditRow(_Record):
    figure: str
    subject: str
    metric: str
    period: str
    claimed: float
    unit: str
    computed: float | None
    status: Literal["match", "differs", "not checkable"]
    evidence: EvidenceStr
    reason: str
    source: str


class AuditResponse(BaseModel):
    counts: dict[str, int]
    figures: list[AuditRow]


class ScenarioItem(BaseModel):
    name: str
    title: str
    description: str
    parameters: list[dict[str, Any]] = Field(description="name, default, range, unit, basis")


class ScenariosResponse(BaseModel):
    scenarios: list[ScenarioItem]


class DistributionOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["uniform", "triangular", "normal", "lognormal"]
    low: FiniteFloat | None = None
    mode: FiniteFloat | None = None
    high: FiniteFloat | None = None
    mean: FiniteFloat | None = None
    sd: FiniteFloat | None = None
    median: FiniteFloat | None = None
    sigma: FiniteFloat | None = None


class ScenarioRunRequest(BaseModel):
    """Parameter overrides (a number, or a distribution for Monte Carlo), draws and seed."""

    model_config = ConfigDict(extra="forbid")
    overrides: dict[str, FiniteFloat | DistributionOverride] = Field(default_factory=dict)
    draws: int = Field(0, ge=0, le=5000, description="Monte Carlo draws (0 = central run)")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    edge_shares: Literal["point", "low", "high", "draw"] = Field(
        "point",
        description="explicit edges at their point shares or at their low / high bounds "
        "(the sensitivity of the result to the network's estimates); 'draw' (needs draws) "
        "draws them from their ranges in each Monte Carlo draw",
    )


class LayerImpact(_Record):
    layer: str
    annual_revenue_usd_bn: float | None = Field(description="baseline annual revenue, USD bn")
    baseline_horizon_usd_bn: float | None = Field(
        description="baseline revenue over the horizon (annual x quarters / 4), USD bn"
    )
    revenue_at_risk_usd_bn: float | None = Field(
        description="revenue below baseline summed over the horizon, USD bn (negative = gain)"
    )
    revenue_at_risk_pct: float | None = Field(
        description="revenue at risk as % of baseline revenue over the same horizon"
    )
    evidence: str


class ScenarioRunResponse(BaseModel):
    scenario: str
    title: str
    description: str
    quarters: int
    horizon_quarters: int = Field(description="quarters every USD sum and % is taken over")
    edge_shares: str = Field(
        description="explicit edges at their point, low or high shares, or 'draw' (drawn from "
        "their ranges in each Monte Carlo draw)"
    )
    measures: dict[str, str] = Field(description="what each column measures (denominator)")
    gains_note: str | None = Field(
        description="why some values are negative (gains), None when none is"
    )
    draws: int
    seed: int
    evidence: str
    notes: list[str]
    point_basis: str = Field(description="what the point columns are one run at")
    bands_basis: str | None = Field(description="what p5 / p50 / p95 are over (None: no draws)")
    parameters: list[dict[str, Any]]
    layers: list[LayerImpact]
    segments: list[dict[str, Any]]
    companies: list[dict[str, Any]]
    quarterly: list[dict[str, Any]]
    edges: list[dict[str, Any]]


class SweepRequest(BaseModel):
    """A bounded sweep: grid axes ``name=low:high:steps`` or ``lhs`` points over ``vary``
    ranges ``name=low:high``; ``overrides`` fix other parameters; ``companies`` adds their
    columns to the points (layers are always there)."""

    model_config = ConfigDict(extra="forbid")
    grid: list[str] = Field(default_factory=list, max_length=4)
    lhs: int | None = Field(None, ge=2, le=200)
    vary: list[str] = Field(default_factory=list, max_length=8)
    draws: int = Field(200, ge=1, le=5000, description="Monte Carlo draws per point")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    overrides: dict[str, FiniteFloat] = Field(default_factory=dict)
    companies: list[str] = Field(default_factory=list, max_length=20)
    target: str | None = Field(None, description="tornado output: layer:<id> or company:<id>")


class SweepTornadoRow(_Record):
    output: str
    parameter: str
    param_low: float | None
    param_high: float | None
    low: float | None
    high: float | None
    swing: float | None
    first_order: float | None


class SweepResponse(BaseModel):
    scenario: str
    design: dict[str, Any]
    draws: int
    seed: int
    overrides: dict[str, Any]
    points_total: int
    total_draws: int
    evidence: str
    horizon: str = Field(description="quarters every point's % and USD bn are taken over")
    measures: dict[str, str] = Field(description="what each column measures (denominator)")
    target: str
    tornado: list[SweepTornadoRow]
    sensitivity: list[SweepTornadoRow]
    points: list[dict[str, Any]]


class LayerExposure(_Record):
    layer: str
    exposure: float
    evidence: str


class PortfolioResponse(BaseModel):
    disclaimer: str
    amount_kind: str
    profile: dict[str, Any]
    holdings: list[dict[str, Any]]
    unknown: list[dict[str, Any]]
    unmapped_share: float
    layers: list[LayerExposure]
    segments: list[dict[str, Any]]
    top_names: list[dict[str, Any]]
    hhi: float
    chokepoints: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    risk: dict[str, Any] | None
    notes: list[str]
    truncated: dict[str, int] = Field(
        default_factory=dict,
        description="list name -> its full length, for each list cut to its first rows "
        "(holdings: the 500 largest; unknown, unknown_in_funds, notes: the first 50)",
    )


class InfraYear(_Record):
    year: int
    clusters: int
    power_gw: float | None = Field(description="sum of stated power of the operating clusters")
    power_known: int = Field(description="clusters stating their power")
    h100e_m: float | None = Field(description="millions of H100-equivalents")
    h100e_known: int
    net_added_gw: float | None
    energy_twh: float | None = Field(description="power x hours x utilization (assumption)")
    partial_year: bool
    evidence: EvidenceStr


class InfraLayerRow(_Record):
    layer: str
    measure: str
    value: float | None
    covers: str
    evidence: EvidenceStr


class InfraResponse(BaseModel):
    """The physical stack from Epoch AI's GPU clusters (CC BY 4.0, credit "Epoch AI")."""

    source: str
    basis: Literal["standard", "all"]
    as_of: date | None = Field(description="newest first-operational date in the file")
    utilization: dict[str, Any]
    notes: list[str]
    layers: list[InfraLayerRow]
    by_year: list[InfraYear]
    planned: list[dict[str, Any]]
    by_owner: list[dict[str, Any]]
    by_country: list[dict[str, Any]]
    by_supplier: list[dict[str, Any]]
    cost_per_mw: list[dict[str, Any]]
