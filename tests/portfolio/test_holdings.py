"""Holdings import: formats, broker headers and every malformed-file error."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackatlas.errors import ValidationError
from stackatlas.portfolio.holdings import ReadOptions, holding_values, read_holdings
from stackatlas.portfolio.numbers import parse_number


def test_market_value_file(fixtures: Path) -> None:
    hf = read_holdings(fixtures / "portfolio" / "three_holdings.csv")
    assert hf.kind == "market_value"
    assert [(h.line, h.ticker, h.amount) for h in hf.holdings] == [
        (2, "NVDA", 5000.0),
        (3, "TSM", 3000.0),
        (4, "CEG", 2000.0),
    ]
    weights, unpriced = holding_values(hf)
    assert weights == pytest.approx({2: 0.5, 3: 0.3, 4: 0.2})  # 5000/10000 ...
    assert unpriced == []


def test_broker_export_headers_preamble_accounts_and_totals(fixtures: Path) -> None:
    hf = read_holdings(fixtures / "portfolio" / "broker_export.csv")
    assert hf.kind == "market_value"  # market value wins over quantity
    assert hf.columns["ticker"] == "Symbol"
    rows = [(h.line, h.ticker, h.amount, h.account) for h in hf.holdings]
    assert rows == [
        (4, "nvda", 5000.0, "Brokerage"),
        (5, "2330.TW", 3000.0, "Brokerage"),
        (6, "CEG", 2000.0, "IRA"),
        (7, "NVDA", 1000.0, "IRA"),
        (8, "Cash & Cash Investments", 1000.0, "Brokerage"),
    ]
    assert hf.holdings[-1].is_cash
    assert any("Account Total" in n for n in hf.notes)


def test_vanguard_style_export_with_footer(write_csv) -> None:
    text = (
        "Account Number,Investment Name,Symbol,Shares,Share Price,Total Value\n"
        "123,NVIDIA CORP,NVDA,10,200.00,2000.00\n"
        "123,MICROSOFT CORP,MSFT,2,400.00,800.00\n"
        "\n"
        '"The data in this file is provided for information only."\n'
    )
    hf = read_holdings(write_csv(text))
    assert hf.kind == "market_value" and hf.columns["market_value"] == "Total Value"
    assert [(h.ticker, h.amount, h.price, h.account) for h in hf.holdings] == [
        ("NVDA", 2000.0, 200.0, "123"),
        ("MSFT", 800.0, 400.0, "123"),
    ]
    assert "line 5: skipped, text row 'The data in this file is provided f...'" in hf.notes


def test_weights_in_percent_and_case_whitespace_headers(write_csv) -> None:
    path = write_csv("  TICKER , Weight (%) \nNVDA, 60\nMSFT ,40\n")
    hf = read_holdings(path)
    assert hf.kind == "weight"
    assert [h.amount for h in hf.holdings] == pytest.approx([0.6, 0.4])
    path = write_csv("ticker,weight\nNVDA,60\nMSFT,40\n")  # no % in header, sum 100 > 1.5
    assert [h.amount for h in read_holdings(path).holdings] == pytest.approx([0.6, 0.4])


def test_shares_need_prices(write_csv) -> None:
    hf = read_holdings(write_csv("symbol,quantity\nNVDA,10\nTSM,4\n"))
    assert hf.kind == "shares"
    prices = {"NVDA": 12.5}
    weights, unpriced = holding_values(hf, lambda h: prices.get(h.ticker))
    assert weights == {2: 1.0}
    assert [h.ticker for h in unpriced] == ["TSM"]
    weights, _ = holding_values(hf, lambda h: {"NVDA": 10.0, "TSM": 25.0}[h.ticker])
    assert weights == pytest.approx({2: 0.5, 3: 0.5})  # 10*10 vs 4*25


def test_parse_number_broker_styles() -> None:
    assert parse_number("$1,234.50") == 1234.5
    assert parse_number("(12.5)") == -12.5
    assert parse_number("8.87%") == 8.87
    assert parse_number("--") is None
    with pytest.raises(ValueError):
        parse_number("12abc")


def _problems(path: Path, strict: bool = False) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ValidationError) as info:
        read_holdings(path, options=ReadOptions(strict=strict))
    assert all(p.file == str(path) for p in info.value.problems)
    return [(p.line, p.column, p.message) for p in info.value.problems]


def test_bad_number_names_line_and_field(write_csv) -> None:
    probs = _problems(write_csv("ticker,shares\nNVDA,10\nTSM,ten\n"))
    assert probs == [(3, "shares", "not a number: 'ten'")]


def test_negative_shares(write_csv) -> None:
    probs = _problems(write_csv("ticker,shares\nNVDA,-5\n"))
    assert probs[0][:2] == (2, "shares")
    assert "negative shares" in probs[0][2]


def test_duplicate_rows_and_all_problems_at_once(write_csv) -> None:
    probs = _problems(write_csv("ticker,weight\nNVDA,0.5\nTSM,x\nnvda ,0.2\n"), strict=True)
    assert [(line, col) for line, col, _ in probs] == [(3, "weight"), (4, "ticker")]
    assert "first seen on line 2" in probs[1][2]
    # by default the same ticker twice in one account is added up, and said so
    hf = read_holdings(write_csv("ticker,weight\nNVDA,0.5\nTSM,0.3\nnvda ,0.2\n"))
    assert [(h.line, h.ticker, h.amount) for h in hf.holdings] == [
        (2, "NVDA", 0.7),
        (3, "TSM", 0.3),
    ]
    assert "line 4: nvda also on line 2; amounts added" in hf.notes


def test_empty_file(write_csv) -> None:
    assert _problems(write_csv("")) == [(None, None, "file is empty")]
    assert _problems(write_csv("ticker,shares\n"))[0][2] == "no holdings rows after the header"


def test_wrong_encoding(write_csv) -> None:
    probs = _problems(write_csv("ticker,shares,description\nNVDA,1,caf\xe9\n".encode("latin-1")))
    assert probs[0][0] == 2  # the bad byte is on line 2
    assert "not UTF-8" in probs[0][2] and "utf-8-sig" in probs[0][2]
    probs = _problems(write_csv("ticker,shares\nNVDA,1\n".encode("utf-16")))
    assert "UTF-16" in probs[0][2]


def test_utf8_bom_is_accepted(write_csv) -> None:
    hf = read_holdings(write_csv("ticker,shares\nNVDA,1\n".encode("utf-8-sig")))
    assert hf.encoding == "utf-8-sig"
    assert hf.columns["ticker"] == "ticker"


def test_100mb_file_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:  # sparse: size without writing 100 MB
        f.write(b"ticker,shares\n")
        f.truncate(100 * 1024 * 1024)
    probs = _problems(path)
    assert "104.9 MB, over the 10 MB limit" in probs[0][2]


def test_missing_columns(write_csv) -> None:
    probs = _problems(write_csv("name,shares\nNVIDIA,1\n"))
    assert probs[0][0] == 1 and "no ticker column" in probs[0][2]
    probs = _problems(write_csv("ticker,sector\nNVDA,tech\n"))
    assert probs[0][0] == 1 and "missing amount column" in probs[0][2]


def test_missing_value_and_empty_ticker(write_csv) -> None:
    path = write_csv("ticker,market value\nNVDA,\n,100\n")
    assert _problems(path, strict=True) == [
        (2, "market value", "no market value for NVDA (--strict refuses the file)"),
        (3, "ticker", "no symbol (--strict refuses the file)"),
    ]
    assert _problems(path) == [
        (
            1,
            None,
            "no holdings rows after the header "
            "(skipped line 2: no market value for NVDA; line 3: no symbol)",
        )
    ]


_TICKERS = st.from_regex(r"[A-Z]{1,5}", fullmatch=True)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(_TICKERS, st.floats(0.01, 1e7, allow_nan=False), min_size=1, max_size=12))
def test_roundtrip_market_values(tmp_path_factory, values: dict[str, float]) -> None:
    """Any file of positive market values reads back exactly; weights sum to 1."""
    path = tmp_path_factory.mktemp("h") / "p.csv"
    body = "".join(f' {t.lower()} ,"${v:,.2f}"\n' for t, v in values.items())
    path.write_text("Symbol, Market Value\n" + body, encoding="utf-8")
    hf = read_holdings(path)
    assert [h.ticker.upper() for h in hf.holdings] == list(values)
    assert [h.amount for h in hf.holdings] == pytest.approx([round(v, 2) for v in values.values()])
    weights, _ = holding_values(hf)
    assert sum(weights.values()) == pytest.approx(1.0)


def test_uploaded_bytes() -> None:
    hf = read_holdings(b"ticker,weight\nNVDA,1\n", name="upload.csv")
    assert hf.path == "upload.csv" and hf.holdings[0].ticker == "NVDA"
    with pytest.raises(ValidationError) as info:
        read_holdings(b"ticker,weight\nNVDA,1\n" * 10, max_bytes=100)
    p = info.value.problems[0]
    assert p.file == "<upload>" and "over the" in p.message


def test_unquoted_thousands_separator_is_refused(write_csv) -> None:
    """Regression: ``MSFT,1,234.50`` under a two-column header was read as a market value of 1
    (the extra cell was dropped silently)."""
    probs = _problems(write_csv("ticker,market_value\nNVDA,500\nMSFT,1,234.50\n"))
    assert [(line, col) for line, col, _ in probs] == [(3, None)]
    assert "row has 3 fields, header has 2" in probs[0][2]
    # trailing empty cells (common in broker exports) are still fine
    hf = read_holdings(write_csv('ticker,market_value\nNVDA,500,,\nMSFT,"1,234.50",\n'))
    assert [h.amount for h in hf.holdings] == [500.0, 1234.5]
