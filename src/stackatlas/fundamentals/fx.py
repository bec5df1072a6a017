"""Conversion of non-USD amounts to USD with shipped annual average exchange rates.

Dataset ``stackatlas/data/fx/annual_average_usd.csv`` (143 rows): currency, year, usd_per_unit,
published_value, published_basis, source_title, source_publisher, source_url, source_date.
Provenance: the Federal Reserve Board's G.5A "Foreign Exchange Rates - Annual" releases (annual
averages of daily noon buying rates in New York); the published figure is kept next to the
derived ``usd_per_unit`` (G.5A quotes most currencies as units per USD, EUR and GBP as USD per
unit). Years covered: 2012-2015 and 2017-2023 for CAD, CHF, CNY, DKK, EUR, GBP, HKD, INR, JPY,
KRW, SEK, SGD, TWD. 2016 and 2024+ are not shipped because we did not have the published
figures at hand; amounts in those years convert to ``None`` with a derivation saying so.

Caveats: a fiscal period is converted at the average of the calendar year it is aligned to
(where most of its days fall); balances (instants) also use the annual average, not the spot
rate at the balance-sheet date.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from stackatlas._io import data_path
from stackatlas.errors import ValidationError

FX_COLUMNS = [
    "currency",
    "year",
    "usd_per_unit",
    "source_title",
    "source_publisher",
    "source_url",
    "source_date",
]


@lru_cache(maxsize=1)
def load_fx_table() -> pd.DataFrame:
    """The shipped annual average rates (validated: required columns, positive rates)."""
    path = data_path("fx", "annual_average_usd.csv")
    table = pd.read_csv(path, dtype={"currency": str})
    missing = [c for c in FX_COLUMNS if c not in table.columns]
    if missing:
        raise ValidationError(f"{path}: missing column(s) {', '.join(missing)}")
    bad = table.index[~(table["usd_per_unit"] > 0)]
    if len(bad):
        raise ValidationError(f"{path}:{int(bad[0]) + 2} [usd_per_unit]: not a positive rate")
    return table


def convert_to_usd(rows: pd.DataFrame, money: pd.Series) -> pd.DataFrame:
    """Convert money rows to USD in place of their reported currency.

    Adds ``currency`` (as reported) and ``fx_rate`` (USD per unit; 1.0 for USD). Converted rows
    get unit USD, evidence at best ``derived`` and a derivation suffix naming the rate; rows whose
    rate is not shipped get ``value = None``, evidence ``unresolved`` and the reason.
    """
    out = rows.copy()
    out["currency"] = np.where(money, out["unit"], None)
    out["fx_rate"] = np.where(money & (out["unit"] == "USD"), 1.0, np.nan)
    foreign = money & out["unit"].notna() & (out["unit"] != "USD")
    if not foreign.any():
        return out
    table = load_fx_table()[["currency", "year", "usd_per_unit"]]
    sub = out.loc[foreign, ["unit", "calendar_year"]].rename(
        columns={"unit": "currency", "calendar_year": "year"}
    )
    sub["year"] = sub["year"].astype("Int64")
    rates = sub.merge(table.astype({"year": "Int64"}), on=["currency", "year"], how="left")
    rate = rates["usd_per_unit"].to_numpy(dtype=float)
    idx = out.index[foreign]
    found = ~np.isnan(rate)
    # a period with no calendar year (NA) has no annual rate: say so instead of 'nan'
    years = sub["year"].astype("string").fillna("an unknown year").to_numpy(dtype=object)
    cur = sub["currency"].astype(str).to_numpy()
    had_value = ~np.isnan(out.loc[idx, "value"].to_numpy(dtype=float))
    out.loc[idx, "fx_rate"] = rate
    out.loc[idx, "value"] = out.loc[idx, "value"].to_numpy(dtype=float) * rate
    suffix = np.where(
        found,
        "; converted from "
        + cur
        + " at "
        + np.char.mod("%.6g", np.nan_to_num(rate)).astype(object)
        + " USD/"
        + cur
        + " ("
        + years
        + " annual average, Federal Reserve G.5A)",
        np.where(had_value, "; unavailable: no " + cur + " annual average rate for " + years, ""),
    )  # a row already unavailable keeps its own reason
    out.loc[idx, "derivation"] = out.loc[idx, "derivation"].astype(str) + suffix
    evidence = out.loc[idx, "evidence"].to_numpy(dtype=object)
    evidence = np.where(found & (evidence == "reported"), "derived", evidence)
    out.loc[idx, "evidence"] = np.where(found, evidence, "unresolved")
    out.loc[idx, "unit"] = "USD"
    return out
