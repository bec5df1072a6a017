"""The shipped FX table: provenance columns, round-trip with the published G.5A figures."""

from __future__ import annotations

import pytest

from stackatlas.fundamentals.fx import FX_COLUMNS, load_fx_table


def test_table_has_sources_and_positive_rates():
    table = load_fx_table()
    assert set(FX_COLUMNS) <= set(table.columns)
    assert (table["usd_per_unit"] > 0).all()
    assert table["source_url"].str.startswith("https://federalreserve.gov/releases/g5a/").all()
    assert not table.duplicated(["currency", "year"]).any()
    assert 2016 not in set(table["year"]) and table["year"].max() == 2023  # not at hand: absent


def test_usd_per_unit_matches_the_published_quote():
    table = load_fx_table()
    per_unit = table["published_basis"] == "USD per unit"
    assert set(table.loc[per_unit, "currency"]) == {"EUR", "GBP"}  # the asterisked G.5A rows
    published = table["published_value"].astype(float)
    expected = published.where(per_unit, 1 / published)
    assert table["usd_per_unit"].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-7)


@pytest.mark.parametrize(
    ("currency", "year", "published"),
    [
        ("EUR", 2023, 1.0817),  # G.5A release 2024-02-01: *EMU MEMBERS EURO 2023
        ("TWD", 2023, 31.1525),  # same release: TAIWAN DOLLAR 2023 (TWD per USD)
        ("TWD", 2019, 30.9049),  # G.5A release 2021-01-04: TAIWAN DOLLAR 2019
        ("EUR", 2015, 1.1096),  # G.5A release 2016-01-04: *EMU MEMBERS EURO 2015
    ],
)
def test_spot_checks_against_the_releases(currency, year, published):
    table = load_fx_table().set_index(["currency", "year"])
    assert float(table.loc[(currency, year), "published_value"]) == published
