"""Broker exports read as they come: presets, skipped rows with reasons, q x p, funds, FX.

The fixtures in tests/fixtures/portfolio/brokers are hand-written in each broker's layout
(column names and row kinds as the brokers' CSV downloads have them; amounts made up but
consistent: value = quantity x price on every row).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stackatlas.errors import ValidationError
from stackatlas.portfolio.holdings import ReadOptions, holding_values, read_holdings
from stackatlas.portfolio.report import analyze_portfolio

BROKERS = Path(__file__).resolve().parents[1] / "fixtures" / "portfolio" / "brokers"


def _rows(name: str, **options: object) -> list[tuple[int, str, float, str | None]]:
    hf = read_holdings(BROKERS / name, options=ReadOptions(**options))  # type: ignore[arg-type]
    return [(h.line, h.ticker, round(h.amount, 4), h.account) for h in hf.holdings]


def test_fidelity_export_skips_non_positions_and_values_the_blank_row() -> None:
    hf = read_holdings(BROKERS / "fidelity_positions.csv")
    assert hf.preset == "fidelity" and hf.kind == "market_value"
    assert [(h.line, h.ticker, round(h.amount, 2)) for h in hf.holdings] == [
        (4, "SPAXX", 2500.0),  # core money market, counted as cash
        (5, "NVDA", 8777.6),
        (6, "TSM", 12136.2),
        (7, "MSFT", 6189.9),  # blank Current Value: 15 x $412.66
        (8, "CEG", 5600.0),
        (9, "SMH", 7500.0),
    ]
    assert hf.holdings[0].is_cash
    assert hf.skipped == [
        (10, "pending activity (cash in transit, not a position)"),
        (11, "total row 'Account Total'"),
        (14, "text row 'The data and information in this sp...'"),
        (15, "text row 'Brokerage services are provided by ...'"),
        (16, "text row 'Date downloaded 05/12/2026 9:31 AM ET'"),
    ]
    assert (
        "line 7: MSFT has no market value; valued as quantity x price = 15 x 412.66 = 6,189.90"
        in hf.notes
    )


def test_fidelity_export_analyses_every_equity(shared_data: Path) -> None:
    report = analyze_portfolio(
        BROKERS / "fidelity_positions.csv", prices_dir=shared_data / "prices" / "recent"
    )
    by_ticker = report.holdings.set_index("ticker")
    assert set(by_ticker.index[by_ticker["kind"] == "company"]) == {"NVDA", "TSM", "MSFT", "CEG"}
    # weights: value / 42,703.70 (sum of the six positions; pending activity is not one)
    assert by_ticker.loc["MSFT", "weight"] == pytest.approx(6189.9 / 42703.7)
    assert by_ticker.loc["SPAXX", "kind"] == "cash"
    (fund,) = report.unknown
    assert fund.ticker == "SMH" and fund.fund == "VanEck Semiconductor ETF"
    assert "pass --etf-holdings SMH=FILE" in fund.message and not fund.suggestions
    assert "line 10: skipped, pending activity (cash in transit, not a position)" in report.notes


def test_strict_refuses_what_the_default_skips() -> None:
    with pytest.raises(ValidationError) as err:
        read_holdings(BROKERS / "fidelity_positions.csv", options=ReadOptions(strict=True))
    assert [(p.line, p.column) for p in err.value.problems] == [
        (7, "Current Value"),  # no value (the default computes quantity x price)
        (10, "Symbol"),  # pending activity
    ]


def test_schwab_positions_option_skipped_fund_named() -> None:
    hf = read_holdings(BROKERS / "schwab_positions.csv")
    assert hf.preset == "schwab" and hf.columns["market_value"] == "Mkt Val (Market Value)"
    assert [(h.ticker, h.amount) for h in hf.holdings] == [
        ("AVGO", 5141.16),
        ("MU", 11929.95),
        ("SOXX", 3124.0),
        ("Cash & Cash Investments", 2750.0),
    ]
    assert hf.holdings[2].fund == "iShares Semiconductor ETF"
    assert (7, "options are not supported (AAPL 06/18/2026 250.00 C)") in hf.skipped


def test_schwab_all_accounts_sections_become_accounts() -> None:
    assert _rows("schwab_all_accounts.csv") == [
        (5, "NVDA", 2194.4, "Individual ...456"),
        (6, "Cash & Cash Investments", 500.0, "Individual ...456"),
        (11, "NVDA", 1097.2, "Roth IRA ...789"),  # same ticker, other account: not merged
        (12, "VRT", 1128.0, "Roth IRA ...789"),
    ]


def test_vanguard_reads_positions_and_stops_at_the_transactions_table() -> None:
    hf = read_holdings(BROKERS / "vanguard_ofxdownload.csv")
    assert hf.preset == "vanguard"
    assert [(h.ticker, h.amount) for h in hf.holdings] == [
        ("VMFXX", 1200.5),
        ("VGT", 2600.0),
        ("NEE", 3793.6),
        ("ORCL", 1938.4),
    ]
    assert hf.holdings[0].is_cash  # Vanguard Federal Money Market
    assert hf.skipped[-1][0] == 9 and "a second table starts here" in hf.skipped[-1][1]


def test_ibkr_flex_converts_to_base_with_fxratetobase() -> None:
    hf = read_holdings(BROKERS / "ibkr_flex_positions.csv")
    assert hf.preset == "ibkr-flex"
    assert [(h.ticker, round(h.amount, 3)) for h in hf.holdings] == [
        ("NVDA", 8777.6),
        ("ASML", 7693.428),  # 7,102.50 EUR x 1.0832
        ("SOXQ", 1356.0),
    ]
    assert (4, "options are not supported (NVDA  260618C00250000)") in hf.skipped


def test_ibkr_activity_statement_summary_rows_base_currency_and_etf_type() -> None:
    hf = read_holdings(BROKERS / "ibkr_activity_statement.csv")
    assert hf.preset == "ibkr"
    assert [(h.line, h.ticker, round(h.amount, 3)) for h in hf.holdings] == [
        (14, "SHOP", 2343.496),  # 3,205 CAD x 0.7312 (Base Currency Exchange Rate)
        (18, "AVGO", 5141.16),
        (19, "CHAT", 4450.0),
    ]
    assert hf.holdings[2].fund == "security type 'ETF'"  # Financial Instrument Information
    reasons = dict(hf.skipped)
    assert reasons[15] == reasons[16] == "lot detail (the position's summary row counts)"
    assert reasons[21] == "options are not supported (NVDA 18JUN26 250 C)"
    assert {17, 20, 22} <= set(reasons)


def test_mixed_currencies_without_rates_are_refused(write_csv) -> None:
    path = write_csv("symbol,currency,market value\nNVDA,USD,100\nASML,EUR,100\n")
    with pytest.raises(ValidationError) as err:
        read_holdings(path)
    (problem,) = err.value.problems
    assert (problem.line, problem.column) == (2, "currency")
    assert "values in 2 currencies (USD (line 2), EUR (line 3)) and no exchange rate" in (
        problem.message
    )


def test_plain_weights_name_funds_instead_of_suggesting(fixtures: Path) -> None:
    from stackatlas.atlas import load_atlas
    from stackatlas.portfolio.resolve import resolve_holdings

    hf = read_holdings(BROKERS / "plain_weights.csv")
    unknown = [r for r in resolve_holdings(load_atlas(), hf.holdings) if r.kind == "unknown"]
    assert [(r.ticker, r.fund, r.suggestions) for r in unknown] == [
        ("SMH", "VanEck Semiconductor ETF", []),
        ("SOXX", "iShares Semiconductor ETF", []),
    ]


def test_columns_mapping_for_other_layouts(write_csv) -> None:
    path = write_csv("Ref,Instrument,Units Held,Px\n1,NVDA,10,200\n2,MSFT,5,400\n")
    with pytest.raises(ValidationError, match="--columns ticker=HEADER"):
        read_holdings(path)
    hf = read_holdings(
        path, options=ReadOptions(columns="ticker=Instrument,shares=Units Held,price=Px")
    )
    assert hf.kind == "shares"
    weights, _ = holding_values(hf)
    assert weights == pytest.approx({2: 0.5, 3: 0.5})  # 10 x 200 vs 5 x 400
    with pytest.raises(ValidationError, match="no such column; the header has"):
        read_holdings(path, options=ReadOptions(columns="ticker=Instrument,shares=Qty"))
    with pytest.raises(ValidationError, match="FIELD one of ticker, shares"):
        read_holdings(path, options=ReadOptions(columns="tikker=Instrument"))


def test_negative_cash_is_left_out_but_a_short_is_refused(write_csv) -> None:
    hf = read_holdings(write_csv("symbol,market value\nNVDA,100\nCASH,-50\n"))
    assert [h.ticker for h in hf.holdings] == ["NVDA"]
    assert hf.skipped == [(3, "negative cash CASH (a margin loan?) left out")]
    with pytest.raises(ValidationError, match="short positions are not supported"):
        read_holdings(write_csv("symbol,market value\nNVDA,100\nMSFT,-50\n"))
