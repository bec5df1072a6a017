"""Pages and API over the real SEC companyfacts in ../shared/data (golden values from its
README, checked there by hand against the filings)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stackatlas.web.app import create_app

from .test_pages import chart_blocks

pytestmark = pytest.mark.realdata


@pytest.fixture
def sec_client(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    with TestClient(create_app(store_path=tmp_path / "absent.duckdb")) as c:
        yield c


def test_capex_alphabet_2025_from_the_filing(sec_client: TestClient) -> None:
    rows = sec_client.get("/api/capex").json()["rows"]
    row = next(r for r in rows if r["entity"] == "alphabet" and r["period"] == "2025")
    # Alphabet 2025 10-K: capex 91,447 $M, operating cash flow 164,713 $M
    assert row["capex"] == pytest.approx(91.447)
    assert row["operating_cash_flow"] == pytest.approx(164.713)
    assert row["capex_to_ocf"] == pytest.approx(91.447 / 164.713)


def test_company_page_fundamentals_chart(sec_client: TestClient) -> None:
    html = sec_client.get("/companies/nvidia").text
    fig = chart_blocks(html)["fig-fundamentals"]
    revenue = next(t for t in fig["data"] if t["name"] == "Revenue")
    by_year = dict(zip(revenue["x"], revenue["y"], strict=True))
    # NVIDIA FY2026 10-K: revenue 215,938 $M; FY2025 130,497 $M
    assert by_year["FY2026"] == pytest.approx(215.938)
    assert by_year["FY2025"] == pytest.approx(130.497)
    assert "0001045810-26-000021" in html  # the accession behind the values


def test_audit_matches_the_nvidia_claim(sec_client: TestClient) -> None:
    rows = sec_client.get("/api/audit").json()["figures"]
    row = next(r for r in rows if r["figure"] == "nvda-fy2026-revenue")
    # article: $215.9B; filing 215,938 $M -> a match within rounding
    assert row["status"] == "match" and row["computed"] == pytest.approx(215.938)


@pytest.mark.parametrize(
    ("path", "n"), [("/pools", 2), ("/capex", 1), ("/signals", 1), ("/audit", 1)]
)
def test_sec_pages_draw_charts(sec_client: TestClient, path: str, n: int) -> None:
    charts = chart_blocks(sec_client.get(path).text)
    assert len(charts) == n and all(fig["data"] for fig in charts.values())


def test_portfolio_with_price_folder(shared_data: Path, tmp_path: Path) -> None:
    app = create_app(
        store_path=tmp_path / "absent.duckdb", prices_dir=shared_data / "prices" / "recent"
    )
    examples = Path(__file__).resolve().parents[2] / "examples" / "portfolio.csv"
    with TestClient(app) as c:
        r = c.post("/api/portfolio", files={"file": ("p.csv", examples.read_bytes())})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["amount_kind"] == "shares"
    assert sum(h["weight"] or 0 for h in body["holdings"]) == pytest.approx(1.0)
    assert body["risk"] is not None and body["risk"]["stats"]


def test_company_page_reads_amazons_10k_without_companyfacts(sec_client: TestClient) -> None:
    """Amazon has no shared companyfacts: its page shows the 10-K document's values (the same
    resolver as pools, capex and audit), e.g. FY2024 capex 82,999 $M."""
    html = sec_client.get("/companies/amazon").text
    assert "Fundamentals unavailable" not in html
    assert "0001018724-25-000004" in html and "83.00" in html


def test_coverage_api_and_page(sec_client: TestClient) -> None:
    doc = sec_client.get("/api/coverage", params={"layer": "chips", "year": "2024"}).json()
    tsmc = next(c for c in doc["companies"] if c["company"] == "tsmc")
    revenue = next(c for c in tsmc["cells"] if c["metric"] == "revenue")
    # TSMC 20-F 2024: revenue US$88,268.0M (the filer's convenience translation)
    assert revenue["value"] == pytest.approx(88_268.0e6) and revenue["evidence"] == "reported"
    samsung = next(c for c in doc["companies"] if c["company"] == "samsung")
    assert samsung["cells"][0]["reason"] == "not an SEC filer"
    html = sec_client.get("/coverage").text
    assert "Why values are missing" in html and "coverage CY2025 (revenue): energy 0/20" in html
