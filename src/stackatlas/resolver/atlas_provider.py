"""Atlas figures as a provider: the last resort, after every SEC source.

Company figures whose metric maps to a standard money metric (``FIGURE_METRICS``) and whose
unit is USD. ``annualized_revenue`` (ARR, a year-end run rate) is deliberately not revenue;
projections are not resolved values of a period and are left out. Evidence is ``reported`` for
a figure whose source is a filing, else ``estimated``. A period ``2025`` / ``CY2025`` is a
calendar year (``fiscal_period`` ``CY``); ``FY2024`` is a fiscal year whose dates the resolver
takes from the company's fiscal calendar when another provider knows it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Company, FigureKind, SourceKind, SubjectType
from stackatlas.errors import DataUnavailableError
from stackatlas.evidence import Evidence
from stackatlas.resolver.providers import PROVIDER_COLUMNS, empty_facts

FIGURE_METRICS: dict[str, tuple[str, float]] = {
    # atlas figure metric -> (standard metric, sign); burn is negative free cash flow
    "revenue": ("revenue", 1.0),
    "gross_profit": ("gross_profit", 1.0),
    "operating_income": ("operating_income", 1.0),
    "operating_loss": ("operating_income", -1.0),
    "capex": ("capex", 1.0),
    "operating_cash_flow": ("operating_cash_flow", 1.0),
    "free_cash_flow": ("free_cash_flow", 1.0),
    "cash_burn": ("free_cash_flow", -1.0),
    "burn": ("free_cash_flow", -1.0),
}
UNIT_SCALE = {"usd_billion": 1e9, "usd_million": 1e6, "usd": 1.0}
_PERIOD = re.compile(r"^(CY|FY)?\s*(\d{4})$", re.IGNORECASE)


class AtlasFiguresProvider:
    """Sourced company figures of the atlas (see the module docstring)."""

    name = "atlas"
    label = "atlas figures"
    filing = False

    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas

    def version(self, company: Company) -> tuple:
        """The company's figures themselves (and their sources' kinds): what the answer reads."""
        return (
            "atlas",
            tuple(
                (f.id, f.metric, f.value, f.unit, f.period, f.kind, self._filed(f.source))
                for f in self.atlas.figures
                if f.subject_type == SubjectType.COMPANY and f.subject == company.id
            ),
        )

    def _filed(self, source_id: str) -> bool:
        source = self.atlas.sources.get(source_id)
        return source is not None and source.kind == SourceKind.FILING

    def fetch(
        self, company: Company, metrics: Sequence[str], periods: Sequence[str]
    ) -> pd.DataFrame:
        if "annual" not in periods:
            return empty_facts()
        rows = []
        for f in self.atlas.figures:
            if f.subject_type != SubjectType.COMPANY or f.subject != company.id:
                continue
            mapped = FIGURE_METRICS.get(f.metric)
            scale = UNIT_SCALE.get(f.unit)
            match = _PERIOD.match(f.period.strip())
            if mapped is None or scale is None or match is None or mapped[0] not in metrics:
                continue
            if f.kind == FigureKind.PROJECTION:
                continue
            metric, sign = mapped
            source = self.atlas.sources.get(f.source)
            filed = source is not None and source.kind == SourceKind.FILING
            year = int(match.group(2))
            fiscal = (match.group(1) or "").upper() == "FY"
            rows.append(
                {
                    "metric": metric,
                    "fiscal_year": year,
                    "fiscal_period": "FY" if fiscal else "CY",
                    "start": None if fiscal else pd.Timestamp(year=year, month=1, day=1).date(),
                    "end": None if fiscal else pd.Timestamp(year=year, month=12, day=31).date(),
                    "value": sign * f.value * scale,
                    "evidence": Evidence.REPORTED if filed else Evidence.ESTIMATED,
                    "reference": f.id,
                    "basis": f"atlas figure {f.id} ({f.kind.value}, {f.period}, source {f.source})",
                }
            )
        if not rows:
            raise DataUnavailableError(f"no atlas money figure for {company.id}")
        return pd.DataFrame(rows, columns=PROVIDER_COLUMNS)
