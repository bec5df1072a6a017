"""Ticker resolution: ADRs, local listings, share classes, case, unknowns with suggestions."""

from __future__ import annotations

import pytest

from stackatlas.atlas.atlas import Atlas
from stackatlas.portfolio.holdings import Holding
from stackatlas.portfolio.resolve import resolve_holdings, resolve_ticker


@pytest.mark.parametrize(
    ("ticker", "company", "how"),
    [
        ("TSM", "tsmc", "ticker"),  # US ADR = primary ticker in the atlas
        ("2330.TW", "tsmc", "ticker"),  # Taiwan local listing (other_tickers)
        (" 2330.tw ", "tsmc", "ticker"),  # case and whitespace
        ("ASML.AS", "asml", "ticker"),  # Amsterdam listing
        ("GOOG", "alphabet", "ticker"),  # class C share
        ("googl", "alphabet", "ticker"),
        ("BRK-B", "berkshire", "ticker"),  # BRK-B and BRK.B are the same class
        ("BRK/B", "berkshire", "ticker"),
        ("NASDAQ:NVDA", "nvidia", "prefix"),
        ("NVDA.DE", "nvidia", "suffix"),  # exchange suffix dropped, flagged
    ],
)
def test_resolve_ticker(atlas: Atlas, ticker: str, company: str, how: str) -> None:
    assert resolve_ticker(atlas, ticker) == (company, how)


def test_share_class_suffix_is_not_an_exchange(atlas: Atlas) -> None:
    # "BRK.C" must not fall back to BRK (C is not an exchange code): unknown
    assert resolve_ticker(atlas, "BRK.C") == (None, "none")


def test_unknown_ticker_reported_with_line_and_suggestions(atlas: Atlas) -> None:
    holdings = [
        Holding(2, "NVDA", 1.0),
        Holding(3, "NVDQ", 1.0, description=None),
        Holding(4, "XYZ", 1.0, description="Taiwan Semiconductor"),
        Holding(5, "CASH", 1.0),
    ]
    res = resolve_holdings(atlas, holdings)
    assert [(r.line, r.kind) for r in res] == [
        (2, "company"),
        (3, "unknown"),
        (4, "unknown"),
        (5, "cash"),
    ]
    assert res[1].suggestions[0] == "NVDA (NVIDIA)"
    assert "line 3: ticker 'NVDQ' is not in the atlas; did you mean NVDA (NVIDIA)" in res[1].message
    assert res[2].suggestions[0] == "TSM (TSMC)"  # found by the description


def test_fund_tickers_marked(atlas: Atlas) -> None:
    res = resolve_holdings(atlas, [Holding(2, "soxx", 1.0)], funds={"SOXX"})
    assert res[0].kind == "fund"
