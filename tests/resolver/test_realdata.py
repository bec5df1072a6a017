"""The resolver on the shared SEC files: companyfacts, then the 10-K documents themselves."""

from __future__ import annotations

import pytest

from stackatlas.atlas import load_atlas
from stackatlas.evidence import Evidence
from stackatlas.resolver import Resolver

pytestmark = pytest.mark.realdata
M = 1e6


@pytest.fixture
def resolver(shared_data, monkeypatch) -> Resolver:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    return Resolver(load_atlas())


def test_amazon_comes_from_its_10k_document(resolver: Resolver) -> None:
    # amzn-10-k-2025-02-07.html (no Amazon companyfacts are shared): FY2024 = CY2024
    expected = {
        "revenue": 637_959,  # total net sales
        "operating_income": 68_593,
        "capex": 82_999,  # purchases of property and equipment
        "operating_cash_flow": 115_877,
    }
    for metric, value in expected.items():
        r = resolver.resolve("amazon", metric, "CY2024")
        assert r.value == pytest.approx(value * M), metric
        assert r.source == "sec-filing" and r.evidence == Evidence.REPORTED
        assert r.reference == "0001018724-25-000004"  # the atlas source's accession
    fcf = resolver.resolve("amazon", "free_cash_flow", "CY2024")
    assert fcf.value == pytest.approx((115_877 - 82_999) * M) and fcf.rule == "OCF - capex"
    # FY2021 and FY2020 come from the 2022 XBRL instance (amzn-20221231_htm.xml)
    assert resolver.resolve("amazon", "revenue", "FY2020").value == pytest.approx(386_064 * M)
    # nothing shared covers 2025 yet: unresolved, never zero
    assert resolver.resolve("amazon", "capex", "CY2025").value is None


def test_salesforce_and_snowflake_years_agree(resolver: Resolver) -> None:
    # both fiscal years end 2025-01-31 and both belong to CY2024; Salesforce from its 10-K
    # document (crm-10-k-2025-03-05.html), Snowflake from companyfacts
    crm = resolver.resolve("salesforce", "revenue", "CY2024")
    snow = resolver.resolve("snowflake", "revenue", "CY2024")
    assert crm.value == pytest.approx(37_895 * M) and crm.source == "sec-filing"
    assert snow.value == pytest.approx(3_626.396 * M) and snow.source == "sec-companyfacts"
    for r in (crm, snow):
        assert "FY2025 (2024-02-01..2025-01-31) is CY2024" in r.basis
    assert resolver.resolve("salesforce", "revenue", "CY2025").value is None
    assert resolver.resolve("salesforce", "revenue", "FY2025").value == pytest.approx(37_895 * M)


def test_nvidia_golden_values_and_a_late_january_year(resolver: Resolver) -> None:
    # data README: NVIDIA FY2026 (ended 2026-01-25) revenue 215,938; OCF 102,718; capex 6,042
    rev = resolver.resolve("nvidia", "revenue", "CY2025")
    assert rev.value == pytest.approx(215_938 * M) and rev.source == "sec-companyfacts"
    assert rev.rule == "as filed" and "FY2026 (2025-01-27..2026-01-25) is CY2025" in rev.basis
    fcf = resolver.resolve("nvidia", "free_cash_flow", "CY2025")
    assert fcf.value == pytest.approx((102_718 - 6_042) * M)
    assert resolver.resolve("nvidia", "revenue", "Q4 FY2026").value == pytest.approx(68_127 * M)


def test_an_atlas_figure_fills_a_year_no_filing_covers(resolver: Resolver) -> None:
    # TSMC's companyfacts stop at 2024; its 2025 sales come from the article (an estimate)
    tsmc = resolver.resolve("tsmc", "revenue", "CY2025")
    assert tsmc.value == pytest.approx(122.5e9)
    assert tsmc.source == "atlas" and tsmc.evidence == Evidence.ESTIMATED
    # the audit's view never sees atlas figures
    assert resolver.filings_only().resolve("tsmc", "revenue", "CY2025").value is None
