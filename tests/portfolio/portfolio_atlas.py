"""A hand-built miniature atlas for the portfolio tests (H7). Not a test module.

Companies, tickers, memberships, market shares and dependencies are invented round numbers
so every expected value in the tests can be computed by hand.
"""

from __future__ import annotations

from datetime import date

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import (
    Company,
    Dependency,
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
SEGMENTS = {
    "energy": ["ipp"],
    "chips": ["design-gpu", "foundry", "equipment"],
    "cloud": ["hyperscalers"],
    "models": ["frontier-labs"],
    "applications": ["enterprise-software"],
}
LEVEL_NAMES = ["newbie level", "boss fight", "multiplayer server", "PvP arena", "open world"]


def _company(
    cid: str, name: str, ticker: str | None, other: str = "", listed: bool = True, aliases: str = ""
) -> Company:
    return Company(
        id=cid,
        name=name,
        ticker=ticker,
        other_tickers=other,
        country="US",
        listed=listed,
        aliases=aliases,
    )


def _m(company: str, segment: str, weight: float) -> Membership:
    return Membership(company=company, segment=segment, weight=weight, as_of=D, source="src")


def build_atlas() -> Atlas:
    layers = [
        Layer(
            id=lid,
            name=lid.title(),
            order=i + 1,
            level=i + 1,
            level_name=LEVEL_NAMES[i],
            risk=f"risk of {lid}",
            description=lid,
            segments=[Segment(id=s, name=s, description=s) for s in segs],
        )
        for i, (lid, segs) in enumerate(SEGMENTS.items())
    ]
    companies = [
        _company("nvidia", "NVIDIA", "NVDA"),
        _company("tsmc", "TSMC", "TSM", "2330.TW", aliases="Taiwan Semiconductor Manufacturing"),
        _company("asml", "ASML", "ASML", "ASML.AS"),
        _company("alphabet", "Alphabet", "GOOGL", "GOOG"),
        _company("microsoft", "Microsoft", "MSFT"),
        _company("constellation", "Constellation Energy", "CEG"),
        _company("berkshire", "Berkshire Hathaway", "BRK.B", "BRK.A"),
        _company("openai", "OpenAI", None, listed=False),
    ]
    memberships = [
        _m("nvidia", "design-gpu", 0.9),
        _m("tsmc", "foundry", 1.0),
        _m("asml", "equipment", 1.0),
        _m("alphabet", "hyperscalers", 0.15),
        _m("alphabet", "frontier-labs", 0.05),
        _m("alphabet", "enterprise-software", 0.6),
        _m("microsoft", "hyperscalers", 0.4),
        _m("microsoft", "enterprise-software", 0.5),
        _m("constellation", "ipp", 0.8),
        _m("openai", "frontier-labs", 1.0),
    ]
    markets = {
        m: Market(id=m, name=m, segment=seg, measure="revenue")
        for m, seg in [
            ("foundry", "foundry"),
            ("ai-accelerators", "design-gpu"),
            ("euv-lithography", "equipment"),
        ]
    }
    shares = [
        Share(market="foundry", company="tsmc", share=0.7, as_of=D, source="src"),
        Share(market="ai-accelerators", company="nvidia", share=0.8, as_of=D, source="src"),
        Share(market="euv-lithography", company="asml", share=1.0, as_of=D, source="src"),
    ]
    deps = [
        Dependency(
            supplier="tsmc", customer="nvidia", input_share=0.9, revenue_share=0.2, source="src"
        ),
        Dependency(
            supplier="asml", customer="tsmc", input_share=0.8, revenue_share=0.3, source="src"
        ),
        Dependency(
            supplier="nvidia",
            customer="microsoft",
            input_share=0.6,
            revenue_share=0.2,
            source="src",
        ),
    ]
    flows = [
        Flow(
            id="f1",
            source_node="hyperscalers-g",
            target_node="nvidia",
            kind="capex_purchase",
            amount=10.0,
            period="2025",
            source="src",
            confidence="low",
        )
    ]
    groups = {"hyperscalers-g": Group(id="hyperscalers-g", name="h", members="alphabet")}
    src = Source(
        id="src", title="t", publisher="p", url="https://example.org", published=D, kind="article"
    )
    return Atlas(
        layers=layers,
        sources={"src": src},
        companies={c.id: c for c in companies},
        memberships=memberships,
        markets=markets,
        shares=shares,
        groups=groups,
        flows=flows,
        figures=[],
        dependencies=deps,
    )
