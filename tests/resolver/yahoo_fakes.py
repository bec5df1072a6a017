"""yfinance stand-ins for tests: statements read from tests/fixtures/yahoo (no network)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pandas as pd

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "yahoo"


def statement(symbol: str, name: str) -> pd.DataFrame:
    """One statement shaped like yfinance's: Yahoo keys (object index) x period-end Timestamps
    (newest first), float64; an empty frame when the fixture has none."""
    path = FIXTURES / f"{symbol}.{name}.csv"
    if not path.is_file():
        return pd.DataFrame()
    raw = pd.read_csv(path, index_col=0)
    frame = raw.astype("float64")
    frame.columns = pd.to_datetime(list(raw.columns))
    frame.index = pd.Index([str(i) for i in raw.index], dtype=object)
    return frame[sorted(frame.columns, reverse=True)]


class FakeTicker:
    """The part of ``yfinance.Ticker`` the provider calls, answering from the fixtures."""

    calls: ClassVar[list[str]] = []

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        FakeTicker.calls.append(symbol)

    def get_income_stmt(self, pretty: bool = False, freq: str = "yearly") -> pd.DataFrame:
        assert pretty is False  # raw Yahoo keys (TotalRevenue), not "Total Revenue"
        return statement(self.symbol, f"income_{freq}")

    def get_cash_flow(self, pretty: bool = False, freq: str = "yearly") -> pd.DataFrame:
        assert pretty is False
        return statement(self.symbol, f"cash_{freq}")

    def get_info(self) -> dict:
        known = any(FIXTURES.glob(f"{self.symbol}.*.csv"))
        return {"financialCurrency": "KRW", "currency": "KRW"} if known else {}
