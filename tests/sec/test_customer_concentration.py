"""Customer concentration (XBRL ConcentrationRiskPercentage1 on srt:MajorCustomersAxis) read
from the shared inline filings; values checked by hand against the documents."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stackatlas.sec.concentration import (
    COLUMNS,
    company_concentration,
    customer_concentration,
    filing_concentration,
)

NVDA_10K = "sec/filings/nvda-10-k-2025-02-26.html"
NVDA_10Q = "sec/filings/nvda-10-q-2025-08-27.html"


def _facts(rows: list[tuple[str, float]]) -> pd.DataFrame:
    """Minimal IXBRL_SCHEMA-shaped facts: (dimensions, value) of one annual period."""
    return pd.DataFrame(
        {
            "cik": 1,
            "accession": "a",
            "taxonomy": "us-gaap",
            "concept": "ConcentrationRiskPercentage1",
            "unit": "pure",
            "start": pd.Timestamp("2024-01-01").date(),
            "end": pd.Timestamp("2024-12-31").date(),
            "value": [v for _, v in rows],
            "dimensions": [d for d, _ in rows],
            "decimals": 2,
            "form": "10-K",
            "filed": None,
        }
    )


def test_labels_benchmarks_and_order() -> None:
    bench = "us-gaap:ConcentrationRiskByBenchmarkAxis="
    facts = _facts(
        [
            (
                f"srt:MajorCustomersAxis=crwv:MicrosoftMember;{bench}us-gaap:RevenueBenchmarkMember",
                0.62,
            ),
            (
                f"srt:MajorCustomersAxis=x:CustomerBMember;{bench}us-gaap:SalesRevenueNetMember",
                0.11,
            ),
            (
                f"srt:MajorCustomersAxis=x:CustomerAMember;{bench}us-gaap:AccountsReceivableMember",
                0.3,
            ),
            (f"srt:StatementGeographicalAxis=country:US;{bench}us-gaap:SalesRevenueNetMember", 0.5),
        ]
    )
    out = customer_concentration(facts)
    assert list(out.columns) == COLUMNS
    # geography-only concentration is not a customer; revenue rows come largest first
    assert out[["customer", "benchmark", "share"]].values.tolist() == [
        ["Customer A", "accounts_receivable", 0.3],
        ["Microsoft", "revenue", 0.62],
        ["Customer B", "revenue", 0.11],
    ]
    assert out["months"].tolist() == [12, 12, 12]
    assert customer_concentration(facts.iloc[3:]).empty


@pytest.mark.realdata
def test_nvidia_fy2025_direct_customers(shared_data: Path) -> None:
    """NVIDIA 10-K (filed 2025-02-26), note 'Concentration of Revenue': direct customers A 12%,
    B 11%, C 11% of FY2025 revenue (Compute & Networking); B 13% of FY2024; accounts
    receivable: two customers 17% and 16% (FY2025), 24% and 11% (FY2024)."""
    rows = filing_concentration(shared_data / NVDA_10K)
    revenue = rows[rows["benchmark"] == "revenue"]
    fy2025 = revenue[revenue["end"] == pd.Timestamp("2025-01-26").date()]
    assert fy2025[["customer", "share"]].values.tolist() == [
        ["Customer A", 0.12],
        ["Customer B", 0.11],
        ["Customer C", 0.11],
    ]
    assert set(fy2025["segment"]) == {"Compute And Networking"}
    fy2024 = revenue[revenue["end"] == pd.Timestamp("2024-01-28").date()]
    assert fy2024[["customer", "share"]].values.tolist() == [["Customer B", 0.13]]
    receivable = rows[rows["benchmark"] == "accounts_receivable"]
    assert sorted(receivable["share"]) == [0.11, 0.16, 0.17, 0.24]


@pytest.mark.realdata
def test_nvidia_q2_fy2026_quarter_and_half_year(shared_data: Path) -> None:
    """NVIDIA 10-Q (filed 2025-08-27): 'For the second quarter of fiscal year 2026, sales to one
    direct customer, Customer A, represented 23% of total revenue; and sales to a second direct
    customer, Customer B, represented 16%'; first half 20% and 15%."""
    rows = filing_concentration(shared_data / NVDA_10Q)
    q2 = rows[(rows["months"] == 3) & (rows["end"] == pd.Timestamp("2025-07-27").date())]
    named = q2[q2["customer"].str.startswith("Customer")]
    assert named[["customer", "share"]].values.tolist() == [
        ["Customer A", 0.23],
        ["Customer B", 0.16],
    ]
    half = rows[(rows["months"] == 6) & (rows["end"] == pd.Timestamp("2025-07-27").date())]
    half = half[half["benchmark"] == "revenue"]
    assert half.set_index("customer").loc[["Customer A", "Customer B"], "share"].tolist() == [
        0.20,
        0.15,
    ]


@pytest.mark.realdata
def test_company_concentration_from_the_sec_folder(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both NVIDIA filings, accessions resolved to the atlas sources; other filers in the folder
    tag no major customer (Alphabet, Meta, Salesforce tag only geographic concentration)."""
    from stackatlas.atlas import load_atlas

    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    atlas = load_atlas()
    rows = company_concentration(1045810, atlas)
    assert set(rows["accession"]) == {"0001045810-25-000023", "0001045810-25-000209"}
    assert rows.iloc[0]["end"] == pd.Timestamp("2025-07-27").date()  # newest first
    for cik in (1652044, 1326801, 1108524):
        assert company_concentration(cik, atlas).empty
    monkeypatch.delenv("STACKATLAS_SEC_DIR")
    monkeypatch.setenv("STACKATLAS_HOME", str(shared_data / "no-such-home"))
    assert company_concentration(1045810, atlas).empty


@pytest.mark.realdata
def test_company_profile_shows_the_concentration(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stackatlas.atlas import load_atlas
    from stackatlas.atlas.views import company_profile

    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    profile = company_profile(load_atlas(), "nvidia", network=False).to_dict()
    fy2025 = [
        (c["customer"], c["share"])
        for c in profile["customer_concentration"]
        if c["end"] == "2025-01-26" and c["benchmark"] == "revenue"
    ]
    assert fy2025 == [("Customer A", 0.12), ("Customer B", 0.11), ("Customer C", 0.11)]
    assert profile["upstream"] == [] and profile["downstream"] == []  # network=False
