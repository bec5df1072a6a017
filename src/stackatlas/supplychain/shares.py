"""Shares of one input (or stage) by firm and by country: HHI, CR1, CR3, remainder.

ETO shares are percent of the input's global market (by sales for the TechInsights-based 2025
rows, by the measure CSET's report used for the 2019 rows). For one input and one year:

- **named** providers are firms (or countries; ETO's "EUR" bloc counts as one); their known
  shares give ``hhi`` (sum of squared percent shares, 0-10,000), ``cr1`` and ``cr3``;
- **aggregates** ("Various companies", "Various countries") are never a provider in HHI or CR:
  their share, plus whatever no row accounts for, is the ``remainder`` (stated, not squared).
  ``hhi_remainder_as_one`` squares the remainder as if one provider held it (an upper bound);
- a **blank** share is unknown: it is left out of every sum and flagged (``n_blank``;
  ``complete = False`` makes ``hhi`` a lower bound). When every named share is blank, HHI and
  CR are None, never zero.

ETO rounds shares below 1% up to 1%, so ``share_sum`` can pass 100 by a few points; the
remainder is then 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from stackatlas.display import is_missing
from stackatlas.supplychain.dataset import AGGREGATE, EtoData

_MONEY = re.compile(r"\$\s*([\d][\d,]*(?:\.\d+)?)\s*(trillion|billion|million)", re.IGNORECASE)
_YEAR = re.compile(r"\((\d{4})\)")
_SCALE = {"trillion": 1000.0, "billion": 1.0, "million": 0.001}


@dataclass(frozen=True)
class MarketSize:
    """The dataset's market-size note, with the amount read from it where it states one."""

    text: str
    usd_bn: float | None  # None when the note states no dollar amount
    year: int | None  # the year in parentheses, if any
    qualifier: str | None  # other parenthetical text, e.g. "all photoresists"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def parse_market_size(text: str | None) -> MarketSize | None:
    """``"$13 billion (2025)"`` -> 13.0 USD bn, 2025; ``"$10.9 billion"`` -> no year."""
    if not text:
        return None
    money = _MONEY.search(text)
    amount = None
    if money:
        amount = float(money.group(1).replace(",", "")) * _SCALE[money.group(2).lower()]
    years = _YEAR.findall(text)
    extra = [
        part.strip()
        for part in re.findall(r"\(([^)]*)\)", text)
        if not re.fullmatch(r"\d{4}", part.strip())
    ]
    return MarketSize(
        text.strip(), amount, int(years[-1]) if years else None, "; ".join(extra) or None
    )


def rows_for(eto: EtoData, node_id: str, side: str, year: int | None = None) -> list[dict]:
    """Share rows of one input or stage on one side (``firm`` / ``country``) for ``year``
    (default: the latest year that side has for it). The side's aggregates are included."""
    part = eto.rows_by_node.get((node_id, side), [])
    if not part:
        return []
    chosen = year if year is not None else max(r["year"] for r in part)
    return [r for r in part if r["year"] == chosen]


SHARE_FIELDS = (
    "provider_id",
    "provider",
    "kind",
    "provider_country",
    "share",
    "year",
    "source",
    "source_basis",
    "aggregate",
)


@dataclass(frozen=True)
class SideShares:
    """Concentration of one side (firms or countries) of one input in one year."""

    side: str
    year: int | None
    shares: list[dict[str, Any]]  # provider rows, named largest first, then aggregates
    n_named: int
    n_blank: int
    share_sum: float | None  # named + aggregate known shares
    aggregate_share: float  # known shares of placeholders
    remainder: float | None  # aggregates + unaccounted, percent
    hhi: float | None
    hhi_remainder_as_one: float | None
    cr1: float | None
    cr3: float | None
    leader: str | None
    leader_id: str | None
    complete: bool

    @property
    def named(self) -> list[dict[str, Any]]:
        return [r for r in self.shares if not r["aggregate"]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "year": self.year,
            "leader": self.leader,
            "leader_id": self.leader_id,
            "cr1": self.cr1,
            "cr3": self.cr3,
            "hhi": self.hhi,
            "hhi_remainder_as_one": self.hhi_remainder_as_one,
            "hhi_is_lower_bound": not self.complete,
            "n_named": self.n_named,
            "n_blank_shares": self.n_blank,
            "share_sum": self.share_sum,
            "aggregate_share": self.aggregate_share,
            "remainder": self.remainder,
            "shares": [{k: _clean(v) for k, v in r.items()} for r in self.shares],
        }


def _clean(value: Any) -> Any:
    return None if is_blank(value) else value


def side_shares(eto: EtoData, node_id: str, side: str, year: int | None = None) -> SideShares:
    """Firm or country concentration of one input or stage (rules in the module doc)."""
    picked = rows_for(eto, node_id, side, year)
    if not picked:
        return SideShares(
            side, None, [], 0, 0, None, 0.0, None, None, None, None, None, None, None, True
        )
    rows = [{k: r[k] for k in SHARE_FIELDS if k != "aggregate"} for r in picked]
    for r in rows:
        r["aggregate"] = r["kind"] == AGGREGATE
    named = sorted(
        (r for r in rows if not r["aggregate"]),
        key=lambda r: (
            is_blank(r["share"]),
            -(0.0 if is_blank(r["share"]) else r["share"]),
            r["provider"],
        ),
    )
    aggregates = sorted((r for r in rows if r["aggregate"]), key=lambda r: r["provider"])
    values = [r["share"] for r in named if not is_blank(r["share"])]
    aggregate_share = _r(sum(r["share"] for r in aggregates if not is_blank(r["share"])))
    n_blank = len(named) - len(values)
    hhi = upper = cr1 = cr3 = remainder = share_sum = None
    leader = leader_id = None
    if values:
        share_sum = _r(sum(values) + aggregate_share)
        remainder = _r(max(0.0, 100.0 - share_sum) + aggregate_share)
        hhi = _r(sum(v * v for v in values))
        upper = _r(hhi + remainder**2)
        cr1, cr3 = _r(values[0]), _r(sum(values[:3]))
        leader, leader_id = str(named[0]["provider"]), str(named[0]["provider_id"])
    return SideShares(
        side,
        int(rows[0]["year"]),
        [*named, *aggregates],
        len(named),
        n_blank,
        share_sum,
        aggregate_share,
        remainder,
        hhi,
        upper,
        cr1,
        cr3,
        leader,
        leader_id,
        n_blank == 0,
    )


def _r(value: float) -> float:
    """Percent arithmetic on one-decimal inputs, without float noise (92.6 + 2.6 = 95.2)."""
    return round(float(value), 6)


def history(eto: EtoData, node_id: str) -> list[int]:
    """Every year with share rows for an input or stage, oldest first."""
    years = eto.provision.loc[eto.provision["provided_id"] == node_id, "year"]
    return sorted({int(y) for y in years})


def is_blank(value: float | None) -> bool:
    """A blank share (None or NaN): unknown, never zero."""
    return is_missing(value)
