"""Scenario impact on a portfolio: profit at risk of the holdings from the scenario engine.

For each scenario the engine (``stackatlas.scenarios.run_scenario``) returns a per-company
relative change in profit. The portfolio's profit at risk is the position-weighted sum of those
changes over the look-through positions (a company the scenario does not touch counts 0; cash
and unmapped positions count 0 and are reported as such). With Monte Carlo draws, p5 / p50 /
p95 are taken over the per-draw portfolio sums when the engine exposes per-draw company
results, else they are the weighted sums of company percentiles (which assumes the companies
move together, so the band is, if anything, too wide) - the result says which.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import DataUnavailableError
from stackatlas.portfolio.resolve import Position

CHANGE_COLUMNS = ("profit_change_pct", "profit_change", "delta_profit_pct", "profit_at_risk",
                  "operating_income_change_pct", "change_pct", "impact")


@dataclass
class ScenarioImpact:
    """Portfolio profit at risk per scenario (fractions, negative = profit falls)."""

    summary: pd.DataFrame  # scenario, profit_at_risk, p5, p50, p95, band_method, covered
    contributions: pd.DataFrame  # scenario, company, name, weight, change, contribution
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def rec(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                     for k, v in r.items()} for r in df.to_dict(orient="records")]

        return {"summary": rec(self.summary), "contributions": rec(self.contributions),
                "notes": self.notes}


def _runner() -> tuple[Callable[..., Any], Callable[[], Any]]:
    try:
        from stackatlas.scenarios import list_scenarios, run_scenario  # type: ignore[attr-defined]
    except ImportError as exc:
        raise DataUnavailableError(
            f"the scenario engine is not available in this build ({exc}); scenario impact "
            "cannot be computed") from None
    return run_scenario, list_scenarios


def company_changes(result: Any) -> tuple[pd.DataFrame, np.ndarray | None, list[str]]:
    """Normalize an engine result to (frame[company, change, p5, p50, p95], draws, draw_cols).

    ``draws`` is a (n_draws x n_companies) array aligned with ``draw_cols`` when the engine
    exposes per-draw company results, else None.
    """
    table = None
    for attr in ("companies", "company_results", "by_company", "results"):
        value = getattr(result, attr, None)
        if value is not None:
            table = value
            break
    if table is None and isinstance(result, pd.DataFrame):
        table = result
    if table is None:
        raise DataUnavailableError("scenario result has no per-company results")
    df = table if isinstance(table, pd.DataFrame) else pd.DataFrame(
        [t if isinstance(t, dict) else getattr(t, "__dict__", {}) for t in table])
    cid = next((c for c in ("company", "company_id", "id", "node") if c in df.columns), None)
    col = next((c for c in CHANGE_COLUMNS if c in df.columns), None)
    if cid is None or col is None:
        raise DataUnavailableError(
            f"scenario result lacks a company / profit change column (has {list(df.columns)})")
    out = pd.DataFrame({"company": df[cid].astype(str), "change": df[col].astype(float)})
    for p in ("p5", "p50", "p95"):
        out[p] = df[p].astype(float) if p in df.columns else math.nan
    draws = getattr(result, "company_draws", None)
    cols: list[str] = []
    if isinstance(draws, pd.DataFrame):
        cols, draws = [str(c) for c in draws.columns], draws.to_numpy(dtype=float)
    else:
        draws = None
    return out, draws, cols


def _one(atlas: Atlas, weights: dict[str, float], name: str, result: Any,
         ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    changes, draws, draw_cols = company_changes(result)
    by_company = changes.set_index("company")
    contrib, covered = [], 0.0
    total = p5 = p50 = p95 = 0.0
    for cid, w in weights.items():
        if cid not in by_company.index:
            continue
        row = by_company.loc[cid]
        covered += w
        total += w * row["change"]
        p5, p50, p95 = p5 + w * row["p5"], p50 + w * row["p50"], p95 + w * row["p95"]
        contrib.append({"scenario": name, "company": cid, "name": atlas.companies[cid].name
                        if cid in atlas.companies else cid, "weight": w,
                        "change": float(row["change"]), "contribution": w * row["change"]})
    method = "company percentiles summed (comonotonic)"
    if draws is not None and draw_cols:
        vec = np.array([weights.get(c, 0.0) for c in draw_cols])
        sums = draws @ vec
        p5, p50, p95 = (float(np.percentile(sums, q)) for q in (5, 50, 95))
        method = "per-draw portfolio sums"
    elif math.isnan(p5):
        method = "point estimate (no Monte Carlo)"
    summary = {"scenario": name, "profit_at_risk": total, "p5": p5, "p50": p50, "p95": p95,
               "band_method": method, "covered": covered}
    return summary, contrib


def scenario_impact(atlas: Atlas, positions: list[Position], scenario: str, *, draws: int = 0,
                    seed: int = 0, runner: Callable[..., Any] | None = None,
                    names: list[str] | None = None) -> ScenarioImpact:
    """Profit at risk for ``scenario`` (or every shipped scenario when ``scenario == "all"``)."""
    run = runner
    if run is None or (scenario == "all" and names is None):
        engine_run, engine_list = _runner()
        run = run or engine_run
        if scenario == "all" and names is None:
            listed = engine_list()
            names = [getattr(s, "name", s) if not isinstance(s, str) else s for s in listed]
    weights: dict[str, float] = defaultdict(float)
    for p in positions:
        if p.company:
            weights[p.company] += p.weight
    summaries, contribs = [], []
    for name in (names if scenario == "all" and names else [scenario]):
        result = run(name, atlas=atlas, draws=draws, seed=seed)
        s, c = _one(atlas, dict(weights), str(name), result)
        summaries.append(s)
        contribs.extend(c)
    notes = [f"{1 - sum(weights.values()):.0%} of the portfolio (cash, unmapped) is outside "
             "the scenario network and counts as no change"] if sum(weights.values()) < 1 else []
    contrib_df = pd.DataFrame(contribs, columns=["scenario", "company", "name", "weight",
                                                 "change", "contribution"])
    contrib_df = contrib_df.sort_values(["scenario", "contribution"], ignore_index=True)
    return ScenarioImpact(pd.DataFrame(summaries), contrib_df, notes)
