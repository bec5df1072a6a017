"""Company money metrics, calendar-aligned, as inputs for the money analyses.

A thin door to the one resolver (``stackatlas.resolver``): every analysis gets its company
numbers from ``gather``, so pools, capex, signals and the audit never disagree about a
company-year. Pass ``resolver`` to choose the sources (tests pass a ``FrameProvider``);
without it the default order is SEC companyfacts -> inline-XBRL filings -> atlas figures.

Frames use full USD; columns: company_id, metric, period, calendar_year, value, evidence,
basis, source, rule, reference.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from stackatlas.atlas.atlas import Atlas
from stackatlas.resolver.resolver import MetricInputs, Resolver
from stackatlas.resolver.sec_providers import MONEY_METRICS, NO_FACTS

if TYPE_CHECKING:
    from stackatlas.store import Store

__all__ = ["MONEY_METRICS", "NO_FACTS", "MetricInputs", "gather", "resolver_for"]


def resolver_for(
    atlas: Atlas, *, store: Store | None = None, resolver: Resolver | None = None
) -> Resolver:
    """The resolver given, else the default one over ``store`` / ``STACKATLAS_SEC_DIR``."""
    if resolver is not None:
        return resolver
    return Resolver(atlas, store=store)


def gather(
    atlas: Atlas,
    company_ids: Iterable[str],
    *,
    store: Store | None = None,
    resolver: Resolver | None = None,
) -> MetricInputs:
    """Calendar years, quarters and TTM of the companies; those without data are
    ``not_covered`` with the reason (an unreadable file is named, never filled silently)."""
    return resolver_for(atlas, store=store, resolver=resolver).inputs(company_ids)
