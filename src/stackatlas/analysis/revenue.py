"""A company's revenue for a year, with its evidence — never an ARR run-rate in its place.

Annualised recurring revenue (ARR) is a run-rate at a date: $20B ARR at the end of 2025 is
not $20B of 2025 revenue. Wherever stackatlas needs revenue (cycle returns, signals, the payback
gap) it calls ``revenue_for_year``, which tries in order:

1. an atlas figure with metric ``revenue`` for the year (a fiscal-year label counts for the year
   it names; the label is returned so the output can say "FY2025"): evidence ``reported`` when
   the figure's source is a filing, else ``estimated``;
2. for a model lab with shipped economics inputs (``data/economics/<lab>.yaml``), the model's
   revenue for the year: the mean of the ARR at the start and at the end of the year (2025:
   (6 + 20) / 2 = 13), evidence ``estimated`` where both ARR points come from sources and
   ``scenario`` where the ARR path is an assumption;
3. otherwise nothing (None): an unknown is never replaced by the run-rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.flow_periods import period_years, year_key
from stackatlas.atlas.models import SourceKind
from stackatlas.evidence import Evidence

UNIT_TO_BN = {"usd_billion": 1.0, "usd_million": 1e-3, "usd": 1e-9}


@dataclass(frozen=True)
class RevenuePoint:
    """Revenue of one company for one year (USD bn) and where it comes from."""

    company: str
    year: int
    value: float
    period: str  # the label printed with it: "2025", "FY2025"
    evidence: Evidence
    basis: str  # "reported", "estimated", or "estimated from ARR (economics model)"
    source: str  # atlas figure id, or "economics:<lab>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "year": self.year,
            "value": self.value,
            "period": self.period,
            "evidence": str(self.evidence),
            "basis": self.basis,
            "source": self.source,
        }


def revenue_for_year(atlas: Atlas, company: str, year: int) -> RevenuePoint | None:
    """Revenue of ``company`` in ``year`` (see the module doc for the order of sources)."""
    figures = [
        f
        for f in atlas.figures
        if f.subject == company
        and f.metric == "revenue"
        and f.unit in UNIT_TO_BN
        and f.kind in ("actual", "estimate")
        and period_years(f.period) == 1
        and year_key(f.period) == str(year)
    ]
    if figures:

        def rank(f: Any) -> tuple[int, str]:
            source = atlas.sources.get(f.source)
            return (0 if source and source.kind == SourceKind.FILING else 1, f.id)

        best = min(figures, key=rank)
        filed = rank(best)[0] == 0
        return RevenuePoint(
            company,
            year,
            best.value * UNIT_TO_BN[best.unit],
            best.period,
            Evidence.REPORTED if filed else Evidence.ESTIMATED,
            "reported" if filed else "estimated",
            best.id,
        )
    return _model_revenue(company, year)


def _model_revenue(company: str, year: int) -> RevenuePoint | None:
    path = _lab_revenue_path(company)
    if year not in path:
        return None
    value, evidence = path[year]
    return RevenuePoint(
        company,
        year,
        value,
        str(year),
        evidence,
        "estimated: mean of start and end ARR",
        f"economics:{company}",
    )


@lru_cache(maxsize=16)
def _lab_revenue_path(company: str) -> dict[int, tuple[float, Evidence]]:
    from stackatlas.analysis.economics import available_labs, project_lab

    if company not in available_labs():
        return {}
    table = project_lab(company).table
    rows = table[(table["metric"] == "revenue") & table["value"].notna()]
    return {
        int(y): (float(v), Evidence(e))
        for y, v, e in zip(rows["year"], rows["value"], rows["evidence"], strict=True)
    }
