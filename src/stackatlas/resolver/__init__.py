"""One resolver for company numbers: SEC companyfacts -> inline-XBRL filings -> atlas figures.

``Resolver`` (``resolver.py``) chooses per company, metric and period; providers
(``providers.py``: the ``fetch(company, metrics, periods)`` seam, ``FrameProvider``;
``sec_providers.py``; ``atlas_provider.py``) supply fiscal periods; ``calendar.py`` holds the
fiscal -> calendar rule; ``periods.py`` the period names (CY / FY).
"""

from stackatlas.resolver.periods import Period, parse_period, period_label
from stackatlas.resolver.providers import (
    PROVIDER_COLUMNS,
    FrameProvider,
    Provider,
)
from stackatlas.resolver.resolver import (
    MetricInputs,
    Resolved,
    Resolver,
    default_providers,
)

__all__ = [
    "PROVIDER_COLUMNS",
    "FrameProvider",
    "MetricInputs",
    "Period",
    "Provider",
    "Resolved",
    "Resolver",
    "default_providers",
    "parse_period",
    "period_label",
]
