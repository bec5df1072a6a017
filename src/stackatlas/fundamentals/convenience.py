"""A foreign filer's own US-dollar convenience translation, found in its XBRL facts.

Some 20-F filers (TSMC, for one) tag each statement line twice: in their reporting currency
and in US dollars "solely for the convenience of the reader", all at one rate the filing
states. Such a USD fact is the filer's own number, so it is preferred over our conversion at
an annual average rate (evidence stays ``reported``; the derivation names the filing and the
implied rate).

A USD fact counts as a convenience translation only when

- the same concept, period and filing (accession) also has a value in the filer's main
  currency (the most frequent currency of its money facts, not USD), both non-zero;
- at least ``MIN_PAIRS`` such pairs in that filing share one implied rate (within
  ``RATE_TOLERANCE``): a translation uses one rate for every line, so a lone USD fact (a
  dollar bond, a USD-denominated item) never qualifies;
- the main-currency value it translates is still the latest filed for that concept and
  period (a later restatement makes the old translation stale; the restated figure is then
  converted at the annual average instead).

Note the rate: filers translate at one spot rate (TSMC: the year-end noon buying rate), not
the year's average, so growth rates across years mix the currency move into the dollar figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_PAIRS = 3
RATE_TOLERANCE = 0.001
KEY = ["taxonomy", "concept", "start", "end"]
CONVENIENCE_COLUMNS = [*KEY, "accession", "currency", "implied_rate"]


def main_currency(facts: pd.DataFrame) -> str | None:
    """The filer's reporting currency: the most frequent ISO currency among its facts."""
    units = facts["unit"].astype(str)
    money = units[units.str.fullmatch(r"[A-Z]{3}")]
    if money.empty:
        return None
    return str(money.mode().iloc[0])


def convenience_usd(facts: pd.DataFrame) -> pd.DataFrame:
    """USD facts that are the filer's convenience translation (``CONVENIENCE_COLUMNS``;
    ``implied_rate`` = main-currency units per US dollar)."""
    empty = pd.DataFrame(columns=CONVENIENCE_COLUMNS)
    main = main_currency(facts)
    if main is None or main == "USD":
        return empty
    cols = [*KEY, "accession", "value", "filed"]
    usd = facts.loc[facts["unit"] == "USD", cols]
    local = facts.loc[facts["unit"] == main, cols]
    if usd.empty or local.empty:
        return empty
    pairs = usd.merge(
        local, on=[*KEY, "accession"], suffixes=("_usd", "_local"), how="inner"
    ).drop_duplicates([*KEY, "accession"])
    pairs = pairs[(pairs["value_usd"] != 0) & (pairs["value_local"] != 0)]
    if pairs.empty:
        return empty
    pairs = pairs.assign(implied_rate=pairs["value_local"] / pairs["value_usd"])
    pairs = pairs[pairs["implied_rate"] > 0]
    median = pairs.groupby("accession")["implied_rate"].transform("median")
    pairs = pairs[np.abs(pairs["implied_rate"] / median - 1) <= RATE_TOLERANCE]
    counts = pairs.groupby("accession")["concept"].transform("count")
    pairs = pairs[counts >= MIN_PAIRS]
    if pairs.empty:
        return empty
    latest = (
        local.sort_values(["filed", "accession"], kind="stable")
        .drop_duplicates(KEY, keep="last")
        .rename(columns={"value": "latest_local"})[[*KEY, "latest_local"]]
    )
    pairs = pairs.merge(latest, on=KEY, how="left")
    current = np.isclose(pairs["value_local"], pairs["latest_local"], rtol=1e-9, atol=0.0)
    pairs = pairs[current]
    rate = pairs.groupby("accession")["implied_rate"].transform("median")
    return pairs.assign(currency=main, implied_rate=rate)[CONVENIENCE_COLUMNS].reset_index(
        drop=True
    )


def describe(accession: str, currency: str, implied_rate: float) -> str:
    """The derivation note of a convenience-translated value."""
    return (
        f"; the filer's US-dollar convenience translation in filing {accession} "
        f"({implied_rate:,.4g} {currency} per USD, implied by its {currency} and USD figures)"
    )
