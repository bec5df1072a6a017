"""Hostile and foreign number formats in holdings files (issue 11): located errors, never a
traceback or a silently wrong weight."""

from __future__ import annotations

import pytest

from stackatlas.errors import ValidationError
from stackatlas.portfolio.holdings import ReadOptions, holding_values, read_holdings
from stackatlas.portfolio.numbers import parse_number


def _problem(path, **options: object) -> tuple[int | None, str | None, str]:
    with pytest.raises(ValidationError) as err:
        read_holdings(path, options=ReadOptions(**options))  # type: ignore[arg-type]
    problem = err.value.problems[0]
    return problem.line, problem.column, problem.message


def test_decimal_comma_file_is_read_as_such(write_csv) -> None:
    # regression: "1.234,56" was read as 1.23456
    hf = read_holdings(write_csv('ticker,value\nNVDA,"1.234,56"\nMSFT,"2.000,00"\n'))
    assert [h.amount for h in hf.holdings] == [1234.56, 2000.0]
    assert hf.notes[0].startswith("numbers read with a decimal comma ('1.234,56' on line 2")


def test_semicolon_european_export(write_csv) -> None:
    hf = read_holdings(write_csv("Symbol;Quantity;Kurs\nNVDA;10;219,44\nMSFT;2,5;412,66\n"))
    assert [(h.ticker, h.amount) for h in hf.holdings] == [("NVDA", 10.0), ("MSFT", 2.5)]


def test_ambiguous_semicolon_file_is_refused_with_how_to_read_it(write_csv) -> None:
    path = write_csv("Symbol;Market Value\nNVDA;1.234\nMSFT;2.500\n")
    line, _, message = _problem(path)
    assert line == 1 and "pass --decimal comma" in message and "'1.234' (line 2)" in message
    hf = read_holdings(path, options=ReadOptions(decimal="comma"))
    assert [h.amount for h in hf.holdings] == [1234.0, 2500.0]
    hf = read_holdings(path, options=ReadOptions(decimal="point"))
    assert [h.amount for h in hf.holdings] == [1.234, 2.5]


def test_mixed_decimal_styles_are_refused(write_csv) -> None:
    _, _, message = _problem(write_csv('ticker,value\nNVDA,"1.234,56"\nMSFT,"1,234.56"\n'))
    assert "mix decimal styles" in message and "line 2" in message and "line 3" in message


@pytest.mark.parametrize("cell", ["1e308", "inf", "nan", "-inf", "1e16", "9" * 400])
def test_non_finite_and_overflowing_values_are_refused(write_csv, cell: str) -> None:
    # regression: 1e308 + 1e308 overflowed to inf and every weight became 0
    line, column, message = _problem(write_csv(f"ticker,value\nNVDA,{cell}\nMSFT,10\n"))
    assert (line, column) == (2, "value")
    assert message.startswith(("not a finite number below 1e15", "not a number"))


def test_negative_price_is_refused(write_csv) -> None:
    # regression: a price of (5) gave weights of -5% / 105% and an HHI of 1.11
    assert _problem(write_csv("ticker,shares,price\nNVDA,10,(5)\nMSFT,5,100\n")) == (
        2,
        "price",
        "negative price: '(5)'",
    )


def test_cr_only_line_endings(write_csv) -> None:
    hf = read_holdings(write_csv("Symbol,Weight\rNVDA,0.6\rMSFT,0.4\r"))
    assert [(h.line, h.ticker) for h in hf.holdings] == [(2, "NVDA"), (3, "MSFT")]
    weights, _ = holding_values(hf)
    assert weights == pytest.approx({2: 0.6, 3: 0.4})


def test_200kb_cell_is_a_located_error(write_csv) -> None:
    line, _, message = _problem(write_csv("ticker,weight\nNVDA," + "1" * 200_000 + "\n"))
    assert line == 2 and "a cell is longer than 131,072 characters" in message


def test_parse_number_refuses_python_only_spellings() -> None:
    for text in ("1_000", "0x10", "infinity", "1e5e5", "--5"):
        with pytest.raises(ValueError):
            parse_number(text)
    assert parse_number("1.234,5 €", "comma") == 1234.5
    assert parse_number("+$2.10") == 2.1
