"""Periods of money flows: annual amounts vs multi-year commitments, and annualising.

An atlas flow states its amount for a period label. One-year labels ("2025", "2026E",
"FY2026") are **annual** flows: an amount that belongs to one year. A quarter or half ("Q2
FY2026") is **part-year**: not a year's amount, and never scaled up to one. Everything else is
**multi-year**: a commitment or a stake built or paid over several years
("2019-2026", "2025-2030") or over a term the source does not give ("from 2025 (term not
disclosed)", "until 2032"). The two are never added together.

A multi-year amount becomes a yearly one only over a stated term: ``amount / years`` in each
calendar year of the term, evidence ``derived`` at best (the split is a formula, and says
nothing about when the money really moves). Without a stated term it is never annualised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Horizon = Literal["annual", "part_year", "multi_year"]

_SPAN = re.compile(r"(?:FY|CY)?(\d{4})E?\s*[-–/]\s*(?:FY|CY)?(\d{2,4})E?")
_QUARTER = re.compile(r"Q[1-4]\s*(?:FY|CY)?\s*(\d{4})E?")
_HALF = re.compile(r"H[12]\s*(?:FY|CY)?\s*(\d{4})E?")
_YEAR = re.compile(r"(?:FY|CY)?\s*(\d{4})E?")


def period_years(period: str) -> float | None:
    """Years a period label spans: "2025" / "2026E" / "FY2026" -> 1, "2019-2032" -> 14,
    "Q4 FY2026" -> 0.25, "H1 2025" -> 0.5; None when it cannot be read."""
    text = period.strip().upper()
    span = _SPAN.fullmatch(text)
    if span:
        start, end = _span_ends(span)
        return float(end - start + 1) if end >= start else None
    if _QUARTER.fullmatch(text):
        return 0.25
    if _HALF.fullmatch(text):
        return 0.5
    if _YEAR.fullmatch(text) or text == "TTM":
        return 1.0
    return None


def period_span(period: str) -> tuple[int, int] | None:
    """(first, last) year named by a label: "2026E" -> (2026, 2026), "FY2026" -> (2026, 2026)
    (the fiscal year's label, not re-mapped to a calendar year), "2019-2026" -> (2019, 2026),
    "Q4 FY2026" -> (2026, 2026); None for "TTM" or free text."""
    text = period.strip().upper()
    span = _SPAN.fullmatch(text)
    if span:
        start, end = _span_ends(span)
        return (start, end) if end >= start else None
    for pattern in (_QUARTER, _HALF, _YEAR):
        hit = pattern.fullmatch(text)
        if hit:
            year = int(hit.group(1))
            return year, year
    return None


def _span_ends(span: re.Match[str]) -> tuple[int, int]:
    start, end = int(span.group(1)), int(span.group(2))
    if end < 100:
        end += start // 100 * 100
    return start, end


def horizon(period: str) -> Horizon:
    """``annual`` for a one-year period, ``part_year`` for a quarter or half, else
    ``multi_year`` (several years, or a term the label does not give)."""
    years = period_years(period)
    if years == 1:
        return "annual"
    return "part_year" if years is not None and years < 1 else "multi_year"


def is_projection(period: str) -> bool:
    """A label marked as a projection ("2026E")."""
    return bool(re.search(r"\d{4}E\b", period.strip().upper()))


@dataclass(frozen=True)
class Term:
    """How a flow's period reads: its horizon, span and what to print for it."""

    horizon: Horizon
    years: float | None  # span in years; None when the term is not stated
    first: int | None
    last: int | None

    @property
    def stated(self) -> bool:
        """A multi-year term that can be annualised over (a span of years)."""
        return self.horizon == "multi_year" and self.years is not None

    def label(self) -> str:
        if self.horizon == "annual":
            return "annual"
        if self.horizon == "part_year":
            return "part of a year"
        if self.years is None:
            return "term not disclosed"
        return f"{self.years:.0f} years ({self.first}-{self.last})"


def term_of(period: str) -> Term:
    span = period_span(period)
    first, last = span if span else (None, None)
    years = period_years(period)
    kind = horizon(period)
    return Term(kind, years, first, last)


def year_key(period: str) -> str:
    """The yearly bucket of an annual flow: "2026E" and "FY2026" -> "2026"; "TTM" stays."""
    span = period_span(period)
    return str(span[0]) if span else period.strip()
