"""Terminal view of a ``PaybackResult``: anchor, parameters, vintages, the yearly gap, the
implied payback and the sensitivity grid (every number with its evidence marker)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from stackatlas.display import DASH, evidence_symbol, is_missing, records, rich_table

if TYPE_CHECKING:
    from stackatlas.analysis.payback import PaybackResult


def bn(value: Any, low: Any = None, high: Any = None) -> str:
    """``412.3`` or ``21.1 (19.1–23.0)``; the dash when unknown."""
    if is_missing(value):
        return DASH
    text = f"{float(value):,.1f}"
    if not is_missing(low) and not is_missing(high) and (low, high) != (value, value):
        text += f" ({float(low):,.1f}–{float(high):,.1f})"
    return text


def years_text(value: Any) -> str:
    return "never" if is_missing(value) else f"{float(value):,.1f}"


def anchor_lines(result: PaybackResult) -> list[str]:
    a = result.anchor
    lines = [
        f"AI's $600B question (Cahn, Sequoia 2024): GPU run-rate {a['gpu_run_rate']:,.0f} × "
        f"{a['dc_cost_multiple']:g} (GPUs are half of data-center cost) ÷ "
        f"(1 − {a['end_user_gross_margin']:.0%} end-user margin) = {a['revenue_needed']:,.0f} "
        f"(the article: {a['article_says']:,.0f})"
    ]
    today = a.get("today")
    if today:
        lines.append(
            f"Same formula today: Nvidia data-center revenue {today['period']} × 4 = "
            f"{today['gpu_run_rate']:,.1f} → {today['revenue_needed']:,.0f} USD bn of end-user "
            "revenue a year (○ estimated)"
        )
    return lines


def render_payback(result: PaybackResult) -> Any:
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = [Text(line) for line in anchor_lines(result)]
    params = pd.DataFrame(
        [
            {
                "parameter": p["key"],
                "value": f"{p['value']:g}",
                "range": f"{p['low']:g}–{p['high']:g}",
                "basis": p["basis"],
                "evidence": p["evidence"],
                "source": p["source"] or DASH,
            }
            for p in records(result.parameters)
        ]
    )
    parts.append(rich_table("Parameters (override with --set KEY=VALUE)", params))
    vintages = pd.DataFrame(
        [
            {
                "year": f"{v['year']}{'E' if v['capex_basis'].startswith('projection') else ''}",
                "big-4 capex": bn(v["capex"], v["capex_low"], v["capex_high"])
                + ("" if v["complete"] else " (partial)"),
                "AI capex": bn(v["ai_capex"]),
                "charge / yr": bn(v["charge"]),
                "cloud rev / yr": bn(v["cloud_revenue_needed"]),
                "end-user rev / yr": bn(v["end_user_revenue_needed"]),
                "evidence": v["evidence"],
            }
            for v in records(result.vintages)
        ]
    )
    parts.append(
        rich_table("Each year's AI capex and the revenue it needs every year of its life", vintages)
    )
    gap = pd.DataFrame(
        [
            {
                "year": f"{y['year']}{'E' if y['projection'] else ''}",
                "vintages": y["vintages"].replace(";", ", "),
                "revenue needed": ("" if y["needed_complete"] else "≥ ") + bn(y["needed"]),
                "AI revenue sourced": bn(y["ai_revenue"], y["ai_revenue_low"], y["ai_revenue_high"])
                + ("" if y["revenue_complete"] or y["ai_revenue"] is None else " (partial)"),
                "gap": DASH if y["gap"] is None else bn(y["gap"]),
                "× needed": DASH if y["multiple"] is None else f"{y['multiple']:,.1f}×",
                "evidence": y["evidence"],
            }
            for y in records(result.years)
        ]
    )
    parts.append(rich_table("The payback gap: end-user AI revenue needed vs sourced (USD bn)", gap))
    p = result.payback
    if p.get("year") is not None:
        parts.append(
            Text(
                f"Implied payback ({p['year']}): installed AI capex {p['installed_ai_capex']:,.1f} "
                f"(vintages {p['vintages'].replace(';', ', ')}); AI revenue "
                f"{p['ai_revenue']:,.1f} leaves the infrastructure "
                f"{p['cash_to_infrastructure']:,.1f} a year (the capital's cost alone is "
                f"{p['return_on_capital_needed']:,.1f}) → "
                f"payback {years_text(p['payback_years'])} years undiscounted, "
                f"{years_text(p['discounted_payback_years'])} discounted, against a useful life "
                f"of {p['useful_life_years']:g} years {evidence_symbol(p['evidence'])}"
            )
        )
    if result.sensitivity:
        parts.append(grid_table(result.sensitivity))
    parts += [Text(f"note: {n}", style="dim") for n in result.notes]
    revenue = pd.DataFrame(
        [
            {
                "company": r["company"],
                "year": r["year"],
                "metric": r["metric"],
                "USD bn": bn(r["value"], r["low"], r["high"]),
                "counted": "yes" if r["counted"] else "no",
                "basis": r["basis"],
                "evidence": r["evidence"],
            }
            for r in records(result.revenue)
        ]
    )
    parts.append(
        rich_table("AI revenue the atlas can source (run-rates shown, never counted)", revenue)
    )
    return Group(*parts)


def grid_table(grid: dict[str, Any]) -> Any:
    rows, cols = grid["rows"], grid["columns"]
    frame = pd.DataFrame(
        [
            {
                rows["parameter"]: f"{rv:g}",
                **{
                    f"{cols['parameter']} {cv:g}": bn(x)
                    for cv, x in zip(cols["values"], line, strict=True)
                },
            }
            for rv, line in zip(rows["values"], grid["needed"], strict=True)
        ]
    )
    have = grid["ai_revenue"]
    title = (
        f"Sensitivity: end-user revenue needed in {grid['year']} (USD bn, △ scenario); "
        f"sourced AI revenue {bn(have)}"
    )
    return rich_table(title, frame)
