"""Typed records of the atlas, one pydantic model per data file.

Every table is described by a ``TableSpec`` (file name, model, key columns). The loader reads
each file, validates rows into these models and merges overlay rows by key: an overlay row whose
key exists replaces the shipped row, a new key adds a row.

Conventions: money is USD unless ``unit`` says otherwise; shares and weights are fractions 0-1;
dates are ISO ``YYYY-MM-DD``; list-valued CSV cells are separated by ``;``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SourceKind(StrEnum):
    ARTICLE = "article"
    FILING = "filing"
    COMPANY_RELEASE = "company_release"
    RESEARCH_ESTIMATE = "research_estimate"  # third-party research / analyst estimate
    DATASET = "dataset"
    EDITORIAL_ESTIMATE = "editorial_estimate"  # stackatlas editors' estimate, reason in note


class FigureKind(StrEnum):
    ACTUAL = "actual"
    ESTIMATE = "estimate"
    PROJECTION = "projection"


class FlowKind(StrEnum):
    CAPEX_PURCHASE = "capex_purchase"  # buyer pays supplier for equipment / chips / buildings
    CLOUD_COMMITMENT = "cloud_commitment"  # compute bought from a cloud
    REVENUE_SHARE = "revenue_share"
    EQUITY_INVESTMENT = "equity_investment"
    DEBT = "debt"
    POWER_PURCHASE = "power_purchase"
    SERVICES = "services"  # other operating spend (e.g. manufacturing services)


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class SubjectType(StrEnum):
    COMPANY = "company"
    LAYER = "layer"
    SEGMENT = "segment"
    MARKET = "market"
    GROUP = "group"
    ECONOMY = "economy"  # whole-economy / global totals (e.g. "AI contribution to GDP")


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _split_list(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    if value is None:
        return []
    return value


class Source(_Row):
    """A document a number comes from. Needs a URL or a filing accession."""

    id: str
    title: str
    publisher: str
    url: str | None = None
    accession: str | None = None
    published: date
    kind: SourceKind
    note: str | None = None


class Segment(_Row):
    """A sub-segment of a layer. ``inputs``: input groups its companies buy (e.g. ``foundry``);
    each company with a weight in the segment needs an explicit upstream edge in one of them
    (``dependencies.csv``) or a row in ``upstream_exemptions.csv`` saying why not."""

    id: str
    name: str
    description: str
    inputs: list[str] = Field(default_factory=list)

    _split = field_validator("inputs", mode="before")(_split_list)


class Layer(_Row):
    """One of the five layers, in stack order, with the article's participation level."""

    id: str
    name: str
    order: int = Field(ge=1, le=5)
    level: int = Field(ge=1, le=5)
    level_name: str  # e.g. "newbie level", "boss fight"
    risk: str  # the article's risk description
    description: str
    segments: list[Segment]


class Company(_Row):
    id: str  # slug, stable
    name: str
    ticker: str | None = None  # primary listing
    exchange: str | None = None
    other_tickers: list[str] = Field(default_factory=list)  # ADRs / local listings / classes
    cik: int | None = None  # SEC central index key, if it files with the SEC
    country: str  # ISO 3166 alpha-2
    listed: bool
    parent: str | None = None  # company id of the parent (DeepMind -> alphabet)
    aliases: list[str] = Field(default_factory=list)  # products / former names for search
    description: str | None = None

    _split = field_validator("other_tickers", "aliases", mode="before")(_split_list)


class Membership(_Row):
    """A company's revenue exposure to one segment (weights of a company sum to <= 1)."""

    company: str
    segment: str
    weight: float = Field(ge=0)
    as_of: date
    source: str
    basis: FigureKind = FigureKind.ESTIMATE
    note: str | None = None
    period: str | None = None  # what the weight measures (``Q4 FY2026``); empty: the year to as_of


class Market(_Row):
    """A market whose shares are tracked (e.g. AI accelerators, foundry, EUV lithography)."""

    id: str
    name: str
    segment: str  # the segment that supplies this market
    measure: str  # what the share is a share of: revenue, units, capacity ...
    description: str | None = None


class Share(_Row):
    market: str
    company: str
    share: float = Field(ge=0)
    low: float | None = None
    high: float | None = None
    as_of: date
    source: str
    kind: FigureKind = FigureKind.ACTUAL
    note: str | None = None


class Group(_Row):
    """A named set of companies, e.g. ``big4-hyperscalers``."""

    id: str
    name: str
    members: list[str]
    layer: str | None = None  # layer its headline figures belong to (default: members' majority)
    description: str | None = None

    _split = field_validator("members", mode="before")(_split_list)


class Flow(_Row):
    """A directed money flow between companies, segments or groups (payer -> payee)."""

    id: str
    source_node: str = Field(alias="from")
    target_node: str = Field(alias="to")
    kind: FlowKind
    amount: float | None = None  # point value in USD billions
    low: float | None = None
    high: float | None = None
    period: str  # e.g. "2025", "2026E", "2019-2032"
    source: str
    confidence: Confidence
    note: str | None = None

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, str_strip_whitespace=True
    )


class Figure(_Row):
    """A headline figure as a claim, with its source (the article's numbers live here)."""

    id: str
    subject_type: SubjectType
    subject: str
    metric: str
    value: float
    low: float | None = None
    high: float | None = None
    unit: str  # usd_billion, usd_million, percent, twh, count, multiple ...
    period: str  # "FY2026", "2025", "2026E", "Q4 FY2026", "2030" ...
    kind: FigureKind
    source: str
    quote: str | None = None  # the sentence the figure comes from
    note: str | None = None


class EdgeBasis(StrEnum):
    """How a dependency share was obtained (weakest last)."""

    REPORTED = "reported"  # stated by a filer or a party to the deal (value in the source)
    DERIVED = "derived"  # computed from reported figures; the arithmetic is in ``note``
    ESTIMATE = "estimate"  # editors' judgement with the reasoning in ``note``; needs low/high


class Dependency(_Row):
    """An explicit supplier -> customer edge for the scenario network (replaces inferred ones).

    ``group``: the customer's input group the supplier serves (``foundry``, ``packaging``,
    ``memory``, ``lithography``, ``fab-equipment``, ``accelerators``, ``compute``, ``power``
    ...; blank = the group of the inferred edge it replaces, else the supplier's segment).
    ``input_share``: share of the customer's input in that group from this supplier;
    ``revenue_share``: share of the supplier's revenue from this customer; each with an
    optional ``low`` / ``high`` and a basis. ``exposure``: share of the customer's revenue that
    needs the group (blank = as the inferred edge, else 1). ``evidence``: what the source says
    (quoted verbatim when in quotation marks); ``note``: the reasoning behind the numbers.
    """

    supplier: str
    customer: str
    group: str | None = None
    input_share: float = Field(ge=0, le=1)
    input_low: float | None = Field(default=None, ge=0, le=1)
    input_high: float | None = Field(default=None, ge=0, le=1)
    input_basis: EdgeBasis = EdgeBasis.ESTIMATE
    revenue_share: float = Field(ge=0, le=1)
    revenue_low: float | None = Field(default=None, ge=0, le=1)
    revenue_high: float | None = Field(default=None, ge=0, le=1)
    revenue_basis: EdgeBasis = EdgeBasis.ESTIMATE
    exposure: float | None = Field(default=None, ge=0, le=1)
    as_of: date | None = None
    source: str
    other_sources: list[str] = Field(default_factory=list)
    evidence: str | None = None
    note: str | None = None

    _split = field_validator("other_sources", mode="before")(_split_list)

    @property
    def sources(self) -> list[str]:
        """``source`` then ``other_sources``."""
        return [self.source, *self.other_sources]


class UpstreamExemption(_Row):
    """Why a company in a segment that needs inputs has no explicit upstream edge."""

    company: str
    reason: str
    source: str


class EtoProviderLink(_Row):
    """A CSET / ETO supply-chain provider that is an atlas company (reviewed by hand).

    ``relation``: ``same`` (the provider is the company) or ``subsidiary`` (the provider is a
    unit the company owns, e.g. Google -> Alphabet). Providers without a row stay ETO entities.
    """

    provider_id: str = Field(pattern=r"^P\d+$")  # providers.csv id in the ETO dataset
    provider_name: str  # the name the dataset gives it (checked against the dataset in tests)
    company: str
    relation: Literal["same", "subsidiary"] = "same"
    source: str
    note: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """How one atlas table is stored: its file, row model and key columns."""

    name: str
    file: str
    model: type[BaseModel]
    key: tuple[str, ...]
    required: bool = True
    optional_key: tuple[str, ...] = ()  # key columns that may be blank (blank is a value)

    def key_complete(self, values: tuple[str, ...]) -> bool:
        """True when every required key column has a value."""
        return all(v or k in self.optional_key for k, v in zip(self.key, values, strict=True))


TABLES: tuple[TableSpec, ...] = (
    TableSpec("sources", "sources.csv", Source, ("id",)),
    TableSpec("companies", "companies.csv", Company, ("id",)),
    TableSpec("memberships", "memberships.csv", Membership, ("company", "segment")),
    TableSpec("markets", "markets.csv", Market, ("id",)),
    TableSpec("shares", "shares.csv", Share, ("market", "company")),
    TableSpec("groups", "groups.csv", Group, ("id",)),
    TableSpec("flows", "flows.csv", Flow, ("id",)),
    TableSpec("figures", "figures.csv", Figure, ("id",)),
    TableSpec(
        "dependencies",
        "dependencies.csv",
        Dependency,
        ("supplier", "customer", "group"),
        required=False,
        optional_key=("group",),
    ),
    TableSpec(
        "upstream_exemptions",
        "upstream_exemptions.csv",
        UpstreamExemption,
        ("company",),
        required=False,
    ),
    TableSpec(
        "eto_providers", "eto_providers.csv", EtoProviderLink, ("provider_id",), required=False
    ),
)
"""CSV tables; the layer tree is ``layers.yaml`` (a list of ``Layer``)."""
