"""The shipped FX table: provenance columns, round-trip with the published G.5A figures."""

from __future__ import annotations

import pytest

from stackatlas.errors import ValidationError
from stackatlas.fundamentals.fx import FX_COLUMNS, fx_rate, load_fx_table, missing_rate


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


def test_missing_rate_names_the_gap_and_the_fix():
    # the shipped table stops at 2023 (2024/2025 G.5A releases not verified offline)
    reason = missing_rate("TWD", 2024)
    assert reason.startswith(
        "no FX rate for TWD 2024 (the FX table holds TWD for 2012-2015, 2017-2023"
    )
    assert "STACKATLAS_FX_FILE" in reason
    assert fx_rate("TWD", 2024) is None
    rate = fx_rate("TWD", 2023)
    assert rate is not None and rate.usd_per_unit == pytest.approx(1 / 31.1525, rel=1e-7)
    assert rate.describe() == (
        "0.0321002 USD/TWD (2023 annual average, Federal Reserve G.5A, 2024-02-01)"
    )


def _fx_file(tmp_path, body: str):
    path = tmp_path / "fx.csv"
    path.write_text(",".join(FX_COLUMNS) + "\n" + body, encoding="utf-8")
    return path


def test_user_fx_file_adds_sourced_rates(tmp_path, monkeypatch):
    # NOK is not shipped; its 2023 G.5A average (10.5659 NOK per USD, release 2024-02-01) is
    # a real published figure, so the test needs no invented rate
    path = _fx_file(
        tmp_path,
        "NOK,2023,0.0946441,Foreign Exchange Rates -- G.5A Annual,Federal Reserve Board,"
        "https://federalreserve.gov/releases/g5a/20240201,2024-02-01\n",
    )
    monkeypatch.setenv("STACKATLAS_FX_FILE", str(path))
    rate = fx_rate("NOK", 2023)
    assert rate is not None and rate.usd_per_unit == pytest.approx(1 / 10.5659, rel=1e-5)
    assert rate.source == "Federal Reserve G.5A, 2024-02-01"
    assert fx_rate("TWD", 2023) is not None  # shipped rows stay


def test_user_fx_file_problems_are_located(tmp_path, monkeypatch):
    path = _fx_file(tmp_path, "NOK,2023,-1,,Somebody,,\nXX,twenty,0.5,T,P,,\n")
    monkeypatch.setenv("STACKATLAS_FX_FILE", str(path))
    with pytest.raises(ValidationError) as info:
        load_fx_table()
    text = str(info.value)
    assert f"{path}:2 [usd_per_unit]: not a positive rate" in text
    assert f"{path}:2 [source_title]: every rate must name its source" in text
    assert f"{path}:3 [currency]: not a 3-letter ISO code" in text
    assert f"{path}:3 [year]: not a year: 'twenty'" in text
