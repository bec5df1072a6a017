"""Where company numbers come from: the provider seam of the resolver.

A provider is one module with one method::

    fetch(company, metrics, periods) -> DataFrame (PROVIDER_COLUMNS)

``company`` is an atlas ``Company``; ``metrics`` names standard metrics (``revenue``,
``operating_income``, ``capex``, ...); ``periods`` is a subset of ``("annual", "quarterly")``.
It returns fiscal periods as the source states them, money in USD:

=============== =============================================================================
metric          standard metric name
fiscal_year     the company's label for its fiscal year (the year it ends in, as a rule)
fiscal_period   ``FY``, ``Q1``..``Q4``, or ``CY`` for a figure stated for a calendar year
start, end      the period's dates (``datetime.date``); None when the source does not say
value           USD (full units)
evidence        ``reported`` / ``derived`` / ``estimated`` (``stackatlas.evidence``)
reference       what a reader can look up: accession number, atlas figure id, URL, file line
basis           how the value was read (concept, derivation, quote), in words
=============== =============================================================================

A provider may also have ``version(company) -> hashable | None``: what its answer depends on
(a file's size and mtime, a store's row count ...). The resolver then keeps the company's
resolved numbers in memory until a version changes; without it (or with None) nothing is kept.

A provider with nothing for a company returns an empty frame, or raises
``DataUnavailableError`` with the reason; unreadable data raises ``ValidationError`` (the
company is then reported as unreadable, never silently filled from a weaker source). Each
provider has a ``name`` (the ``source`` column of resolved values) and a ``label``.

The resolver asks providers in order and keeps, per company, metric and period, the first that
answers. Shipped order: ``sec-companyfacts`` -> ``sec-filing`` -> ``atlas``. A provider for a
commercial or user source (Yahoo Finance, a user CSV) goes after the SEC providers — it must
never be preferred over a filing (``Resolver`` refuses such an order unless told otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

import pandas as pd

from stackatlas.atlas.models import Company
from stackatlas.errors import DataUnavailableError

PROVIDER_COLUMNS = [
    "metric",
    "fiscal_year",
    "fiscal_period",
    "start",
    "end",
    "value",
    "evidence",
    "reference",
    "basis",
]
PERIOD_KINDS = ("annual", "quarterly")


@runtime_checkable
class Provider(Protocol):
    """One source of company numbers (see the module docstring)."""

    name: str
    label: str
    filing: bool  # True for a source that reads SEC filings (ranked before any other)

    def fetch(
        self, company: Company, metrics: Sequence[str], periods: Sequence[str]
    ) -> pd.DataFrame: ...


def empty_facts() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PROVIDER_COLUMNS})


def from_metric_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``PROVIDER_COLUMNS`` from a ``stackatlas.fundamentals`` metrics frame (concept and
    accession become ``basis`` and ``reference``)."""
    if frame.empty:
        return empty_facts()
    out = frame[["metric", "fiscal_year", "fiscal_period", "start", "end", "value", "evidence"]]
    out = out.copy()
    concept = (
        frame["concept"].astype(str) if "concept" in frame else pd.Series("", index=frame.index)
    )
    deriv = (
        frame["derivation"].astype(str)
        if "derivation" in frame
        else pd.Series("", index=frame.index)
    )
    out["reference"] = frame.get("accession")
    out["basis"] = [_basis(c, d) for c, d in zip(concept, deriv, strict=True)]
    return out[PROVIDER_COLUMNS].reset_index(drop=True)


def _basis(concept: str, derivation: str) -> str:
    if derivation in ("", "reported", "None", "nan"):
        return concept
    if derivation == f"fallback: {concept}":
        return f"{concept} (a fallback concept)"
    return f"{concept} ({derivation})"


class FrameProvider:
    """Metric frames already in memory, by company id: for tests, notebooks and data a caller
    has loaded itself. Values are frames shaped like ``stackatlas.fundamentals`` output
    (metric, fiscal_year, fiscal_period, start, end, value, evidence; concept / accession
    optional), or ``(annual, quarterly)`` pairs, or an exception to raise for that company."""

    def __init__(
        self,
        frames: Mapping[str, pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame] | Exception],
        *,
        name: str = "frames",
        label: str = "metric frames supplied by the caller",
        filing: bool = False,
    ) -> None:
        self.frames = dict(frames)
        self.name = name
        self.label = label
        self.filing = filing

    def fetch(
        self, company: Company, metrics: Sequence[str], periods: Sequence[str]
    ) -> pd.DataFrame:
        held = self.frames.get(company.id)
        if held is None:
            raise DataUnavailableError(f"no {self.label} for {company.id}")
        if isinstance(held, Exception):
            raise held
        parts = list(held) if isinstance(held, tuple) else [held]
        frame = pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)
        frame = frame[frame["metric"].isin(metrics)]
        wanted = {"FY", "CY"} if "annual" in periods else set()
        if "quarterly" in periods:
            wanted |= {"Q1", "Q2", "Q3", "Q4"}
        frame = frame[frame["fiscal_period"].astype(str).isin(wanted)]
        return from_metric_frame(frame)
