"""Standard company metrics (revenue, capex, free cash flow ...) resolved from SEC facts.

``compute_metrics(facts, period)`` / ``company_metrics(cik, period)`` return one row per metric
and fiscal period with the concept, filing and derivation behind every value; ``METRICS`` is the
ordered candidate-concept table. ``company_fundamentals(company, period)`` is the same for an
atlas company or CIK as a result object (``to_dict`` / ``to_frame`` / ``__rich__``).
"""

from stackatlas.fundamentals.company import CompanyFundamentals, company_fundamentals
from stackatlas.fundamentals.concepts import METRICS, MetricSpec
from stackatlas.fundamentals.metrics import (
    METRIC_COLUMNS,
    PERIODS,
    company_metrics,
    compute_metrics,
    load_company_facts,
)

__all__ = [
    "METRICS",
    "METRIC_COLUMNS",
    "PERIODS",
    "CompanyFundamentals",
    "MetricSpec",
    "company_fundamentals",
    "company_metrics",
    "compute_metrics",
    "load_company_facts",
]
