"""Golden figures from the real companyfacts files in ../shared/data/sec (hand-checked).

NVIDIA and Alphabet figures: /work/shared/data/README.md "Figures checked by hand", read from
the FY2026 10-K (accession 0001045810-26-000021) and Alphabet's 2025 10-K.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stackatlas.errors import DataUnavailableError
from stackatlas.fundamentals import company_metrics, compute_metrics
from stackatlas.sec.companyfacts import read_companyfacts

pytestmark = pytest.mark.realdata

M = 1e6


def _facts(shared: Path, cik: int):
    return read_companyfacts(shared / "sec" / "companyfacts" / f"CIK{cik:010d}.json")


SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="module")
def nvidia():
    if not SHARED.is_dir():
        pytest.skip(f"real data folder {SHARED} is absent")
    facts = _facts(SHARED, 1045810)
    return {p: compute_metrics(facts, p) for p in ("annual", "quarterly", "ttm")}


def _row(df, metric, year, period="FY"):
    sub = df[(df.metric == metric) & (df.fiscal_year == year) & (df.fiscal_period == period)]
    assert len(sub) == 1, (metric, year, period, len(sub))
    return sub.iloc[0]


def test_nvidia_fy2026_golden(nvidia):
    annual = nvidia["annual"]
    expected = {
        "revenue": 215_938,
        "gross_profit": 153_463,
        "operating_income": 130_387,
        "operating_cash_flow": 102_718,
        "capex": 6_042,
        "free_cash_flow": 96_676,
    }
    for metric, value in expected.items():
        assert _row(annual, metric, 2026).value == pytest.approx(value * M), metric
    rev = _row(annual, "revenue", 2026)
    assert (str(rev.start), str(rev.end)) == ("2025-01-27", "2026-01-25")
    assert rev.accession == "0001045810-26-000021"
    assert rev.calendar_year == 2025
    capex = _row(annual, "capex", 2026)
    assert capex.concept == "PaymentsToAcquireProductiveAssets"
    assert capex.derivation == "fallback: PaymentsToAcquireProductiveAssets"
    fcf = _row(annual, "free_cash_flow", 2026)
    assert fcf.evidence == "derived" and fcf.derivation == "derived: operating_cash_flow - capex"


def test_nvidia_fy2025_is_the_prior_year_not_the_comparative_label(nvidia):
    # FY2025 revenue 130,497 appears in the FY2026 10-K with fy=2026; dates decide the label.
    rev = _row(nvidia["annual"], "revenue", 2025)
    assert rev.value == pytest.approx(130_497 * M)
    assert str(rev.end) == "2025-01-26"


def test_nvidia_old_capex_tag_used_only_where_new_tag_is_absent(nvidia):
    annual = nvidia["annual"]
    capex = annual[annual.metric == "capex"].set_index("fiscal_year")
    # FY2010-2012 only PaymentsToAcquirePropertyPlantAndEquipment exists (FY2012: 138.735 $M).
    assert capex.loc[2012, "concept"] == "PaymentsToAcquirePropertyPlantAndEquipment"
    assert capex.loc[2012, "value"] == pytest.approx(138.735 * M)
    assert (capex.loc[2022:, "concept"] == "PaymentsToAcquireProductiveAssets").all()


def test_nvidia_q4_fy2026_derived(nvidia):
    q = nvidia["quarterly"]
    q4 = _row(q, "revenue", 2026, "Q4")
    # 215,938 - 44,062 - 46,743 - 57,006 = 68,127
    assert q4.value == pytest.approx(68_127 * M)
    assert q4.evidence == "derived" and q4.derivation == "derived: FY - Q1 - Q2 - Q3"
    assert (str(q4.start), str(q4.end)) == ("2025-10-27", "2026-01-25")
    assert _row(q, "revenue", 2026, "Q1").value == pytest.approx(44_062 * M)
    # Q1 FY2027 (ended 2026-04-26) belongs to the fiscal year after FY2026
    assert _row(q, "revenue", 2027, "Q1").value == pytest.approx(81_615 * M)


def test_nvidia_capex_quarters_decumulated_and_sum_to_year(nvidia):
    q = nvidia["quarterly"]
    quarters = [_row(q, "capex", 2026, f"Q{k}") for k in range(1, 5)]
    assert quarters[1].derivation.startswith("derived: 6M YTD - Q1")
    assert sum(r.value for r in quarters) == pytest.approx(6_042 * M)


def test_nvidia_ttm_at_year_end_equals_fiscal_year(nvidia):
    ttm = nvidia["ttm"]
    row = ttm[(ttm.metric == "revenue") & (ttm.end.astype(str) == "2026-01-25")].iloc[0]
    assert row.value == pytest.approx(215_938 * M)
    latest = ttm[(ttm.metric == "revenue")].iloc[-1]
    # Q2 FY2026..Q1 FY2027: 46,743 + 57,006 + 68,127 + 81,615
    assert latest.value == pytest.approx((46_743 + 57_006 + 68_127 + 81_615) * M)


def test_alphabet_2025_golden(shared_data):
    annual = compute_metrics(_facts(shared_data, 1652044), "annual")
    expected = {
        "revenue": 402_836,
        "capex": 91_447,
        "operating_cash_flow": 164_713,
        "operating_income": 129_039,
    }
    for metric, value in expected.items():
        assert _row(annual, metric, 2025).value == pytest.approx(value * M), metric


def test_microsoft_trimmed_fy2025(shared_data):
    # CIK0000789019.json, FY ended 2025-06-30 (10-K): RevenueFromContract... 281,724 $M,
    # PaymentsToAcquirePropertyPlantAndEquipment 64,551 $M, OperatingIncomeLoss 128,528 $M.
    annual = compute_metrics(_facts(shared_data, 789019), "annual")
    assert _row(annual, "revenue", 2025).value == pytest.approx(281_724 * M)
    assert _row(annual, "capex", 2025).value == pytest.approx(64_551 * M)
    assert _row(annual, "operating_income", 2025).value == pytest.approx(128_528 * M)
    assert str(_row(annual, "revenue", 2025).start) == "2024-07-01"  # June year-end


def test_meta_trimmed_2025(shared_data):
    # CIK0001326801.json, calendar 2025: revenue 200,966 $M, capex 69,691 $M, OCF 115,800 $M.
    annual = compute_metrics(_facts(shared_data, 1326801), "annual")
    assert _row(annual, "revenue", 2025).value == pytest.approx(200_966 * M)
    assert _row(annual, "capex", 2025).value == pytest.approx(69_691 * M)
    assert _row(annual, "operating_cash_flow", 2025).value == pytest.approx(115_800 * M)


def test_snowflake_january_year_end(shared_data):
    # Snowflake fiscal 2025 ended 2025-01-31: revenue 3,626.396 $M (raw JSON, 10-K).
    annual = compute_metrics(_facts(shared_data, 1640147), "annual")
    row = _row(annual, "revenue", 2025)
    assert row.value == pytest.approx(3_626.396 * M)
    assert str(row.end) == "2025-01-31"


def test_company_metrics_reads_sec_dir(shared_data, monkeypatch):
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    df = company_metrics(1045810, "annual", ["revenue"])
    assert _row(df, "revenue", 2026).value == pytest.approx(215_938 * M)
    with pytest.raises(DataUnavailableError):
        company_metrics(1, "annual")


def test_nvidia_def14a_carried_net_income(nvidia):
    # NetIncomeLoss FY2026 = 120,067 $M in the 10-K (0001045810-26-000021) and again in the
    # 2026 proxy statement (DEF 14A, filed 2026-05-12): the later filing is the one cited.
    row = _row(nvidia["annual"], "net_income", 2026)
    assert row.value == pytest.approx(120_067 * M)
    assert row.form == "DEF 14A" and str(row.filed) == "2026-05-12"


def test_tsmc_ttm_is_balances_with_a_reason(shared_data: Path) -> None:
    """Regression (issue 11): TTM on TSMC's IFRS file raised TypeError in fx.py. A 20-F filer
    has no quarterly flows, so TTM holds balances only, and the note says why."""
    from stackatlas.fundamentals import compute_metrics
    from stackatlas.fundamentals.metrics import quarterly_gap_note
    from stackatlas.sec.companyfacts import read_companyfacts

    facts = read_companyfacts(shared_data / "sec" / "companyfacts" / "CIK0001046179.json")
    frame = compute_metrics(facts, "ttm")
    assert set(frame["metric"]) == {"cash", "total_assets", "shares_outstanding"}
    unavailable = frame[frame["value"].isna()]
    assert not unavailable["derivation"].str.contains("nan").any()
    note = quarterly_gap_note(frame, "ttm")
    assert note is not None and "--period annual" in note
    annual = compute_metrics(facts, "annual")
    assert quarterly_gap_note(annual, "annual") is None
    rev = annual[(annual["metric"] == "revenue") & (annual["fiscal_year"] == 2023)]
    # TSMC's 2023 20-F (0001193125-24-099840) gives its own USD figure, US$70,598.8M (NT$2,161.7
    # bn at 30.62 NT$/US$), preferred over NT$ x the G.5A 2023 average (which gave $69.39 bn)
    assert rev["value"].iloc[0] == pytest.approx(70_598.8e6)
    assert "convenience translation in filing 0001193125-24-099840" in rev["derivation"].iloc[0]
