"""What must be true: the stack-wide payback gap ("AI's $600B question", D. Cahn, Sequoia 2024).

**The anchor.** Cahn: take Nvidia's data-center run-rate revenue (the buyers' GPU spend), ×2
because GPUs are half of an AI data center's total cost, ×2 again for a 50% gross margin of the
end user of the compute: ``150 × 2 / (1 − 0.5) = 600`` USD bn of end-user revenue needed for
one year of that spend (``cahn_revenue_needed``). ``anchor_today`` applies the same formula to
Nvidia's latest quarterly data-center revenue × 4.

**The stack payback** (USD bn, per calendar year ``y`` of capex — a *vintage*):

    ai_capex[y]  = capex[y] × ai_share              (big-4 capex from the capex tracker)
    charge[y]    = ai_capex[y] × crf(r, n)          (crf = r / (1 − (1 + r)^−n); 1/n at r = 0)
    cloud[y]     = charge[y] / (1 − o)              (the cloud's cash operating costs o first)
    end_user[y]  = cloud[y] / (1 − m)               (the end user's gross margin m on top)

``charge`` is the level annual payment that returns the capital with its cost of capital ``r``
over the useful life ``n`` (depreciation plus return). ``end_user[y]`` is the end-user AI
revenue needed in *every* year of that vintage's life. The revenue needed in year ``Y`` is the
sum over the vintages still in their life (``0 ≤ Y − v < n``; a fractional life bears the
fraction left in its last year: 5.5 years -> half a charge in the sixth); when a vintage in that
window is missing (capex before the tracker's first year) or partial (a member's capex
unresolved), the sum is a lower bound (``complete = False``). Set beside it: the end-user AI
revenue the atlas can source (``revenue.revenue_for_year`` for the counted labs, else the file's
estimates; run-rates listed, never counted) — the **gap** and the **multiple** needed.

**Implied payback.** The AI capex still in its life at the latest actual year ``Y*`` is repaid
only by the cash the sourced AI revenue leaves the infrastructure: ``revenue × (1 − m) × (1 −
o)`` a year. Undiscounted payback = capital / cash; discounted at ``r`` it is ``−ln(1 − C·r /
cash) / ln(1 + r)`` years, and never when ``cash ≤ C·r`` (the cash does not even pay the cost of
capital). Compared with the useful life.

Parameters and their sources: ``payback_params`` / ``data/payback.yaml``. Evidence: every output
takes the weakest of its inputs (an assumed cost of capital makes the result ``scenario``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from stackatlas.analysis.payback_inputs import (
    ai_revenue,
    anchor,
    cahn_revenue_needed,
    capex_vintages,
)
from stackatlas.analysis.payback_params import PaybackInputs, load_payback_inputs
from stackatlas.atlas.atlas import Atlas
from stackatlas.evidence import Evidence, combine, weakest
from stackatlas.notebook import Tabular

if TYPE_CHECKING:
    from stackatlas.store import Store

__all__ = [
    "PaybackResult",
    "cahn_revenue_needed",
    "capex_vintages",
    "capital_recovery_factor",
    "life_weight",
    "needed_in_year",
    "payback",
    "payback_years",
    "revenue_needed",
]

GRID_STEPS = 5
VINTAGE_COLUMNS = [
    "year",
    "capex",
    "capex_low",
    "capex_high",
    "capex_basis",
    "complete",
    "ai_share",
    "ai_capex",
    "charge",
    "cloud_revenue_needed",
    "end_user_revenue_needed",
    "evidence",
]


def capital_recovery_factor(rate: float, years: float) -> float:
    """The level yearly payment per unit of capital that repays it with ``rate`` over
    ``years`` (``1 / years`` at a zero rate)."""
    if years <= 0:
        raise ValueError("years must be positive")
    if rate == 0:
        return 1 / years
    return rate / (1 - (1 + rate) ** -years)


def revenue_needed(
    ai_capex: float, life: float, rate: float, opex_share: float, margin: float
) -> dict[str, float]:
    """Yearly charge, cloud revenue and end-user revenue needed by one vintage of AI capex."""
    charge = ai_capex * capital_recovery_factor(rate, life)
    cloud = charge / (1 - opex_share)
    return {"charge": charge, "cloud": cloud, "end_user": cloud / (1 - margin)}


def payback_years(capital: float, cash: float, rate: float) -> tuple[float | None, float | None]:
    """(undiscounted, discounted) years for ``cash`` a year to repay ``capital``; None = never
    (no cash, or cash not above the cost of capital ``capital × rate``)."""
    if cash <= 0:
        return None, None
    plain = capital / cash
    if rate == 0:
        return plain, plain
    if cash <= capital * rate:
        return plain, None
    return plain, -math.log(1 - capital * rate / cash) / math.log(1 + rate)


@dataclass
class PaybackResult(Tabular):
    """The anchor, the vintages, the yearly gap, the implied payback and the grid."""

    anchor: dict[str, Any]
    parameters: pd.DataFrame
    vintages: pd.DataFrame
    years: pd.DataFrame
    revenue: pd.DataFrame  # company, year, metric, value, low, high, counted, basis, ...
    payback: dict[str, Any]
    sensitivity: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        from stackatlas.display import records

        return {
            "unit": "usd_billion",
            "anchor": self.anchor,
            "parameters": records(self.parameters),
            "vintages": records(self.vintages),
            "years": records(self.years),
            "revenue": records(self.revenue),
            "payback": self.payback,
            "sensitivity": self.sensitivity,
            "notes": self.notes,
        }

    def __rich__(self) -> Any:
        from stackatlas.analysis.payback_render import render_payback

        return render_payback(self)


# ---- the model -----------------------------------------------------------------------------
def payback(
    atlas: Atlas,
    *,
    store: Store | None = None,
    overrides: dict[str, float] | None = None,
    capex: pd.DataFrame | None = None,
    grid: tuple[str, str] | None = ("useful_life_years", "cost_of_capital"),
) -> PaybackResult:
    """The payback gap (module doc). ``capex`` (year, capex, complete, capex_basis,
    capex_evidence) replaces the capex tracker (tests); ``grid`` names the two parameters of
    the sensitivity grid (None: no grid)."""
    inputs = load_payback_inputs(overrides)
    vintages = capex_vintages(atlas, store) if capex is None else capex.copy()
    years = sorted(int(y) for y in vintages["year"])
    revenue = ai_revenue(atlas, inputs, years)
    values = {k: p.value for k, p in inputs.parameters.items()}
    table = _vintage_table(vintages, values, inputs)
    yearly = _years_table(table, revenue, values, inputs)
    result = PaybackResult(
        anchor=anchor(atlas, inputs),
        parameters=pd.DataFrame([p.to_dict() for p in inputs.parameters.values()]),
        vintages=table,
        years=yearly,
        revenue=revenue,
        payback=_implied_payback(table, yearly, values),
    )
    if grid is not None:
        result.sensitivity = sensitivity_grid(vintages, revenue, inputs, grid, yearly)
    result.notes = _notes(table, yearly, inputs)
    return result


def _vintage_table(
    vintages: pd.DataFrame, values: dict[str, float], inputs: PaybackInputs
) -> pd.DataFrame:
    params = inputs.parameters
    model_ev = weakest(params[k].evidence for k in params)
    rows = []
    for v in vintages.to_dict(orient="records"):
        ai_capex = v["capex"] * values["ai_share_of_capex"]
        need = revenue_needed(
            ai_capex,
            values["useful_life_years"],
            values["cost_of_capital"],
            values["cloud_cash_opex_share"],
            values["end_user_gross_margin"],
        )
        rows.append(
            {
                "year": int(v["year"]),
                "capex": v["capex"],
                "capex_low": v.get("capex_low"),
                "capex_high": v.get("capex_high"),
                "capex_basis": v.get("capex_basis", ""),
                "complete": bool(v.get("complete", True)),
                "ai_share": values["ai_share_of_capex"],
                "ai_capex": ai_capex,
                "charge": need["charge"],
                "cloud_revenue_needed": need["cloud"],
                "end_user_revenue_needed": need["end_user"],
                "evidence": str(combine([v.get("capex_evidence") or Evidence.ESTIMATED, model_ev])),
            }
        )
    return pd.DataFrame(rows, columns=VINTAGE_COLUMNS)


def life_weight(year: int, vintage: int, life: float) -> float:
    """Share of a full year's charge vintage ``vintage`` still bears in ``year``: 1 in each of
    its first ``floor(life)`` years, the fraction left in the last (5.5 years: 0.5 in year 6)."""
    age = year - vintage
    if age < 0:
        return 0.0
    return float(min(1.0, max(0.0, life - age)))


def _in_life(year: int, vintage: int, life: float) -> bool:
    return life_weight(year, vintage, life) > 0


def _years_table(
    table: pd.DataFrame, revenue: pd.DataFrame, values: dict[str, float], inputs: PaybackInputs
) -> pd.DataFrame:
    life = values["useful_life_years"]
    known = {int(y): bool(c) for y, c in zip(table["year"], table["complete"], strict=True)}
    counted = revenue[revenue["counted"]]
    rows = []
    for year in sorted(known):
        weights = np.array([life_weight(year, int(v), life) for v in table["year"]])
        window = table[weights > 0]
        wanted = [year - k for k in range(math.ceil(life)) if _in_life(year, year - k, life)]
        complete = all(known.get(v, False) for v in wanted)
        needed = float((table["end_user_revenue_needed"] * weights).sum())
        here = counted[counted["year"] == year]
        have = set(here["company"])
        revenue_complete = all(c in have for c in inputs.counted)
        value = float(here["value"].sum()) if len(here) else None
        rows.append(
            {
                "year": year,
                "vintages": ";".join(str(int(v)) for v in window["year"]),
                "needed": needed,
                "needed_complete": complete,
                "ai_revenue": value,
                "ai_revenue_low": float(here["low"].sum()) if len(here) else None,
                "ai_revenue_high": float(here["high"].sum()) if len(here) else None,
                "revenue_complete": revenue_complete,
                "revenue_missing": ";".join(c for c in inputs.counted if c not in have),
                "gap": None if value is None else needed - value,
                "multiple": None if not value else needed / value,
                "projection": year > _last_actual_year(table),
                "evidence": str(
                    combine(
                        [*window["evidence"], *(here["evidence"] if len(here) else ["unresolved"])]
                    )
                ),
            }
        )
    return pd.DataFrame(rows)


def _last_actual_year(table: pd.DataFrame) -> int:
    actual = table[~table["capex_basis"].str.startswith(("projection", "estimate"))]
    return int(actual["year"].max()) if len(actual) else int(table["year"].max())


def _implied_payback(
    table: pd.DataFrame, yearly: pd.DataFrame, values: dict[str, float]
) -> dict[str, Any]:
    life, rate = values["useful_life_years"], values["cost_of_capital"]
    margin, opex = values["end_user_gross_margin"], values["cloud_cash_opex_share"]
    usable = yearly[~yearly["projection"] & yearly["ai_revenue"].notna()]
    if usable.empty:
        return {"year": None, "note": "no actual year with sourced AI revenue"}
    row = usable.iloc[-1]
    year = int(row["year"])
    window = table[[_in_life(year, int(v), life) for v in table["year"]]]
    capital = float(window["ai_capex"].sum())
    cash = float(row["ai_revenue"]) * (1 - margin) * (1 - opex)
    plain, discounted = payback_years(capital, cash, rate)
    return {
        "year": year,
        "installed_ai_capex": capital,
        "vintages": row["vintages"],
        "capital_complete": bool(row["needed_complete"]),
        "ai_revenue": float(row["ai_revenue"]),
        "cash_to_infrastructure": cash,
        "return_on_capital_needed": capital * rate,
        "payback_years": plain,
        "discounted_payback_years": discounted,
        "useful_life_years": life,
        "within_life": discounted is not None and discounted <= life,
        "evidence": row["evidence"],
    }


# ---- sensitivity ---------------------------------------------------------------------------
def grid_values(inputs: PaybackInputs, key: str) -> list[float]:
    """Five points from the parameter's low to high, plus its central value."""
    p = inputs.parameters[key]
    points = set(np.round(np.linspace(p.low, p.high, GRID_STEPS), 4)) | {round(p.value, 4)}
    return sorted(float(x) for x in points)


def sensitivity_grid(
    vintages: pd.DataFrame,
    revenue: pd.DataFrame,
    inputs: PaybackInputs,
    axes: tuple[str, str],
    yearly: pd.DataFrame,
) -> dict[str, Any]:
    """End-user revenue needed in the latest actual year over two parameters (rows × columns),
    the others at their values; and the gap to the sourced AI revenue of that year."""
    from stackatlas.analysis.payback_params import PARAMETERS

    for key in axes:
        if key not in PARAMETERS:
            from stackatlas.errors import Problem, ValidationError

            raise ValidationError(
                [Problem("grid", None, key, f"not a parameter ({', '.join(PARAMETERS)})")]
            )
    usable = yearly[~yearly["projection"]]
    year = int(usable["year"].max()) if len(usable) else int(yearly["year"].max())
    row_key, col_key = axes
    rows, cols = grid_values(inputs, row_key), grid_values(inputs, col_key)
    base = {k: p.value for k, p in inputs.parameters.items()}
    capex = list(zip(vintages["year"].astype(int), vintages["capex"].astype(float), strict=True))
    needed = [
        [needed_in_year(capex, {**base, row_key: rv, col_key: cv}, year) for cv in cols]
        for rv in rows
    ]
    have = yearly.set_index("year").loc[year, "ai_revenue"]
    return {
        "year": year,
        "rows": {"parameter": row_key, "values": rows},
        "columns": {"parameter": col_key, "values": cols},
        "needed": needed,
        "ai_revenue": None if pd.isna(have) else float(have),
        "evidence": str(Evidence.SCENARIO),
    }


def needed_in_year(capex: list[tuple[int, float]], values: dict[str, float], year: int) -> float:
    """End-user revenue needed in ``year`` by the (year, capex) vintages (the module doc's
    formula in plain arithmetic; the grid calls it for every cell)."""
    per_unit = revenue_needed(
        values["ai_share_of_capex"],
        values["useful_life_years"],
        values["cost_of_capital"],
        values["cloud_cash_opex_share"],
        values["end_user_gross_margin"],
    )["end_user"]
    life = values["useful_life_years"]
    return sum(c * per_unit * life_weight(year, v, life) for v, c in capex)


def _notes(table: pd.DataFrame, yearly: pd.DataFrame, inputs: PaybackInputs) -> list[str]:
    notes = []
    partial = table[~table["complete"]]
    if len(partial):
        notes.append(
            "capex of "
            + ", ".join(f"{int(r.year)} ({r.capex_basis})" for r in partial.itertuples())
            + ": a member's capex is unresolved, so the revenue needed is a lower bound"
        )
    short = yearly[~yearly["needed_complete"]]
    if len(short):
        notes.append(
            "years "
            + ", ".join(str(int(y)) for y in short["year"])
            + ": vintages before the tracker's first year are not counted (a lower bound)"
        )
    missing = yearly[~yearly["revenue_complete"]]
    for r in missing.itertuples():
        who = str(r.revenue_missing).replace(";", ", ")
        notes.append(f"{int(r.year)}: AI revenue of {who} not sourced (not counted)")
    return notes
