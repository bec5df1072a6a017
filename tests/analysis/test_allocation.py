"""Segment-true allocation: reported segment figures first, estimates only otherwise."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from stackatlas.analysis.allocation import SegmentFacts, allocate
from stackatlas.evidence import Evidence
from stackatlas.sec.segments import member_label

B = 1e9
M = 1e6
LAYER_OF = {"hyperscalers": "cloud", "consumer-platforms": "applications"}


def _segment_rows() -> pd.DataFrame:
    """Amazon-like segment facts ($M, FY2024 10-K): AWS and the two retail segments."""
    rows = []
    for member, rev, oi in [
        ("amzn:AmazonWebServicesSegmentMember", 107_556, 39_834),
        ("amzn:NorthAmericaSegmentMember", 387_497, 24_967),
        ("amzn:InternationalSegmentMember", 142_906, 3_792),
    ]:
        for metric, value, total in (("revenue", rev, 637_959), ("operating_income", oi, 68_593)):
            rows.append(
                {
                    "cik": 1,
                    "accession": "acc-1",
                    "form": "10-K",
                    "filed": date(2025, 2, 7),
                    "metric": metric,
                    "concept": "x",
                    "axis": "segment",
                    "member": member,
                    "label": member_label(member),
                    "fiscal_year": 2024,
                    "fiscal_period": "FY",
                    "start": date(2024, 1, 1),
                    "end": date(2024, 12, 31),
                    "months": 12,
                    "value": value * M,
                    "total": total * M,
                    "share": value / total,
                    "decimals": -6,
                }
            )
    return pd.DataFrame(rows)


def _metrics(periods=("2024",)) -> pd.DataFrame:
    rows = []
    for p in periods:
        for metric, value in [
            ("revenue", 637_959),
            ("operating_income", 68_593),
            ("capex", 82_999),
        ]:
            rows.append(("amzn", metric, p, value * M, "reported", int(p)))
    return pd.DataFrame(
        rows, columns=["company_id", "metric", "period", "value", "evidence", "calendar_year"]
    )


class _Segments:
    """The resolver's segment seam, nothing else."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self.rows = rows
        self.atlas = type("A", (), {"companies": {"amzn": None}})()

    def segments(self, cid: str) -> pd.DataFrame:
        return self.rows


def _memberships() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("amzn", "hyperscalers", 0.1686, "actual", date(2024, 12, 31), None),
            ("amzn", "consumer-platforms", 0.8314, "actual", date(2024, 12, 31), None),
        ],
        columns=["company", "segment", "weight", "basis", "as_of", "period"],
    )


def test_reported_segment_figures_replace_the_weight() -> None:
    alloc = allocate(
        _metrics(), _memberships(), LAYER_OF, resolver=_Segments(_segment_rows())
    ).set_index(["group", "metric"])
    # AWS reported operating income 39,834 $M; the weight would have given 0.1686 x 68,593
    # = 11,565 $M (the "11.6 by weight vs 39.8 reported")
    oi = alloc.loc[("cloud", "operating_income")]
    assert oi["allocated"] == pytest.approx(39_834 * M)
    assert oi["alloc_evidence"] == Evidence.REPORTED and oi["rule"] == "segment reported"
    assert "Amazon Web Services segment" in oi["basis"] and "acc-1" in oi["basis"]
    # the two retail segments summed: 24,967 + 3,792 = 28,759, a derived figure
    retail = alloc.loc[("applications", "operating_income")]
    assert retail["allocated"] == pytest.approx(28_759 * M)
    assert retail["alloc_evidence"] == Evidence.DERIVED
    # capex has no segment figure: AWS's revenue share 107,556 / 637,959 = 16.86% x 82,999
    capex = alloc.loc[("cloud", "capex")]
    assert capex["allocated"] == pytest.approx(82_999 * M * 107_556 / 637_959)
    assert capex["alloc_evidence"] == Evidence.ESTIMATED and capex["rule"] == "segment share"


def test_a_year_without_segment_figures_uses_the_nearest_share_and_margin() -> None:
    alloc = allocate(
        _metrics(("2025",)), _memberships(), LAYER_OF, resolver=_Segments(_segment_rows())
    ).set_index(["group", "metric"])
    rev = alloc.loc[("cloud", "revenue")]
    assert rev["allocated"] == pytest.approx(637_959 * M * 107_556 / 637_959)
    assert rev["rule"] == "nearest segment share" and rev["alloc_evidence"] == "estimated"
    assert "FY2024" in rev["basis"] and "applied to 2025" in rev["basis"]
    # operating income: that revenue x AWS's own 2024 margin 39,834 / 107,556 = 37.0%
    oi = alloc.loc[("cloud", "operating_income")]
    assert oi["allocated"] == pytest.approx(107_556 * M * 39_834 / 107_556)
    assert oi["rule"] == "nearest segment margin"


def test_without_segment_facts_the_weight_allocates_as_an_estimate() -> None:
    alloc = allocate(_metrics(), _memberships(), LAYER_OF).set_index(["group", "metric"])
    oi = alloc.loc[("cloud", "operating_income")]
    assert oi["allocated"] == pytest.approx(0.1686 * 68_593 * M)
    assert oi["rule"] == "atlas weight" and oi["alloc_evidence"] == Evidence.ESTIMATED
    assert "the year to 2024-12-31" in oi["basis"]


def test_segment_facts_partial_years_and_unknown_members() -> None:
    rows = _segment_rows()
    assert SegmentFacts(rows, "design-gpu").members == []
    facts = SegmentFacts(rows, "hyperscalers")
    assert facts.members == ["AmazonWebServicesSegmentMember"]
    assert set(facts.shares) == {2024}
    share = facts.nearest_share(2026)
    assert share is not None and share.share == pytest.approx(107_556 / 637_959)
    assert share.margin == pytest.approx(39_834 / 107_556)
