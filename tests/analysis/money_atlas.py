"""A hand-built miniature atlas and metric frames for the money-analysis tests (H5a).

Not a test module: imported by test_profit_pools / test_capex / test_signals / test_audit.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Company, Figure, Group, Layer, Membership, Segment, Source

SEGMENTS = {
    "energy": ["utilities"],
    "chips": ["design-gpu"],
    "cloud": ["hyperscalers"],
    "models": ["frontier-labs"],
    "applications": ["consumer-platforms"],
}
D = date(2026, 3, 16)


def layers() -> list[Layer]:
    return [
        Layer(
            id=lid,
            name=lid.title(),
            order=i + 1,
            level=i + 1,
            level_name="lvl",
            risk="r",
            description="d",
            segments=[Segment(id=s, name=s, description=s) for s in segs],
        )
        for i, (lid, segs) in enumerate(SEGMENTS.items())
    ]


def company(cid: str, cik: int | None) -> Company:
    return Company(id=cid, name=cid.title(), cik=cik, country="US", listed=cik is not None)


def mini_atlas(
    *,
    figures: list[Figure] | None = None,
    memberships: list[Membership] | None = None,
    companies: list[Company] | None = None,
    groups: list[Group] | None = None,
) -> Atlas:
    src = Source(
        id="src", title="t", publisher="p", url="https://example.org", published=D, kind="article"
    )
    companies = companies or [
        company("chipco", 1),
        company("cloudco", 2),
        company("labco", None),
        company("gridco", None),
    ]
    memberships = (
        memberships
        if memberships is not None
        else [
            Membership(company="chipco", segment="design-gpu", weight=1.0, as_of=D, source="src"),
            Membership(
                company="cloudco", segment="hyperscalers", weight=0.4, as_of=D, source="src"
            ),
            Membership(
                company="cloudco", segment="consumer-platforms", weight=0.5, as_of=D, source="src"
            ),
            Membership(company="labco", segment="frontier-labs", weight=1.0, as_of=D, source="src"),
            Membership(company="gridco", segment="utilities", weight=1.0, as_of=D, source="src"),
        ]
    )
    return Atlas(
        layers=layers(),
        sources={"src": src},
        companies={c.id: c for c in companies},
        memberships=memberships,
        markets={},
        shares=[],
        groups={g.id: g for g in (groups or [])},
        flows=[],
        figures=figures or [],
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
        source="src",
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


def frames_resolver(atlas: Atlas, frames: dict, *, figures: bool = True):
    """A resolver whose SEC numbers are ``frames`` (company id -> fundamentals frame, or an
    ``(annual, quarterly)`` pair, or an exception), then the atlas figures: the public seam
    the analyses take instead of reading companyfacts."""
    from stackatlas.resolver import FrameProvider, Resolver
    from stackatlas.resolver.atlas_provider import AtlasFiguresProvider

    providers = [FrameProvider(frames, name="sec-test", label="test SEC frames", filing=True)]
    if figures:
        providers.append(AtlasFiguresProvider(atlas))
    return Resolver(atlas, providers)


def use_frames(monkeypatch, atlas: Atlas, frames: dict, *, figures: bool = True) -> None:
    """Make every default resolver (CLI, web) read ``frames`` (see ``frames_resolver``)."""
    monkeypatch.setattr(
        "stackatlas.resolver.resolver.default_providers",
        lambda a, store=None: frames_resolver(atlas, frames, figures=figures).providers,
    )
