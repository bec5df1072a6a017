"""What each scenario output measures: denominators, horizon and the sign of a gain.

One place for the words every output uses (JSON ``measures``, the rich view, the web page and
report, chart titles), so a percentage always names its denominator and its horizon and money
columns always say over how many quarters they are summed.
"""

from __future__ import annotations

import pandas as pd

GENERIC_GAINS = (
    "A negative revenue at risk is a gain: this scenario raises some companies' revenue above "
    "their baseline (demand moves towards them), measured against the same baseline and horizon "
    "as a loss."
)


def horizon(quarters: int) -> str:
    """``8 quarters`` / ``1 quarter``."""
    return f"{quarters} quarter{'s' if quarters != 1 else ''}"


def pct_of_baseline(quarters: int) -> str:
    """The denominator of ``revenue_at_risk_pct``, in words."""
    return f"% of baseline revenue over the same {horizon(quarters)}"


def measures(quarters: int) -> dict[str, str]:
    """Column -> what it measures, for a run over ``quarters`` quarters."""
    h = horizon(quarters)
    return {
        "horizon_quarters": f"{quarters}: quarters simulated from the shock onset",
        "annual_revenue_usd_bn": "baseline annual revenue, USD bn (atlas figure or SEC filing)",
        "baseline_horizon_usd_bn": (
            f"baseline revenue over the {h}: annual revenue x {quarters} / 4, USD bn"
        ),
        "revenue_at_risk_usd_bn": (
            f"revenue below the baseline, summed over the {h}, USD bn; negative = a gain"
        ),
        "revenue_at_risk_pct": (
            f"revenue_at_risk_usd_bn / baseline_horizon_usd_bn x 100: {pct_of_baseline(quarters)}"
            " (companies without a baseline revenue still get it; their money is unresolved)"
        ),
        "op_profit_at_risk_usd_bn": (
            f"operating profit lost over the {h} (revenue at risk x contribution margin), USD bn"
        ),
        "peak_quarter_loss_pct": (
            "the largest single-quarter loss, % of that quarter's baseline revenue (annual / 4)"
        ),
        "mean_company_loss_pct": (
            f"unweighted mean of the member companies' revenue_at_risk_pct over the {h} "
            "(includes companies without a baseline revenue)"
        ),
        "quarterly.revenue_at_risk_pct": (
            "loss in that quarter, % of that quarter's baseline revenue (baseline_quarter_usd_bn"
            " = annual / 4)"
        ),
        "edges.carried_usd_bn": (
            f"USD bn the edge carried over the {h}: supply = input share x supplier capacity "
            "loss x exposure x customer revenue; demand = revenue share x customer order cut x "
            "supplier revenue"
        ),
        "edges.edge_kind": (
            "explicit (dependencies.csv, sourced), flow (a flows.csv amount) or inferred "
            "(proportional sourcing from market shares: an assumption)"
        ),
        "pct_p5 / pct_p50 / pct_p95": (
            f"percentiles of revenue_at_risk_pct over the Monte Carlo draws ({h} each)"
        ),
    }


def has_gains(frames: list[pd.DataFrame]) -> bool:
    """True when any point value or band of revenue at risk is negative."""
    cols = ("revenue_at_risk_pct", "pct_p5", "revenue_at_risk_usd_bn", "usd_p5")
    return any(
        bool((frame[c].dropna() < -1e-9).any()) for frame in frames for c in cols if c in frame
    )


def gains_note(frames: list[pd.DataFrame], scenario_text: str = "") -> str | None:
    """The sentence explaining gains, when the results hold any (scenario's own words first)."""
    if not has_gains(frames):
        return None
    return scenario_text or GENERIC_GAINS
