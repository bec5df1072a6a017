"""ETF look-through: iShares export parser, plain (ticker, weight) files, expansion."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import ValidationError
from stackatlas.portfolio.etf import (
    fund_from_filename,
    parse_etf_arg,
    read_fund_holdings,
    shipped_funds,
)
from stackatlas.portfolio.exposure import layer_exposure
from stackatlas.portfolio.holdings import Holding
from stackatlas.portfolio.resolve import build_positions, resolve_holdings


def test_ishares_fixture(fixtures: Path) -> None:
    fund = read_fund_holdings(fixtures / "portfolio" / "ishares_fund.csv", "EXMP")
    assert fund.name == "Example Semiconductor ETF"
    assert fund.as_of == date(2026, 3, 16)
    assert [c.ticker for c in fund.constituents] == ["NVDA", "TSM", "ZZZZ"]
    assert [c.weight for c in fund.constituents] == pytest.approx([0.50, 0.30, 0.18])
    assert fund.cash_weight == pytest.approx(0.02)  # money market 1.50% + cash 0.50% + futures 0


def test_plain_fund_file_and_name_inference(write_csv) -> None:
    path = write_csv("ticker,weight\nNVDA,0.6\nASML,0.3\n", name="my_AIQQ_holdings.csv")
    fund = parse_etf_arg(str(path), {"AIQQ", "NVDA"})
    assert fund.fund == "AIQQ"
    assert fund.covered_weight == pytest.approx(0.9)
    assert parse_etf_arg(f"SOXX={path}", set()).fund == "SOXX"
    assert fund_from_filename(Path("etf_holdings_SOXX_asof2026-08-03.csv")) == "SOXX"
    with pytest.raises(ValidationError, match="TICKER=FILE"):
        parse_etf_arg(str(path), {"QQQ"})


def test_fund_file_errors(write_csv) -> None:
    with pytest.raises(ValidationError) as info:
        read_fund_holdings(write_csv("ticker,weight\nNVDA,abc\nTSM,-1\n"), "X")
    assert [(p.line, p.column) for p in info.value.problems] == [(2, "weight"), (3, "weight")]
    with pytest.raises(ValidationError, match="weight column"):
        read_fund_holdings(write_csv("ticker,shares\nNVDA,1\n"), "X")


def test_look_through_exposure(atlas: Atlas, fixtures: Path) -> None:
    # 50% in the fund, 50% in CEG. Fund: NVDA 50%, TSM 30%, ZZZZ 18% (unknown), cash 2%.
    fund = read_fund_holdings(fixtures / "portfolio" / "ishares_fund.csv", "EXMP")
    holdings = [Holding(2, "EXMP", 0.5), Holding(3, "CEG", 0.5)]
    res = resolve_holdings(atlas, holdings, {"EXMP"})
    positions, unknown = build_positions(atlas, res, {2: 0.5, 3: 0.5}, {"EXMP": fund})
    assert [u.ticker for u in unknown] == ["ZZZZ"]
    layers = layer_exposure(atlas, positions).set_index("layer")["exposure"]
    # chips = 0.5 * (0.5 * 0.9 + 0.3 * 1.0) = 0.375; energy = 0.5 * 0.8 = 0.4
    assert layers["chips"] == pytest.approx(0.375)
    assert layers["energy"] == pytest.approx(0.4)
    assert layers["unmapped"] == pytest.approx(0.5 * 0.18)
    assert layers["cash"] == pytest.approx(0.5 * 0.02)
    # unclassified: 0.5*0.5*0.1 (nvidia) + 0.5*0.2 (ceg)
    assert layers["unclassified"] == pytest.approx(0.025 + 0.1)
    assert layers.sum() == pytest.approx(1.0)


def test_shipped_fund_files_need_date_and_source(tmp_path: Path) -> None:
    assert shipped_funds() == {}  # none shipped: no exactly sourced holdings list available
    (tmp_path / "X.yaml").write_text("fund: X\nholdings: [{ticker: NVDA, weight: 0.1}]\n")
    with pytest.raises(ValidationError, match=r"as_of, source\.title"):
        shipped_funds(tmp_path)
    (tmp_path / "X.yaml").write_text(
        "fund: X\nas_of: 2026-01-02\nsource: {title: t, publisher: p, url: 'https://x.org'}\n"
        "coverage: top 1 only\nholdings: [{ticker: NVDA, weight: 0.1}]\n"
    )
    fund = shipped_funds(tmp_path)["X"]
    assert fund.as_of == date(2026, 1, 2) and fund.covered_weight == pytest.approx(0.1)


@pytest.mark.realdata
def test_real_soxx_export(shared_data: Path) -> None:
    path = shared_data / "etf" / "etf_holdings_SOXX_asof2026-08-03.csv"
    fund = read_fund_holdings(path)
    # independent read with the csv module: rows whose Asset Class is Equity
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if len(r) > 5]
    equity = {r[0]: float(r[5]) / 100 for r in rows if r[3] == "Equity"}
    other = sum(float(r[5]) for r in rows[1:] if r[3] != "Equity") / 100
    assert fund.fund == "SOXX"
    assert fund.as_of == date(2026, 8, 3)
    assert fund.name == "iShares Semiconductor ETF"
    assert len(fund.constituents) == len(equity) == 30
    assert {c.ticker: c.weight for c in fund.constituents} == pytest.approx(equity)
    assert fund.constituents[0].ticker == "NVDA"
    assert fund.constituents[0].weight == pytest.approx(0.0887)
    assert fund.cash_weight == pytest.approx(other) == pytest.approx(0.0015)
