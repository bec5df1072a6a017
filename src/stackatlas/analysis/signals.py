"""Signals: a watch list of stack-health measures with thresholds, and change tracking.

Definitions live in the shipped ``data/signals.yaml`` (user files extend or replace them by id).
Each definition names a measure from ``MEASURES``; a measure returns a ``Reading`` (current
value, previous value, evidence, the data behind it). Status: ``ok`` / ``watch`` / ``alert``,
or ``unresolved`` when an input is missing (the value is then None).

``record_snapshot`` stores every reading in the store's ``metric_snapshots`` table under a sync
id; ``evaluate_signals(since=...)`` compares the current readings with an earlier snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from stackatlas.analysis.signal_defs import SignalDef, load_signal_definitions
from stackatlas.atlas.atlas import Atlas
from stackatlas.atlas.models import Figure
from stackatlas.evidence import Evidence, combine
from stackatlas.resolver import Resolver

if TYPE_CHECKING:
    from stackatlas.store import Store


@dataclass
class Reading:
    """A measure's output: value now, the value one period earlier, and what it rests on."""

    value: float | None
    previous: float | None = None
    evidence: Evidence = Evidence.UNRESOLVED
    period: str = ""
    previous_period: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def unresolved(note: str, **data: Any) -> Reading:
    return Reading(None, None, Evidence.UNRESOLVED, note=note, data=data)


class SignalContext:
    """Lazily gathered inputs shared by the measures of one evaluation."""

    def __init__(
        self, atlas: Atlas, store: Store | None = None, resolver: Resolver | None = None
    ) -> None:
        from stackatlas.analysis.metric_inputs import resolver_for

        self.atlas = atlas
        self.store = store
        self.resolver = resolver_for(atlas, store=store, resolver=resolver)

    @cached_property
    def capex_rows(self) -> pd.DataFrame:
        """Company / group capex rows by calendar year and TTM (``capex.capex_rows``)."""
        from stackatlas.analysis.capex import TRACKED_GROUPS, capex_rows
        from stackatlas.analysis.metric_inputs import gather

        groups = {
            g: list(self.atlas.groups[g].members) for g in TRACKED_GROUPS if g in self.atlas.groups
        }
        members = list(dict.fromkeys(m for ms in groups.values() for m in ms))
        inputs = gather(self.atlas, members, resolver=self.resolver)
        return capex_rows(inputs.all_periods(), groups)

    def quarters(self, company: str) -> pd.DataFrame:
        from stackatlas.analysis.metric_inputs import gather

        return gather(self.atlas, [company], resolver=self.resolver).quarterly

    def figures(self, subject: str, metrics: tuple[str, ...]) -> dict[int, Figure]:
        """Figures about ``subject`` with one of ``metrics``, by year of their period
        (the first metric listed wins when several exist for a year)."""
        out: dict[int, Figure] = {}
        for metric in reversed(metrics):
            for f in self.atlas.figures:
                m = re.match(r"^(?:CY|FY)?(\d{4})E?$", f.period.strip())
                if f.subject == subject and f.metric == metric and m:
                    out[int(m.group(1))] = f
        return out


# ---- measures -----------------------------------------------------------------------------


def _group_value(
    ctx: SignalContext, group: str, period: str, column: str, *, partial: bool = True
) -> tuple[float | None, Evidence, dict]:
    """A group's value; with ``partial``, a group with a member lacking data gives the value of
    the members with data, marked ``estimated``."""
    rows = ctx.capex_rows
    full = rows[(rows["entity"] == group) & (rows["period"] == period)]
    if not full.empty and full.iloc[0][column] is not None:
        return float(full.iloc[0][column]), Evidence(full.iloc[0]["evidence"]), {}
    if not partial:
        return None, Evidence.UNRESOLVED, {}
    part = rows[(rows["entity"] == f"{group} (partial)") & (rows["period"] == period)]
    if not part.empty and part.iloc[0][column] is not None:
        r = part.iloc[0]
        return (
            float(r[column]),
            combine([r["evidence"], Evidence.ESTIMATED]),
            {"partial": True, "members": r["members"], "missing": r["missing"]},
        )
    return None, Evidence.UNRESOLVED, {}


def _previous_year(ctx: SignalContext, period: str) -> str | None:
    years = sorted({int(p) for p in ctx.capex_rows["period"] if str(p).isdigit()})
    if period == "TTM":
        return str(years[-1]) if years else None
    earlier = [y for y in years if y < int(period)]
    return str(earlier[-1]) if earlier else None


def group_capex_to_ocf(ctx: SignalContext, group: str, period: str = "TTM") -> Reading:
    value, ev, data = _group_value(ctx, group, period, "capex_to_ocf")
    if value is None:
        return unresolved(f"no capex / OCF for {group} ({period})")
    prev_period = _previous_year(ctx, period)
    prev = _group_value(ctx, group, prev_period, "capex_to_ocf")[0] if prev_period else None
    return Reading(
        value,
        prev,
        ev,
        period,
        prev_period or "",
        data,
        "partial group" if data.get("partial") else "",
    )


def min_free_cash_flow(ctx: SignalContext, group: str, period: str = "TTM") -> Reading:
    members = list(ctx.atlas.groups[group].members) if group in ctx.atlas.groups else []
    rows = ctx.capex_rows

    def lowest(p: str | None) -> tuple[float | None, str | None, Evidence, list[str]]:
        sub = rows[
            (rows["kind"] == "company") & (rows["period"] == p) & rows["entity"].isin(members)
        ]
        sub = sub[sub["free_cash_flow"].notna()]
        missing = sorted(set(members) - set(sub["entity"]))
        if sub.empty:
            return None, None, Evidence.UNRESOLVED, missing
        r = sub.loc[sub["free_cash_flow"].astype(float).idxmin()]
        return float(r["free_cash_flow"]), r["entity"], Evidence(r["fcf_evidence"]), missing

    value, who, ev, missing = lowest(period)
    if value is None:
        return unresolved(f"no free cash flow for {group} members ({period})", missing=missing)
    prev_period = _previous_year(ctx, period)
    prev = lowest(prev_period)[0] if prev_period else None
    if missing:  # a missing member could be the lowest: the reading is only an estimate
        ev = combine([ev, Evidence.ESTIMATED])
    return Reading(
        value,
        prev,
        ev,
        period,
        prev_period or "",
        {"company": who, "missing": missing},
        f"lowest: {who}" + (f"; no data for {', '.join(missing)}" if missing else ""),
    )


def gross_margin_drawdown(ctx: SignalContext, company: str, lookback_quarters: int = 12) -> Reading:
    q = ctx.quarters(company)
    wide = q.pivot_table(index="period", columns="metric", values="value", aggfunc="first")
    if not {"gross_profit", "revenue"} <= set(wide.columns):
        return unresolved(f"no quarterly gross profit / revenue for {company}")
    margin = (wide["gross_profit"] / wide["revenue"]).dropna().sort_index()
    margin = margin.tail(int(lookback_quarters))
    if len(margin) < 2:
        return unresolved(f"fewer than two quarters of gross margin for {company}")

    def drawdown(series: pd.Series) -> float:
        return float(series.max() - series.iloc[-1]) * 100

    return Reading(
        drawdown(margin),
        drawdown(margin.iloc[:-1]),
        Evidence.DERIVED,
        str(margin.index[-1]),
        str(margin.index[-2]),
        {
            "current_margin": float(margin.iloc[-1]),
            "peak_margin": float(margin.max()),
            "peak_quarter": str(margin.idxmax()),
        },
        f"gross margin {margin.iloc[-1]:.1%} vs peak {margin.max():.1%} ({margin.idxmax()})",
    )


def lab_burn_to_revenue(
    ctx: SignalContext,
    lab: str,
    burn_metrics: tuple[str, ...] = ("cash_burn", "burn"),
) -> Reading:
    """Cash burn / revenue of a lab for the latest year whose burn is not a projection.

    Revenue is revenue (``revenue.revenue_for_year``: a reported or estimated revenue figure,
    else the economics model's revenue, the mean of the ARR at the start and end of the year),
    never the year-end ARR run-rate; the note says which was used.
    """
    from stackatlas.analysis.revenue import revenue_for_year

    burn = ctx.figures(lab, tuple(burn_metrics))
    points = {y: revenue_for_year(ctx.atlas, lab, y) for y in burn}
    years = sorted(y for y, r in points.items() if r is not None and r.value > 0)
    if not years:
        return unresolved(f"no year with both a burn figure and revenue for {lab}")
    actual = [y for y in years if burn[y].kind != "projection"]
    y = (actual or years)[-1]
    earlier = [x for x in years if x < y]

    def ratio(year: int) -> float:
        return burn[year].value / points[year].value  # type: ignore[union-attr]

    revenue = points[y]
    assert revenue is not None
    return Reading(
        ratio(y),
        ratio(earlier[-1]) if earlier else None,
        combine([Evidence.ESTIMATED, revenue.evidence]),
        str(y),
        str(earlier[-1]) if earlier else "",
        {
            "burn": burn[y].value,
            "burn_figure": burn[y].id,
            "revenue": revenue.value,
            "revenue_period": revenue.period,
            "revenue_basis": revenue.basis,
            "revenue_source": revenue.source,
        },
        f"burn {burn[y].value:,.1f} / revenue {revenue.value:,.1f} ({revenue.period}, "
        f"{revenue.basis}; not ARR)",
    )


def _annual_group(
    ctx: SignalContext, group: str, column: str, *, partial: bool = True
) -> dict[int, tuple]:
    out = {}
    for p in {p for p in ctx.capex_rows["period"] if str(p).isdigit()}:
        value, ev, data = _group_value(ctx, group, p, column, partial=partial)
        if value is not None:
            out[int(p)] = (value, ev, data)
    return out


def _panel_capex(ctx: SignalContext, group: str) -> dict[int, dict[str, tuple[float, str]]]:
    """Per calendar year: the group members with capex and cash flow that year -> (capex,
    capex evidence), from the same rows as the capex tracker."""
    rows = ctx.capex_rows
    out: dict[int, dict[str, tuple[float, str]]] = {}
    groups = rows[(rows["entity"] == group) & (rows["kind"] == "group")]
    for r in groups.to_dict("records"):
        if not str(r["period"]).isdigit():
            continue
        have = [m for m in r["members"] if m not in (r["missing"] or [])]
        firms = rows[
            (rows["kind"] == "company")
            & rows["entity"].isin(have)
            & (rows["period"] == r["period"])
            & rows["capex"].notna()
        ]
        out[int(r["period"])] = {
            f["entity"]: (float(f["capex"]), str(f["capex_evidence"]))
            for f in firms.to_dict("records")
        }
    return out


def revenue_gap(ctx: SignalContext, group: str, labs: list[str]) -> Reading:
    """Capex growth of ``group`` minus revenue growth of ``labs`` (points), in consecutive years
    and on the same companies in both years (a member whose data start or stop is left out of
    both, and named); lab revenue is revenue (``revenue_for_year``), never ARR."""
    from stackatlas.analysis.revenue import revenue_for_year

    capex = _panel_capex(ctx, group)

    def revenue(y: int) -> float | None:
        values = []
        for lab in labs:
            point = revenue_for_year(ctx.atlas, lab, y)
            if point is None:
                return None
            values.append(point.value)
        return sum(values)

    def panel(y: int) -> list[str]:  # the companies with capex in y - 1 and in y
        return sorted(set(capex.get(y, {})) & set(capex.get(y - 1, {})))

    years = sorted(y for y in capex if panel(y) and revenue(y) is not None and revenue(y - 1))
    if not years:
        return unresolved(
            f"no two consecutive years with {group} capex (same companies in both) and "
            f"revenue of {', '.join(labs)}"
        )

    def gap(y: int) -> tuple[float, float, float]:
        now = sum(capex[y][m][0] for m in panel(y))
        before = sum(capex[y - 1][m][0] for m in panel(y))
        capex_growth = now / before - 1
        ai_growth = revenue(y) / revenue(y - 1) - 1  # type: ignore[operator]
        return (capex_growth - ai_growth) * 100, capex_growth, ai_growth

    y = years[-1]
    value, cg, ag = gap(y)
    bases = sorted({p.basis for lab in labs for p in (revenue_for_year(ctx.atlas, lab, y),) if p})
    members = panel(y)
    left_out = sorted((set(capex[y]) | set(capex[y - 1])) - set(members))
    evidence = [capex[yr][m][1] for yr in (y, y - 1) for m in members]
    ev = combine([*evidence, Evidence.ESTIMATED])
    note = f"capex {cg:+.0%} vs lab revenue {ag:+.0%} ({'; '.join(bases)})"
    note += f" (capex of {', '.join(members)}, CY{y - 1} and CY{y}"
    note += f"; left out, data in one year only: {', '.join(left_out)})" if left_out else ")"
    return Reading(
        value,
        gap(years[-2])[0] if len(years) > 1 else None,
        ev,
        str(y),
        str(years[-2]) if len(years) > 1 else "",
        {
            "capex_growth": cg,
            "lab_revenue_growth": ag,
            "revenue_basis": bases,
            "members": members,
            "left_out": left_out,
        },
        note,
    )


def debt_financed_capex_share(ctx: SignalContext, group: str, debt_group: str) -> Reading:
    debt = ctx.figures(debt_group, ("debt_issuance", "debt"))
    capex_sec = _annual_group(ctx, group, "capex", partial=False)  # a partial sum would inflate
    capex_fig = ctx.figures(group, ("capex",))
    points: dict[int, tuple[float, Evidence, dict]] = {}
    for y, f in debt.items():
        if y in capex_sec:
            cap, ev, data = capex_sec[y]
            points[y] = (
                f.value / cap,
                combine([ev, Evidence.ESTIMATED]),
                {
                    "debt": f.value,
                    "debt_figure": f.id,
                    "capex": cap,
                    "capex_source": "SEC filings",
                    **data,
                },
            )
        elif y in capex_fig:
            cap = capex_fig[y].value
            points[y] = (
                f.value / cap,
                Evidence.ESTIMATED,
                {
                    "debt": f.value,
                    "debt_figure": f.id,
                    "capex": cap,
                    "capex_source": capex_fig[y].id,
                },
            )
    if not points:
        return unresolved(f"no year with both {debt_group} debt and {group} capex")
    years = sorted(points)
    y = years[-1]
    value, ev, data = points[y]
    floor = "over " if debt[y].low == debt[y].value and debt[y].high is None else ""
    note = (
        f"{floor}${data['debt']:,.0f}B debt ({debt_group}) / ${data['capex']:,.0f}B capex "
        f"({group}, {'filings' if data['capex_source'] == 'SEC filings' else 'atlas'})"
    )
    return Reading(
        value,
        points[years[-2]][0] if len(years) > 1 else None,
        ev,
        str(y),
        str(years[-2]) if len(years) > 1 else "",
        data,
        note,
    )


MEASURES: dict[str, Callable[..., Reading]] = {
    "group_capex_to_ocf": group_capex_to_ocf,
    "min_free_cash_flow": min_free_cash_flow,
    "gross_margin_drawdown": gross_margin_drawdown,
    "lab_burn_to_revenue": lab_burn_to_revenue,
    "revenue_gap": revenue_gap,
    "debt_financed_capex_share": debt_financed_capex_share,
}


def status_of(value: float | None, sig: SignalDef) -> str:
    """ok / watch / alert by the definition's thresholds and direction; unresolved if None."""
    if value is None:
        return "unresolved"
    worse = (lambda v, t: v >= t) if sig.direction == "above" else (lambda v, t: v <= t)
    if worse(value, sig.alert):
        return "alert"
    if worse(value, sig.watch):
        return "watch"
    return "ok"


def read_signal(sig: SignalDef, ctx: SignalContext) -> dict:
    """Evaluate one definition into a result row."""
    try:
        reading = MEASURES[sig.measure](ctx, **sig.params)
    except Exception as exc:  # a measure failing on odd data must not sink the whole list
        from stackatlas.errors import StackAtlasError

        if not isinstance(exc, StackAtlasError | KeyError | ValueError | ZeroDivisionError):
            raise
        reading = unresolved(f"could not evaluate: {exc}")
    ev = reading.evidence if reading.value is not None else Evidence.UNRESOLVED
    return {
        "id": sig.id,
        "name": sig.name,
        "value": reading.value,
        "previous": reading.previous,
        "period": reading.period,
        "previous_period": reading.previous_period,
        "watch": sig.watch,
        "alert": sig.alert,
        "direction": sig.direction,
        "unit": sig.unit,
        "status": status_of(reading.value, sig),
        "previous_status": status_of(reading.previous, sig)
        if reading.previous is not None
        else None,
        "evidence": ev.value,
        "symbol": ev.symbol,
        "data": reading.data,
        "note": reading.note,
        "why": sig.why,
    }


def evaluate(
    atlas: Atlas,
    *,
    store: Store | None = None,
    definitions: list[SignalDef] | None = None,
    file: Path | None = None,
    resolver: Resolver | None = None,
) -> pd.DataFrame:
    """Current readings of every signal (no change tracking)."""
    defs = definitions if definitions is not None else load_signal_definitions(file)
    ctx = SignalContext(atlas, store, resolver)
    return pd.DataFrame([read_signal(sig, ctx) for sig in defs])


def evaluate_signals(
    atlas: Atlas,
    *,
    store: Store | None = None,
    since: str | None = None,
    definitions: list[SignalDef] | None = None,
    file: Path | None = None,
    resolver: Resolver | None = None,
):
    """Readings plus, with ``since`` ("last-sync" or an ISO date) and a store, the change
    against that snapshot. Returns a ``SignalReport``."""
    from stackatlas.analysis.signal_history import SignalReport, baseline_snapshot

    rows = evaluate(atlas, store=store, definitions=definitions, file=file, resolver=resolver)
    base = baseline_snapshot(store, since) if since is not None and store is not None else None
    return SignalReport.build(rows, base, since)
