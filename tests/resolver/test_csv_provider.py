"""A user's CSV of figures: format, located errors, the user's source on every number."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackatlas.atlas import load_atlas
from stackatlas.errors import ValidationError
from stackatlas.evidence import Evidence
from stackatlas.resolver import FrameProvider, Resolver
from stackatlas.resolver.atlas_provider import AtlasFiguresProvider
from stackatlas.resolver.csv_provider import FiguresCsvProvider
from stackatlas.resolver.registry import build
from tests.builders import fundamentals_frame

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "figures.csv"
KRW_2023 = 1306.7637  # KRW per USD, Federal Reserve G.5A 2023 annual average


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def test_the_example_file_resolves_a_company_no_provider_covers(atlas):
    resolver = Resolver(atlas, [FiguresCsvProvider(EXAMPLE, atlas), AtlasFiguresProvider(atlas)])
    rev = resolver.resolve("samsung", "revenue", "CY2023")
    # Samsung FY2023 revenue KRW 258.9355 trillion (its results release of 2024-01-31)
    assert rev.value == pytest.approx(258.9355e12 / KRW_2023, rel=1e-7)
    assert rev.source == "user-csv" and rev.evidence is Evidence.DERIVED
    fiscal = resolver.company("samsung").fiscal
    row = fiscal[(fiscal.metric == "revenue") & (fiscal.fiscal_year == 2023)].iloc[0]
    assert row["basis"].startswith(
        "reported — Samsung Electronics FY2023 results (2024-01-31) "
        "<https://www.e4ds.com/sub_view.asp?ch=2&t=0&idx=18350> (user figures, not an SEC filing)"
    )
    assert row["reference"] == "figures.csv:4"
    # no KRW 2024 rate: unresolved with the reason, never converted at a guessed rate
    assert "no FX rate for KRW 2024" in resolver.resolve("sk-hynix", "revenue", "CY2024").basis


def test_usd_figures_keep_the_users_evidence(atlas, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "company,metric,period,value,currency,source,evidence,start,end\n"
        "Tokyo Electron,revenue,FY2024,1,USD,my notes,estimated,2024-04-01,2025-03-31\n",
        encoding="utf-8",
    )
    got = Resolver(atlas, [FiguresCsvProvider(path, atlas)]).company("tokyo-electron").fiscal
    assert got.iloc[0]["evidence"] == Evidence.ESTIMATED and got.iloc[0]["value"] == 1.0
    assert got.iloc[0]["basis"] == "estimated — my notes (user figures, not an SEC filing)"


def test_every_problem_is_located(atlas, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "company,metric,period,value,currency,source,scale\n"
        "nobody-inc,revenue,FY2024,1,USD,x,\n"
        "samsung,sales,2024,1,USD,x,\n"
        "samsung,revenue,H1 2024,1e,KRW,x,lots\n"
        "samsung,revenue,Q3 FY2024,1,US,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        FiguresCsvProvider(path, atlas).rows()
    text = str(info.value)
    assert f"{path}:2 [company]: no company matches 'nobody-inc'" in text
    assert f"{path}:3 [metric]: unknown metric 'sales'" in text
    assert f"{path}:4 [scale]: unknown scale 'lots'" in text
    assert f"{path}:4 [value]: not a number: '1e'" in text
    assert f"{path}:4 [period]: period 'H1 2024' not understood" in text
    assert f"{path}:5 [source]: required" in text


def test_a_filing_wins_for_the_same_metric_and_period(atlas):
    filed = fundamentals_frame([("revenue", 2023, "FY", "2023-01-01", "2023-12-31", 5.0)])
    sec = FrameProvider({"samsung": filed}, name="sec-test", filing=True)
    resolver = Resolver(atlas, [sec, FiguresCsvProvider(EXAMPLE, atlas)])
    assert resolver.resolve("samsung", "revenue", "CY2023").value == 5.0
    oi = resolver.resolve("samsung", "operating_income", "CY2023")  # the user's, not deferred
    assert oi.source == "user-csv"


def test_specs_build_the_providers(atlas, monkeypatch):
    names = [p.name for p in build(atlas, ["yahoo", f"csv:{EXAMPLE}"])]
    assert names == ["yahoo", "user-csv"]
    assert build(atlas, ["yahoo", "none"]) == []
    monkeypatch.setenv("STACKATLAS_PROVIDERS", "yahoo")
    assert [p.name for p in build(atlas)] == ["yahoo"]
    with pytest.raises(ValidationError, match="no such file"):
        build(atlas, ["csv:/nonexistent/figures.csv"])


def test_coverage_cites_the_users_source(atlas):
    from stackatlas.analysis.coverage_result import coverage

    resolver = Resolver(atlas, [FiguresCsvProvider(EXAMPLE, atlas), AtlasFiguresProvider(atlas)])
    cov = coverage(atlas, years=[2023], layer="chips", resolver=resolver)
    got = cov.cells.set_index(["company", "metric"]).loc[("samsung", "revenue")]
    assert got["source_label"] == "user figures CSV" and got["reference"] == "figures.csv:4"
    assert got["basis"].startswith("FY2023 (2023-01-01..2023-12-31) is CY2023")
