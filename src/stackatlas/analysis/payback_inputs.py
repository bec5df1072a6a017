"""The inputs of the payback model that come from the atlas and the trackers: big-4 capex
vintages (the capex tracker), the end-user AI revenue the atlas can source (revenue, never a
run-rate) and Cahn's anchor with today's Nvidia run-rate."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from stackatlas.analysis.payback_params import PaybackInputs
from stackatlas.atlas.atlas import Atlas
from stackatlas.evidence import Evidence, combine

if TYPE_CHECKING:
    from stackatlas.store import Store

GROUP = "big4-hyperscalers"


def cahn_revenue_needed(
    gpu_spend: float, dc_cost_multiple: float = 2.0, end_user_gross_margin: float = 0.5
) -> float:
    """Sequoia's formula: GPU spend × the data-center cost multiple / (1 − end-user margin)."""
    return gpu_spend * dc_cost_multiple / (1 - end_user_gross_margin)


def capex_vintages(atlas: Atlas, store: Store | None = None, years: int = 4) -> pd.DataFrame:
    """Big-4 capex per calendar year (USD bn): the capex tracker's complete years, then the
    atlas's sourced group figures (the ``2026E`` projection), then for any other year the
    members' sum with a member unresolved, marked incomplete (a lower bound). A sum of one or
    two members never stands in for the group's sourced figure of the same year."""
    from stackatlas.analysis.capex import hyperscaler_capex

    rows = hyperscaler_capex(atlas, store=store, years=years).rows
    out: list[dict[str, Any]] = []

    def tracker(entity: str, complete: bool) -> None:
        part = rows[(rows["entity"] == entity) & rows["period"].astype(str).str.isdigit()]
        for r in part.to_dict(orient="records"):
            year = int(r["period"])
            if r["capex"] is None or pd.isna(r["capex"]) or year in {o["year"] for o in out}:
                continue
            missing = r.get("missing") or ""
            if isinstance(missing, list | tuple):
                missing = ", ".join(missing)
            basis = _tracker_basis(str(r.get("capex_evidence") or ""))
            if not complete:
                basis += f"; missing {missing} (a lower bound)"
            out.append(_vintage(year, float(r["capex"]), None, None, basis, complete, r))

    tracker(GROUP, True)
    projected = [
        f
        for f in atlas.figures
        if f.subject == GROUP and f.metric == "capex" and f.unit == "usd_billion"
    ]
    for f in projected:
        year = int(re.sub(r"\D", "", f.period)[:4])
        if year not in {o["year"] for o in out}:
            basis = f"{f.kind} (atlas {f.id}, {f.source})"
            out.append(
                _vintage(year, f.value, f.low, f.high, basis, True, {"evidence": "estimated"})
            )
    tracker(f"{GROUP} (partial)", False)
    frame = pd.DataFrame(
        out,
        columns=[
            "year",
            "capex",
            "capex_low",
            "capex_high",
            "capex_basis",
            "complete",
            "capex_evidence",
        ],
    )
    return frame.sort_values("year").reset_index(drop=True)


def _tracker_basis(evidence: str) -> str:
    """Where a tracker sum comes from: the filings (every member reported or derived from
    them), else the atlas's sourced figures for some member (evidence estimated)."""
    if evidence in (Evidence.REPORTED.value, Evidence.DERIVED.value):
        return "filings"
    return "includes atlas figures (estimated)"


def _vintage(
    year: int,
    capex: float,
    low: float | None,
    high: float | None,
    basis: str,
    complete: bool,
    row: dict[str, Any],
) -> dict[str, Any]:
    evidence = Evidence(str(row.get("evidence") or "estimated"))
    return {
        "year": year,
        "capex": capex,
        "capex_low": low,
        "capex_high": high,
        "capex_basis": basis,
        "complete": complete,
        "capex_evidence": str(evidence if complete else combine([evidence, Evidence.ESTIMATED])),
    }


def ai_revenue(atlas: Atlas, inputs: PaybackInputs, years: list[int]) -> pd.DataFrame:
    """End-user AI revenue per counted company and year (revenue, never a run-rate), then the
    run-rates for reference (``counted`` False)."""
    from stackatlas.analysis.revenue import revenue_for_year

    rows = []
    estimates = {(e.company, e.year): e for e in inputs.estimates}
    for company in inputs.counted:
        for year in years:
            point = revenue_for_year(atlas, company, year)
            if point is not None:
                rows.append(
                    {
                        "company": company,
                        "year": year,
                        "metric": "revenue",
                        "value": point.value,
                        "low": point.value,
                        "high": point.value,
                        "counted": True,
                        "basis": point.basis,
                        "evidence": str(point.evidence),
                        "source": point.source,
                    }
                )
            elif (company, year) in estimates:
                e = estimates[(company, year)]
                rows.append(
                    {
                        "company": company,
                        "year": year,
                        "metric": "revenue",
                        "value": e.value,
                        "low": e.low,
                        "high": e.high,
                        "counted": True,
                        "basis": "estimated from run-rates (payback.yaml)",
                        "evidence": str(Evidence.ESTIMATED),
                        "source": ";".join(e.sources),
                    }
                )
    for r in inputs.run_rates:
        rows.append(
            {
                "company": r.company,
                "year": int(r.date[:4]),
                "metric": f"run-rate at {r.date}",
                "value": r.value,
                "low": r.value,
                "high": r.value,
                "counted": False,
                "basis": "run-rate, not revenue" + (f"; {r.note}" if r.note else ""),
                "evidence": str(Evidence.ESTIMATED),
                "source": r.source,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "company",
            "year",
            "metric",
            "value",
            "low",
            "high",
            "counted",
            "basis",
            "evidence",
            "source",
        ],
    )


def anchor(atlas: Atlas, inputs: PaybackInputs) -> dict[str, Any]:
    """Cahn's inputs and result (must equal the article's $600B), and today's run-rate."""
    a = inputs.anchor
    gpu, multiple = float(a["gpu_run_rate"]["value"]), float(a["dc_cost_multiple"]["value"])
    margin = float(a["end_user_gross_margin"]["value"])
    out: dict[str, Any] = {
        "gpu_run_rate": gpu,
        "dc_cost_multiple": multiple,
        "end_user_gross_margin": margin,
        "revenue_needed": cahn_revenue_needed(gpu, multiple, margin),
        "article_says": inputs.anchor_revenue_needed,
        "source": a["gpu_run_rate"].get("source"),
    }
    latest = _latest_quarter(atlas, "nvidia", "data_center_revenue")
    if latest is not None:
        value, period, figure = latest
        out["today"] = {
            "gpu_run_rate": value * 4,
            "period": period,
            "figure": figure,
            "revenue_needed": cahn_revenue_needed(value * 4, multiple, margin),
            "evidence": str(Evidence.ESTIMATED),
            "note": f"Nvidia data-center revenue of {period} × 4 (a run-rate), Cahn's multiples",
        }
    return out


def _latest_quarter(atlas: Atlas, company: str, metric: str) -> tuple[float, str, str] | None:
    scale = {"usd_billion": 1.0, "usd_million": 1e-3}
    found = []
    for f in atlas.figures:
        m = re.fullmatch(r"Q([1-4])\s*FY(\d{4})", f.period.strip())
        if f.subject == company and f.metric == metric and m and f.unit in scale:
            found.append(((int(m.group(2)), int(m.group(1))), f))
    if not found:
        return None
    _, best = max(found, key=lambda kv: kv[0])
    return best.value * scale[best.unit], best.period, best.id
