"""Provider figures in another currency -> USD, with the rate and its source on every number.

Used by the providers outside EDGAR (Yahoo Finance statements in KRW or JPY, a user's CSV in
EUR ...). The rule is the one the SEC path uses (``stackatlas.fundamentals.fx``): the annual
average of the calendar year holding most of the period's days (``calendar_year_of``; the
end's year when the start is unknown; the label year of a fiscal year stated without dates),
from the sourced FX table. A converted value is at best
``derived`` and its basis names the rate and source; without a rate the value is None,
evidence ``unresolved`` and the basis says which rate is missing and how to add one.
"""

from __future__ import annotations

import pandas as pd

from stackatlas.evidence import Evidence
from stackatlas.fundamentals.fx import fx_rate, missing_rate
from stackatlas.resolver.calendar import calendar_year_of


def period_year(start: object, end: object, label_year: object = None) -> int | None:
    """The calendar year whose annual average converts a period (the label year without an
    end date; None without either)."""
    if _missing(end):
        return None if _missing(label_year) else int(pd.to_numeric(label_year))
    if _missing(start):
        return int(pd.Timestamp(end).year)
    return calendar_year_of(pd.Timestamp(start), pd.Timestamp(end))


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def to_usd(facts: pd.DataFrame, currency: str) -> pd.DataFrame:
    """``PROVIDER_COLUMNS`` rows stated in ``currency`` -> USD (see the module docstring)."""
    cur = currency.upper()
    if cur == "USD" or facts.empty:
        return facts
    out = facts.copy()
    values: list[float | None] = []
    evidence: list[Evidence] = []
    basis: list[str] = []
    for row in out.to_dict("records"):
        year = period_year(row["start"], row["end"], row.get("fiscal_year"))
        rate = fx_rate(cur, year) if year is not None else None
        raw = row["value"]
        if raw is None or pd.isna(raw):
            values.append(None)
            evidence.append(Evidence.UNRESOLVED)
            basis.append(row["basis"])
        elif rate is None:
            values.append(None)
            evidence.append(Evidence.UNRESOLVED)
            basis.append(f"{row['basis']} ({cur} {float(raw):,.0f}); {missing_rate(cur, year)}")
        else:
            values.append(float(raw) * rate.usd_per_unit)
            ev = Evidence(row["evidence"])
            evidence.append(Evidence.DERIVED if ev is Evidence.REPORTED else ev)
            basis.append(
                f"{row['basis']} ({cur} {float(raw):,.0f}); converted from {cur} at "
                f"{rate.describe()}"
            )
    out["value"] = pd.Series(values, index=out.index, dtype=object)
    out["evidence"] = evidence
    out["basis"] = basis
    return out
