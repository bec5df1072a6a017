"""Scenario impact on a portfolio: profit at risk of the holdings from the scenario engine.

The engine (``stackatlas.scenarios.run_scenario``) gives each company a revenue loss over the
scenario horizon as a percentage of its baseline revenue (``revenue_at_risk_pct``, > 0 = loss)
and an operating profit at risk equal to that lost revenue times a contribution margin. Relative
to the company's baseline contribution profit, profit at risk is therefore the same percentage.

Portfolio profit at risk = sum over look-through positions of weight x the company's profit at
risk (fraction, > 0 = loss). Companies the engine does not model, cash and unmapped positions
count as no change and are reported as not covered. With Monte Carlo draws the engine exposes
company percentiles only, so p5 / p50 / p95 are position-weighted sums of company percentiles:
this assumes the companies move together (comonotonic), so the band is if anything too wide.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import DataUnavailableError
from stackatlas.portfolio.resolve import Position

BAND_METHOD = "weighted company percentiles (comonotonic)"


@dataclass
class ScenarioImpact:
    """Portfolio profit at risk per scenario (fractions of profit, > 0 = loss)."""

    summary: pd.DataFrame  # scenario, title, profit_at_risk, p5, p50, p95, band_method, covered,
    # horizon_quarters (the quarters profit at risk is summed over)
    contributions: pd.DataFrame  # scenario, company, name, weight, profit_at_risk, contribution
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def rec(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {
                    k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                    for k, v in r.items()
                }
                for r in df.to_dict(orient="records")
            ]

        return {
            "summary": rec(self.summary),
            "contributions": rec(self.contributions),
            "notes": self.notes,
            "evidence": "scenario",
        }


def _engine() -> tuple[Callable[..., Any], Callable[[], list[dict[str, str]]]]:
    try:
        from stackatlas.scenarios import list_scenarios, run_scenario
    except ImportError as exc:
        raise DataUnavailableError(
            f"the scenario engine is not available in this build ({exc}); scenario impact "
            "cannot be computed"
        ) from None
    return run_scenario, list_scenarios


def company_profit_at_risk(result: Any) -> pd.DataFrame:
    """company, name, par, p5, p50, p95 (fractions, > 0 = loss) from a ScenarioResult."""
    df = result.companies
    out = pd.DataFrame(
        {
            "company": df["company"].astype(str),
            "name": df["name"],
            "par": df["revenue_at_risk_pct"].astype(float) / 100,
        }
    )
    for p in ("p5", "p50", "p95"):
        col = f"pct_{p}"
        out[p] = df[col].astype(float) / 100 if col in df.columns else math.nan
    return out[out["par"].notna()]


def weighted_impact(
    name: str,
    title: str,
    table: pd.DataFrame,
    weights: dict[str, float],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Summary row and per-company contributions for one scenario result table."""
    by_company = table.set_index("company")
    contrib, covered = [], 0.0
    total = p5 = p50 = p95 = 0.0
    for cid, w in weights.items():
        if cid not in by_company.index:
            continue
        row = by_company.loc[cid]
        covered += w
        total += w * row["par"]
        p5, p50, p95 = p5 + w * row["p5"], p50 + w * row["p50"], p95 + w * row["p95"]
        contrib.append(
            {
                "scenario": name,
                "company": cid,
                "name": row["name"],
                "weight": w,
                "profit_at_risk": float(row["par"]),
                "contribution": w * row["par"],
            }
        )
    banded = not math.isnan(p5)
    return (
        {
            "scenario": name,
            "title": title,
            "profit_at_risk": total,
            "p5": p5 if banded else math.nan,
            "p50": p50 if banded else math.nan,
            "p95": p95 if banded else math.nan,
            "band_method": BAND_METHOD if banded else "point estimate (no Monte Carlo)",
            "covered": covered,
        },
        contrib,
    )


def scenario_impact(
    atlas: Atlas, positions: list[Position], scenario: str, *, draws: int = 0, seed: int = 0
) -> ScenarioImpact:
    """Profit at risk for ``scenario``, or for every shipped scenario with ``"all"``."""
    run, listing = _engine()
    shipped = listing()
    skipped: list[str] = []
    if scenario == "all":  # chip-input scenarios need the CSET/ETO dataset
        from stackatlas.supplychain.loader import configured_dir

        ready = configured_dir() is not None
        names = [s["name"] for s in shipped if ready or s.get("needs") != "eto"]
        skipped = [s["name"] for s in shipped if s["name"] not in names]
    else:
        names = [scenario]
    weights: dict[str, float] = defaultdict(float)
    for p in positions:
        if p.company:
            weights[p.company] += p.weight
    summaries, contribs = [], []
    for name in names:
        result = run(name, atlas=atlas, draws=draws, seed=seed)
        s, c = weighted_impact(
            result.scenario, result.title, company_profit_at_risk(result), dict(weights)
        )
        s["horizon_quarters"] = result.quarters
        summaries.append(s)
        contribs.extend(c)
    quarters = sorted({s["horizon_quarters"] for s in summaries})
    notes = [
        "profit at risk: share of the holdings' baseline contribution profit lost over each "
        f"scenario's horizon ({', '.join(map(str, quarters))} quarters), weighted by position; "
        "negative = a gain"
    ]
    if skipped:
        notes.append(
            "not run (they start at a chip input and need the CSET/ETO dataset: "
            "STACKATLAS_ETO_DIR): " + ", ".join(skipped)
        )
    uncovered = 1 - min(s["covered"] for s in summaries) if summaries else 1.0
    if uncovered > 1e-9:
        notes.append(
            f"{uncovered:.0%} of the portfolio (cash, unmapped, or companies outside "
            "the scenario network) counts as no change"
        )
    contrib_df = pd.DataFrame(
        contribs,
        columns=["scenario", "company", "name", "weight", "profit_at_risk", "contribution"],
    )
    contrib_df = contrib_df.sort_values(
        ["scenario", "contribution"], ascending=[True, False], ignore_index=True
    )
    return ScenarioImpact(pd.DataFrame(summaries), contrib_df, notes)
