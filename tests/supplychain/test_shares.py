"""Per-input concentration on the hand-written fixture; every number computed by hand."""

from __future__ import annotations

import pytest

from stackatlas.supplychain.dataset import EtoData
from stackatlas.supplychain.inputs import input_table
from stackatlas.supplychain.shares import parse_market_size, side_shares


def test_firm_hhi_leaves_the_placeholder_out_and_states_it_as_remainder(eto: EtoData) -> None:
    # Dicing tools 2025: Gamma Dice 80, Beta Coat 15, "Various companies" 5
    s = side_shares(eto, "N71", "firm")
    assert s.year == 2025 and s.leader == "Gamma Dice"
    assert s.hhi == 80**2 + 15**2 == 6625  # the placeholder's 5 is not squared in
    assert (s.cr1, s.cr3) == (80.0, 95.0)
    assert (s.aggregate_share, s.remainder) == (5.0, 5.0)
    assert s.hhi_remainder_as_one == 6625 + 5**2
    assert [r["provider"] for r in s.shares] == ["Gamma Dice", "Beta Coat", "Various companies"]
    assert [r["aggregate"] for r in s.shares] == [False, False, True]
    assert s.n_named == 2 and s.complete


def test_unattributed_share_joins_the_remainder(eto: EtoData) -> None:
    # Lithography tools 2025: 70 + 20 + 6 named, 4 placeholder -> sum 100, remainder 4
    s = side_shares(eto, "N19", "firm")
    assert s.hhi == 70**2 + 20**2 + 6**2 == 5336
    assert (s.cr3, s.share_sum, s.remainder) == (96.0, 100.0, 4.0)


def test_country_side_and_region(eto: EtoData) -> None:
    c = side_shares(eto, "N71", "country")
    assert (c.leader, c.cr1, c.hhi, c.remainder) == ("JPN", 95.0, 9025.0, 5.0)
    # stage S2 2022: USA 40, JPN 30, EUR (a bloc) 20, Various countries 10
    s = side_shares(eto, "S2", "country")
    assert (s.hhi, s.remainder, s.year) == (40**2 + 30**2 + 20**2, 10.0, 2022)
    assert [r["kind"] for r in s.shares] == ["country", "country", "region", "aggregate"]


def test_all_blank_shares_are_unknown_never_zero(eto: EtoData) -> None:
    s = side_shares(eto, "N31", "firm")  # photoresists: two firms, both blank
    assert s.year == 2019 and s.n_named == 2 and s.n_blank == 2 and not s.complete
    assert s.hhi is None and s.cr1 is None and s.leader is None and s.remainder is None
    assert all(r["share"] != r["share"] for r in s.shares)  # NaN kept (None in JSON)
    assert s.to_dict()["shares"][0]["share"] is None and s.to_dict()["hhi"] is None


def test_latest_year_by_default_history_on_request(eto: EtoData) -> None:
    assert side_shares(eto, "N20", "firm").hhi == 10_000  # 2025: Alpha Litho 100
    old = side_shares(eto, "N20", "firm", 2021)  # 2021: Alpha 90 + placeholder 10
    assert (old.year, old.hhi, old.remainder, old.cr1) == (2021, 8100.0, 10.0, 90.0)
    assert side_shares(eto, "N20", "firm", 2019).year is None


def test_every_share_row_carries_year_and_source(eto: EtoData) -> None:
    for node, side in eto.rows_by_node:
        for r in side_shares(eto, node, side).shares:
            assert r["year"] and r["source"], (node, side, r)


@pytest.mark.parametrize(
    ("text", "usd_bn", "year", "qualifier"),
    [
        ("$13 billion (2025)", 13.0, 2025, None),
        ("$852.6 million (2025)", 0.8526, 2025, None),
        ("$56.2 billion (microprocessors) (2019)", 56.2, 2019, "microprocessors"),
        ("$10.9 billion", 10.9, None, None),
        ("$3.3 billion (all photoresists)", 3.3, None, "all photoresists"),
        ("$574.1 billion (2022)", 574.1, 2022, None),
    ],
)
def test_market_size_notes(
    text: str, usd_bn: float, year: int | None, qualifier: str | None
) -> None:
    size = parse_market_size(text)
    assert size is not None
    assert size.usd_bn == pytest.approx(usd_bn) and size.year == year
    assert size.qualifier == qualifier and size.text == text
    assert parse_market_size(None) is None
    assert parse_market_size("not stated").usd_bn is None  # type: ignore[union-attr]


def test_input_table_orders_by_firm_hhi_and_keeps_unknowns(eto: EtoData) -> None:
    table = input_table(eto)
    assert list(table["input_id"])[:3] == ["N20", "N71", "N19"]  # 10,000 > 6,625 > 5,336
    eda = table[table["input_id"] == "N84"].iloc[0]
    assert eda["firm_hhi"] != eda["firm_hhi"]  # NaN: unknown, not 0
    assert (eda["country_leader"], eda["country_cr1"], eda["country_hhi"]) == ("USA", 90.0, 8109.0)
    assert eda["firm_band"] != eda["firm_band"] or eda["firm_band"] is None  # no band
    assert table.set_index("input_id").loc["N20", "firm_band"] == "highly concentrated"
