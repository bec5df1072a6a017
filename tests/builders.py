"""Hand-built miniature atlases for the tests: one set of row builders and one atlas per suite.

Every expected number in the tests is computed by hand from the rows here, so a suite's atlas
changes only together with its tests:

    network_atlas()    flows, cycles, concentration (tests/analysis/test_flows, _concentration)
    portfolio_atlas()  holdings, exposure, risk, profiles (tests/portfolio)
    scenario_atlas()   the supply network the scenario engine builds (tests/scenarios)
    money_atlas()      profit pools, capex, signals, audit, the resolver (frames_resolver: the
                       seam the analyses take instead of reading companyfacts)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import (
    Company,
    Dependency,
    Figure,
    Flow,
    Group,
    Layer,
    Market,
    Membership,
    Segment,
    Share,
    Source,
)

D = date(2026, 3, 16)
STACK = ("energy", "chips", "cloud", "models", "applications")


# ---- rows ----------------------------------------------------------------------------------
def layers(
    segments: dict[str, Sequence[str]],
    *,
    level_names: Sequence[str] | None = None,
    risk: str | None = None,
) -> list[Layer]:
    """Layers in stack order (order and level from ``STACK``) with the given segments."""
    return [
        Layer(
            id=lid,
            name=lid.title(),
            order=STACK.index(lid) + 1,
            level=STACK.index(lid) + 1,
            level_name=level_names[i] if level_names else "lvl",
            risk=risk.format(lid) if risk else "r",
            description=lid if level_names else "d",
            segments=[Segment(id=s, name=s, description=s) for s in segs],
        )
        for i, (lid, segs) in enumerate(segments.items())
    ]


def source(sid: str = "src", kind: str = "article", **fields: Any) -> Source:
    fields.setdefault("title", sid)
    fields.setdefault("publisher", "p")
    fields.setdefault("url", None if "accession" in fields else "https://example.org")
    return Source(id=sid, published=D, kind=kind, **fields)


def company(cid: str, cik: int | None = None, **fields: Any) -> Company:
    """A US company; listed when it has a CIK or a ticker unless ``listed`` says otherwise."""
    fields.setdefault("name", cid.title())
    fields.setdefault("listed", cik is not None or bool(fields.get("ticker")))
    return Company(id=cid, cik=cik, country="US", **fields)


def membership(cid: str, segment: str, weight: float, src: str = "src", as_of: date = D):
    return Membership(company=cid, segment=segment, weight=weight, as_of=as_of, source=src)


def share(market: str, cid: str, value: float, src: str = "src", as_of: date = D) -> Share:
    return Share(market=market, company=cid, share=value, as_of=as_of, source=src)


def flow(fid: str, payer: str, payee: str, kind: str, amount: float | None, **fields: Any) -> Flow:
    fields.setdefault("period", "2025")
    fields.setdefault("source", "src")
    fields.setdefault("confidence", "medium")
    return Flow.model_validate(
        {"id": fid, "from": payer, "to": payee, "kind": kind, "amount": amount, **fields}
    )


def figure(
    fid: str,
    subject: str,
    metric: str,
    value: float,
    period: str,
    *,
    unit: str = "usd_billion",
    kind: str = "estimate",
    subject_type: str = "company",
    low: float | None = None,
    high: float | None = None,
    src: str = "src",
) -> Figure:
    return Figure(
        id=fid,
        subject_type=subject_type,
        subject=subject,
        metric=metric,
        value=value,
        low=low,
        high=high,
        unit=unit,
        period=period,
        kind=kind,
        source=src,
    )


def atlas(
    layer_rows: list[Layer],
    companies: Iterable[Company],
    memberships: Iterable[Membership] = (),
    *,
    sources: Iterable[Source] = (),
    markets: Iterable[Market] = (),
    shares: Iterable[Share] = (),
    groups: Iterable[Group] = (),
    flows: Iterable[Flow] = (),
    figures: Iterable[Figure] = (),
    dependencies: Iterable[Dependency] = (),
    **extra: Any,
) -> Atlas:
    """An ``Atlas`` from rows (default source: ``source()``)."""
    return Atlas(
        layers=layer_rows,
        sources={s.id: s for s in (list(sources) or [source()])},
        companies={c.id: c for c in companies},
        memberships=list(memberships),
        markets={m.id: m for m in markets},
        shares=list(shares),
        groups={g.id: g for g in groups},
        flows=list(flows),
        figures=list(figures),
        dependencies=list(dependencies),
        **extra,
    )


# ---- network analyses ----------------------------------------------------------------------
NETWORK_SEGMENTS = {
    "energy": ["utilities"],
    "chips": ["design-gpu", "foundry", "equipment"],
    "cloud": ["hyperscalers"],
    "models": ["frontier-labs"],
    "applications": ["enterprise-software"],
}
MEMBERSHIPS = [  # company, segment, weight
    ("msft", "hyperscalers", 0.4),
    ("msft", "enterprise-software", 0.4),
    ("oai", "frontier-labs", 1.0),
    ("nvda", "design-gpu", 0.9),
    ("tsmc", "foundry", 1.0),
    ("asml", "equipment", 1.0),
    ("util", "utilities", 1.0),
    ("amzn", "hyperscalers", 0.6),
    ("goog", "hyperscalers", 0.2),
    ("amd", "design-gpu", 0.3),
]
FLOWS = [  # id, from, to, kind, amount, low, high, period, source
    ("f1", "msft", "oai", "equity_investment", 10, None, None, "2025", "art"),
    ("f2", "oai", "msft", "cloud_commitment", 6, None, None, "2025", "art"),
    ("f3", "msft", "nvda", "capex_purchase", 20, 16, 24, "2025", "filing"),
    ("f4", "nvda", "tsmc", "services", 8, None, None, "2025", "art"),
    ("f5", "nvda", "oai", "equity_investment", 4, None, None, "2025", "art"),
    ("f6", "oai", "util", "power_purchase", 1, None, None, "2025", "art"),
    ("f7", "tsmc", "asml", "capex_purchase", 3, None, None, "2025", "art"),
    ("f8", "oai", "msft", "revenue_share", 2.6, None, None, "2025", "art"),
]
SHARES = [  # market, company, share
    ("cloud", "amzn", 0.31),
    ("cloud", "msft", 0.24),
    ("cloud", "goog", 0.11),
    ("euv", "asml", 1.0),
    ("gpu", "nvda", 0.92),
    ("gpu", "amd", 0.05),
]


def network_atlas(
    flows: list[tuple[Any, ...]] | None = None,
    shares: list[tuple[str, str, float]] | None = None,
    extra_companies: tuple[str, ...] = (),
) -> Atlas:
    """Ten companies over the five layers, the ``FLOWS`` between them, three markets."""
    ids = sorted({m[0] for m in MEMBERSHIPS} | set(extra_companies))
    return atlas(
        layers(NETWORK_SEGMENTS),
        [company(c, name=c.upper(), listed=True) for c in ids],
        [membership(c, s, w, "art") for c, s, w in MEMBERSHIPS],
        sources=[source("art", title="Article"), source("filing", "filing", accession="0000-00-1")],
        markets=[
            Market(id="cloud", name="Cloud", segment="hyperscalers", measure="revenue"),
            Market(id="euv", name="EUV", segment="equipment", measure="units"),
            Market(id="gpu", name="GPU", segment="design-gpu", measure="revenue"),
        ],
        shares=[share(m, c, s, "art") for m, c, s in (SHARES if shares is None else shares)],
        groups=[
            Group(id="big", name="Big", members=["msft", "amzn"]),
            Group(id="mix", name="Mix", members=["amzn", "util"]),
        ],
        flows=[
            flow(i, a, b, k, amt, low=lo, high=hi, period=per, source=src)
            for i, a, b, k, amt, lo, hi, per, src in (FLOWS if flows is None else flows)
        ],
    )


# ---- portfolio -----------------------------------------------------------------------------
def portfolio_atlas() -> Atlas:
    """Eight companies with tickers (ADRs, share classes, a private lab), three markets, three
    dependencies and one group flow; invented round numbers."""
    listed = [
        ("nvidia", "NVIDIA", "NVDA", "", ""),
        ("tsmc", "TSMC", "TSM", "2330.TW", "Taiwan Semiconductor Manufacturing"),
        ("asml", "ASML", "ASML", "ASML.AS", ""),
        ("alphabet", "Alphabet", "GOOGL", "GOOG", ""),
        ("microsoft", "Microsoft", "MSFT", "", ""),
        ("constellation", "Constellation Energy", "CEG", "", ""),
        ("berkshire", "Berkshire Hathaway", "BRK.B", "BRK.A", ""),
    ]
    companies = [
        company(cid, name=name, ticker=ticker, other_tickers=other, aliases=aliases)
        for cid, name, ticker, other, aliases in listed
    ] + [company("openai", name="OpenAI", listed=False)]
    return atlas(
        layers(
            {
                "energy": ["ipp"],
                "chips": ["design-gpu", "foundry", "equipment"],
                "cloud": ["hyperscalers"],
                "models": ["frontier-labs"],
                "applications": ["enterprise-software"],
            },
            level_names=[
                "newbie level",
                "boss fight",
                "multiplayer server",
                "PvP arena",
                "open world",
            ],
            risk="risk of {}",
        ),
        companies,
        [
            membership("nvidia", "design-gpu", 0.9),
            membership("tsmc", "foundry", 1.0),
            membership("asml", "equipment", 1.0),
            membership("alphabet", "hyperscalers", 0.15),
            membership("alphabet", "frontier-labs", 0.05),
            membership("alphabet", "enterprise-software", 0.6),
            membership("microsoft", "hyperscalers", 0.4),
            membership("microsoft", "enterprise-software", 0.5),
            membership("constellation", "ipp", 0.8),
            membership("openai", "frontier-labs", 1.0),
        ],
        markets=[
            Market(id=m, name=m, segment=seg, measure="revenue")
            for m, seg in [
                ("foundry", "foundry"),
                ("ai-accelerators", "design-gpu"),
                ("euv-lithography", "equipment"),
            ]
        ],
        shares=[
            share("foundry", "tsmc", 0.7),
            share("ai-accelerators", "nvidia", 0.8),
            share("euv-lithography", "asml", 1.0),
        ],
        dependencies=[
            Dependency(supplier=s, customer=c, input_share=i, revenue_share=r, source="src")
            for s, c, i, r in [
                ("tsmc", "nvidia", 0.9, 0.2),
                ("asml", "tsmc", 0.8, 0.3),
                ("nvidia", "microsoft", 0.6, 0.2),
            ]
        ],
        flows=[flow("f1", "hyperscalers-g", "nvidia", "capex_purchase", 10.0, confidence="low")],
        groups=[Group(id="hyperscalers-g", name="h", members="alphabet")],
    )


# ---- scenarios -----------------------------------------------------------------------------
def scenario_atlas(dependencies: list[Dependency] | None = None) -> Atlas:
    """Two foundries, two GPU designers and one cloud: one market link, one segment link, a
    capex flow that replaces a revenue share and an equity flow the network ignores."""
    when = date(2025, 12, 31)
    revenue = (("fab1", 100), ("fab2", 40), ("gpu1", 300), ("gpu2", 100), ("cloud1", 500))
    return atlas(
        layers({"chips": ["foundry", "design-gpu"], "cloud": ["hyperscalers"]}),
        [company(c, name=c.upper(), listed=True) for c, _ in revenue],
        [
            membership(c, s, w, "s", when)
            for c, s, w in (
                ("fab1", "foundry", 1.0),
                ("fab2", "foundry", 0.5),
                ("gpu1", "design-gpu", 1.0),
                ("gpu2", "design-gpu", 0.5),
                ("cloud1", "hyperscalers", 0.4),
            )
        ],
        sources=[source("s", "dataset")],
        markets=[Market(id="foundry", name="Foundry", segment="foundry", measure="revenue")],
        shares=[share("foundry", "fab1", 0.8, "s", when), share("foundry", "fab2", 0.2, "s", when)],
        figures=[
            *(
                figure(f"{c}-rev", c, "revenue", v, "2025", kind="actual", src="s")
                for c, v in revenue
            ),
            figure(
                "gm", "gpu1", "gross_margin", 60, "FY2025", unit="percent", kind="actual", src="s"
            ),
        ],
        flows=[
            flow("f1", "cloud1", "gpu1", "capex_purchase", 30, source="s", confidence="high"),
            flow("f2", "cloud1", "gpu2", "equity_investment", 99, source="s", confidence="high"),
        ],
        dependencies=dependencies or [],
        version="test",
    )


# ---- money analyses ------------------------------------------------------------------------
MONEY_SEGMENTS = {
    "energy": ["utilities"],
    "chips": ["design-gpu"],
    "cloud": ["hyperscalers"],
    "models": ["frontier-labs"],
    "applications": ["consumer-platforms"],
}


def money_atlas(
    *,
    figures: list[Figure] | None = None,
    memberships: list[Membership] | None = None,
    companies: list[Company] | None = None,
    groups: list[Group] | None = None,
) -> Atlas:
    """A chip designer, a cloud, a lab and a utility (only the first two file with the SEC)."""
    return atlas(
        layers(MONEY_SEGMENTS),
        companies
        or [company("chipco", 1), company("cloudco", 2), company("labco"), company("gridco")],
        memberships
        if memberships is not None
        else [
            membership("chipco", "design-gpu", 1.0),
            membership("cloudco", "hyperscalers", 0.4),
            membership("cloudco", "consumer-platforms", 0.5),
            membership("labco", "frontier-labs", 1.0),
            membership("gridco", "utilities", 1.0),
        ],
        groups=groups or [],
        figures=figures or [],
    )


def fundamentals_frame(rows: list[tuple]) -> pd.DataFrame:
    """company_metrics-shaped frame from (metric, fiscal_year, fiscal_period, start, end,
    value) tuples, all evidence ``reported``."""
    df = pd.DataFrame(
        rows, columns=["metric", "fiscal_year", "fiscal_period", "start", "end", "value"]
    )
    df["evidence"] = "reported"
    df["start"] = pd.to_datetime(df["start"]).dt.date
    df["end"] = pd.to_datetime(df["end"]).dt.date
    return df


def frames_resolver(
    atlas: Atlas, frames: dict, *, figures: bool = True, segments: dict | None = None
) -> Any:
    """A resolver whose SEC numbers are ``frames`` (company id -> fundamentals frame, or an
    ``(annual, quarterly)`` pair, or an exception), then the atlas figures, and whose segment
    facts are ``segments`` (company id -> SEGMENT_SCHEMA rows): the public seam the analyses
    take (``resolver=``) instead of reading companyfacts and filings."""
    from stackatlas.resolver import FrameProvider, Resolver
    from stackatlas.resolver.atlas_provider import AtlasFiguresProvider

    providers = [FrameProvider(frames, name="sec-test", label="test SEC frames", filing=True)]
    if figures:
        providers.append(AtlasFiguresProvider(atlas))
    held = segments or {}
    return Resolver(atlas, providers, segments=lambda company: held.get(company.id))


def use_frames(monkeypatch: Any, atlas: Atlas, frames: dict, *, figures: bool = True) -> None:
    """Make every default resolver (CLI, web) read ``frames`` (see ``frames_resolver``)."""
    monkeypatch.setattr(
        "stackatlas.resolver.resolver.default_providers",
        lambda a, store=None: frames_resolver(atlas, frames, figures=figures).providers,
    )
