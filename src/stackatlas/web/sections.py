"""One builder per page section: library call -> charts, table rows and the sources behind them.

The same ``Section`` objects feed the web pages and the self-contained report, so a number
shown in either place comes from the same call and lists the same sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from stackatlas.atlas import Atlas
from stackatlas.atlas.models import Source
from stackatlas.charts.theme import Chart, chart
from stackatlas.display import records
from stackatlas.errors import DataUnavailableError
from stackatlas.supplychain.citation import CITATION
from stackatlas.web.supplychain_section import (
    COUNTRY_ROWS,
    ETO_SOURCE,
    INPUT_ROWS,
    EtoFootnotes,
)

if TYPE_CHECKING:
    from stackatlas.store import Store

SEED_SOURCE = "marsbit-2026-03-16"
SEC_NOTE = (
    "SEC EDGAR XBRL companyfacts (10-K / 10-Q filings; US public domain), "
    "read from the store or STACKATLAS_SEC_DIR"
)


@dataclass
class Section:
    """What a page (or a report chapter) shows."""

    key: str
    title: str
    charts: list[Chart] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    sec: bool = False  # numbers come from SEC filings too
    notes: list[str] = field(default_factory=list)


def sources_of(atlas: Atlas, ids: Any) -> list[Source]:
    """Known sources for ``ids`` (strings, or ``;``/``,``-separated lists), first-seen order."""
    out: dict[str, Source] = {}
    for raw in ids:
        if raw is None or (isinstance(raw, float) and pd.isna(raw)):
            continue
        for sid in str(raw).replace(",", ";").split(";"):
            sid = sid.strip().removeprefix("dependency:")
            if sid in atlas.sources and sid not in out:
                out[sid] = atlas.sources[sid]
    return list(out.values())


def _name(atlas: Atlas, node: Any) -> str | None:
    """Display name of a company, group, segment or layer id (the id when unknown)."""
    if not node:
        return node
    for table in (atlas.companies, atlas.groups, atlas.segments):
        if node in table:
            return table[node].name
    if node in atlas.layer_ids:
        return atlas.layer(node).name
    return node


NO_SEC = (
    "no SEC fundamentals available: run `stackatlas sync` or set STACKATLAS_SEC_DIR; "
    "values are never shown as zero"
)


def drawn(pairs: list[tuple[str, Any]], notes: list[str], why: str = NO_SEC) -> list[Chart]:
    """Charts for figures with at least one trace; an empty figure becomes a note instead."""
    out = []
    for chart_id, fig in pairs:
        if any(_has_values(t) for t in fig.data):
            out.append(chart(chart_id, fig))
        else:
            notes.append(f"{fig.layout.title.text or chart_id}: nothing to draw ({why}).")
    return out


def _has_values(trace: Any) -> bool:
    if trace.type in ("sankey", "sunburst", "indicator"):
        return True
    axis = "x" if getattr(trace, "orientation", None) == "h" else "y"
    vals = getattr(trace, axis, None)
    return vals is not None and any(v is not None for v in vals)


# ---- sections ----------------------------------------------------------------------------
SIZINGS = ("dollars", "weight")


def map_section(atlas: Atlas, store: Store | None = None, sizing: str = "dollars") -> Section:
    """The stack map: sized in dollars (default; segment revenue, else revenue x weight,
    estimates lighter) and by weight, the chosen ``sizing`` first."""
    from stackatlas.analysis.stack_sizes import stack_dollars
    from stackatlas.atlas.views import atlas_summary, stack_map
    from stackatlas.charts.atlas import stack_map_figure
    from stackatlas.errors import ValidationError

    if sizing not in SIZINGS:
        raise ValidationError(f"sizing must be 'dollars' or 'weight', not {sizing!r}")
    view = stack_map(atlas)
    dollars = stack_dollars(atlas, store=store)
    figs = {
        "dollars": chart("fig-map", stack_map_figure(view, dollars)),
        "weight": chart("fig-map-weight", stack_map_figure(view)),
    }
    charts = [figs[sizing], figs["weight" if sizing == "dollars" else "dollars"]]
    ids = [m.source for m in atlas.memberships] + [s.source for s in atlas.shares]
    ids += [f.source for layer in view.layers for f in layer.figures]
    return Section(
        "map",
        "Stack map",
        charts,
        {
            "view": view,
            "summary": atlas_summary(atlas),
            "sizing": sizing,
            "dollars": dollars.by_segment,
            "unsized": [(cid, atlas.companies[cid].name) for cid in dollars.unsized],
        },
        sources_of(atlas, ids),
    )


def flows_section(atlas: Atlas, store: Store | None = None) -> Section:
    from stackatlas.analysis.cycles import find_cycles
    from stackatlas.analysis.flows import flow_graph
    from stackatlas.charts.network import cycle_panel, flow_sankey

    graph = flow_graph(atlas)
    annualised = flow_graph(atlas, per_year=True)
    cycles = find_cycles(atlas, per_year=True)
    charts = []
    for year in reversed(graph.years()):
        drawn = graph.sankey("layer", year)
        if drawn.links["disclosed"].any():  # a year with something to draw
            charts.append(chart(f"fig-flows-layer-{year}", flow_sankey(graph, "layer", year=year)))
    default = graph.default_year()
    if default is not None:
        charts.append(chart("fig-flows-company", flow_sankey(graph, "company", year=default)))
    if cycles.cycles:
        charts.append(chart("fig-flows-cycles", cycle_panel(cycles)))
    names = {n: _name(atlas, n) for n in set(graph.edges["source"]) | set(graph.edges["target"])}
    annual = records(graph.collapse("company"))
    commitments = records(graph.commitments())
    for row in annual + commitments:
        row["source_name"], row["target_name"] = names[row["source"]], names[row["target"]]
    edges = records(graph.edges)
    notes = [
        "Annual flows are summed per year only; multi-year commitments and stakes are listed "
        "as stated and never added to a year. The cycles are compared within one year, with "
        "multi-year amounts annualised over their stated term (evidence derived at best).",
    ]
    if graph.unmapped:
        notes.append("left out of layer totals (no layer): " + ", ".join(graph.unmapped))
    if annualised.not_annualised:
        notes.append("not annualised (no stated term): " + ", ".join(annualised.not_annualised))
    return Section(
        "flows",
        "Capital flows",
        charts,
        {
            "annual": annual,
            "commitments": commitments,
            "edges": edges,
            "cycles": [c.to_dict() for c in cycles.cycles],
            "company_ids": set(atlas.companies),
        },
        sources_of(atlas, [e["source_id"] for e in edges]),
        notes=notes,
    )


def payback_section(atlas: Atlas, store: Store | None = None) -> Section:
    """What must be true: the payback gap, its parameters (sourced or assumed) and the grid."""
    from stackatlas.analysis.payback import payback
    from stackatlas.analysis.payback_params import load_payback_inputs
    from stackatlas.analysis.payback_render import anchor_lines
    from stackatlas.charts.payback import payback_gap_chart, sensitivity_heatmap

    result = payback(atlas, store=store)
    inputs = load_payback_inputs()
    charts = [
        chart("fig-payback-gap", payback_gap_chart(result)),
        chart("fig-payback-grid", sensitivity_heatmap(result)),
    ]
    ids = [i for i in inputs.source_ids() if i in atlas.sources]
    ids += [f.source for f in atlas.figures if f.subject == "big4-hyperscalers"]
    outside = [
        {"id": sid, **{k: str(v) for k, v in meta.items()}} for sid, meta in inputs.sources.items()
    ]
    return Section(
        "payback",
        "What must be true: the payback gap",
        charts,
        {
            "anchor": result.anchor,
            "anchor_lines": anchor_lines(result),
            "parameters": records(result.parameters),
            "vintages": records(result.vintages),
            "years": records(result.years),
            "revenue": records(result.revenue),
            "payback": result.payback,
            "outside_sources": outside,
        },
        sources_of(atlas, ids),
        sec=True,
        notes=list(result.notes),
    )


def pools_section(atlas: Atlas, store: Store | None = None, view: str = "panel") -> Section:
    from stackatlas.analysis.profit_pools import profit_pools
    from stackatlas.charts.money import profit_pool_chart
    from stackatlas.resolver.periods import period_label

    pools = profit_pools(atlas, store=store, view=view)
    notes: list[str] = [pools.note] if pools.note else []
    charts = drawn(
        [
            ("fig-pools-oi", profit_pool_chart(pools, "operating_income")),
            ("fig-pools-rev", profit_pool_chart(pools, "revenue")),
        ],
        notes,
    )
    wide = pools.wide()
    inputs = pools.inputs
    figure_ids = set(inputs.loc[inputs["source"] == "atlas", "reference"].dropna().astype(str))
    ids = [m.source for m in atlas.memberships]
    ids += [f.source for f in atlas.figures if f.id in figure_ids]
    if pools.not_covered:
        notes.append(
            f"{len(pools.not_covered)} companies without data (not counted, never "
            "zero): " + ", ".join(sorted(pools.not_covered))
        )
    panel = pools.panel_rows()
    panel = panel[panel["metric"] == "revenue"] if not panel.empty else panel
    changes = (
        [
            {"group": g, "year": period_label(y), "change": c}
            for (g, m, y), c in pools.panels.changes.items()
            if m == "revenue"
        ]
        if pools.panels is not None
        else []
    )
    period = wide["period"].iloc[0] if len(wide) else ""
    previous = pools._previous(period) if period else None
    return Section(
        "pools",
        "Profit pools",
        charts,
        {
            "wide": records(wide),
            "thesis": records(pools.thesis),
            "period": period,
            "period_label": period_label(period) if period else "",
            "previous_label": period_label(previous) if previous else "",
            "view": pools.view,
            "title": pools.title(period) if period else "",
            "panel": [
                {
                    "group": r["group"],
                    "panel": r["panel"],
                    "left_out": [f"{c} ({why})" for c, why in sorted(r["left_out"].items())],
                }
                for r in records(panel)
            ],
            "set_changes": changes,
        },
        sources_of(atlas, ids),
        sec=True,
        notes=notes,
    )


def capex_section(atlas: Atlas, store: Store | None = None) -> Section:
    from stackatlas.analysis.capex import hyperscaler_capex
    from stackatlas.charts.money import capex_ocf_chart

    tracker = hyperscaler_capex(atlas, store=store)
    ids = list(tracker.claims["source"]) if "source" in tracker.claims else []
    if tracker.ai_share is not None:
        fig = next((f for f in atlas.figures if f.id == tracker.ai_share.figure_id), None)
        if fig is not None:
            ids.append(fig.source)
    notes = [f"no SEC data: {k} ({v})" for k, v in tracker.not_covered.items()]
    charts = drawn([("fig-capex", capex_ocf_chart(tracker))], notes)
    rows = records(tracker.rows)
    for r in rows:
        base, partial = (
            str(r["entity"]).removesuffix(" (partial)"),
            str(r["entity"]).endswith(" (partial)"),
        )
        r["entity_name"] = f"{_name(atlas, base)}{' (partial)' if partial else ''}"
    return Section(
        "capex",
        "Hyperscaler capex",
        charts,
        {"rows": rows, "claims": records(tracker.claims)},
        sources_of(atlas, ids),
        sec=True,
        notes=notes,
    )


def coverage_section(atlas: Atlas, store: Store | None = None) -> Section:
    """Which company numbers resolve, from where, and why the others do not."""
    from stackatlas.analysis.coverage_result import coverage

    cov = coverage(atlas, store=store)
    latest = cov.latest
    layers = records(cov.layers[cov.layers["year"] == latest])
    by_layer: dict[str, dict[str, Any]] = {}
    for r in layers:
        by_layer.setdefault(r["layer"], {"layer": r["layer"]})[r["metric"]] = r
    cells = cov.cells[cov.cells["year"] == latest]
    companies = []
    for cid, grp in cells.groupby("company", sort=False):
        first = grp.iloc[0]
        companies.append(
            {
                "id": cid,
                "name": first["name"],
                "layers": ", ".join(first["layers"]),
                "cells": records(grp, ["metric", "status", "evidence", "source", "reason"]),
            }
        )
    gaps = cells[cells["status"] == "missing"]
    reasons = [
        {"reason": reason, "fix": fix, "companies": sorted(set(grp["company"]))}
        for (reason, fix), grp in gaps.groupby(["reason", "fix"], sort=False)
    ]
    notes = [cov.line(y) for y in cov.years] + cov.notes
    notes.append("providers asked, in order: " + " -> ".join(cov.providers))
    used = cov.cells[cov.cells["source"].fillna("").str.contains("atlas")]
    figure_source = {f.id: f.source for f in atlas.figures}
    ids = [figure_source.get(str(ref)) for ref in used["reference"]]
    return Section(
        "coverage",
        "Coverage: which company numbers resolve",
        [],
        {
            "year": latest,
            "layers": list(by_layer.values()),
            "companies": companies,
            "reasons": reasons,
        },
        sources_of(atlas, ids),
        sec=True,
        notes=notes,
    )


def concentration_section(atlas: Atlas, store: Store | None = None, *, eto: Any = None) -> Section:
    from stackatlas.analysis.concentration import chokepoints, market_concentration
    from stackatlas.charts.network import hhi_bars

    conc = market_concentration(atlas, eto=eto)
    chokes = chokepoints(atlas, eto=eto)
    markets = records(conc.table)
    for m in markets:
        m["leader_name"] = _name(atlas, m.get("leader"))
    notes_list = EtoFootnotes()
    rows = records(chokes.table)
    for r in rows:
        r["company_name"] = _name(atlas, r["company"]) if r["company"] else r["supplier"]
        if r["basis"] == "eto":
            r["src_n"] = notes_list.ref(r["source"])
    countries = records(chokes.countries)[:COUNTRY_ROWS] if chokes.countries is not None else []
    for r in countries:
        r["src_n"] = notes_list.ref(r["source"])
    inputs = records(conc.inputs)[:INPUT_ROWS] if conc.inputs is not None else []
    ids = [m.get("sources") for m in markets]
    notes = []
    if eto is not None:
        ids.append(ETO_SOURCE)
        notes.append(
            f"Chip supply-chain inputs from {CITATION} (CC BY-NC 4.0), read from "
            f"{eto.directory}; numbered sources are the dataset's per-row sources."
        )
    else:
        notes.append(
            "Chip supply-chain inputs (CSET/ETO) are not included: start the app with --eto DIR "
            "or STACKATLAS_ETO_DIR (see /supplychain)."
        )
    return Section(
        "concentration",
        "Concentration and chokepoints",
        [chart("fig-hhi", hhi_bars(conc))],
        {
            "markets": markets,
            "chokepoints": rows,
            "eto_inputs": inputs,
            "eto_inputs_total": 0 if conc.inputs is None else len(conc.inputs),
            "country_chokepoints": countries,
            "country_total": 0 if chokes.countries is None else len(chokes.countries),
            "eto_footnotes": notes_list.items(),
        },
        sources_of(atlas, ids),
        notes=notes,
    )


def infra_section(atlas: Atlas, store: Store | None = None) -> Section:
    """The physical stack from Epoch AI's clusters; a how-to note when no folder is set."""
    from stackatlas.charts.infra import compute_by_supplier, power_by_year
    from stackatlas.errors import ValidationError
    from stackatlas.infra import CITATION, infra_summary, load_clusters
    from stackatlas.infra.clusters import HOW_TO_GET

    title = "The physical stack: AI clusters (Epoch AI)"
    try:
        summary = infra_summary(atlas, load_clusters())
    except ValidationError as exc:
        if any(p.file == "--epoch" for p in exc.problems):  # not configured: say how
            return Section(
                "infra",
                title,
                data={"configured": False, "how": HOW_TO_GET},
                sources=sources_of(atlas, ["epoch-gpu-clusters"]),
            )
        raise
    payload = summary.to_dict()
    return Section(
        "infra",
        title,
        [
            chart("fig-infra-power", power_by_year(summary)),
            chart("fig-infra-suppliers", compute_by_supplier(summary)),
        ],
        {"configured": True, **payload},
        sources_of(atlas, ["epoch-gpu-clusters"]),
        notes=[*summary.notes, f"source: {CITATION}"],
    )


def signals_section(atlas: Atlas, store: Store | None = None) -> Section:
    from stackatlas.analysis.signals import evaluate_signals
    from stackatlas.charts.watch import signals_figure

    report = evaluate_signals(atlas, store=store)
    rows = report.rows
    notes = [
        "Thresholds are editorial choices; each signal's 'why' cites the article claim it watches."
    ]
    charts = drawn([("fig-signals", signals_figure(rows))], notes)
    return Section(
        "signals",
        "Signals",
        charts,
        {"rows": records(rows)},
        sources_of(atlas, [SEED_SOURCE]),
        sec=True,
        notes=notes,
    )


def audit_section(atlas: Atlas, store: Store | None = None) -> Section:
    from stackatlas.analysis.audit import audit_claims
    from stackatlas.charts.watch import audit_figure

    report = audit_claims(atlas, store=store)
    rows = records(report.rows)
    notes: list[str] = []
    charts = drawn(
        [("fig-audit", audit_figure(report.rows))], notes, "no claim could be checked: " + NO_SEC
    )
    return Section(
        "audit",
        "Claims audit",
        charts,
        {"rows": rows, "counts": report.counts()},
        sources_of(atlas, [r["source"] for r in rows]),
        sec=True,
        notes=notes,
    )


def scenario_section(atlas: Atlas, result: Any) -> Section:
    """Charts and tables of one ``ScenarioResult``."""
    from stackatlas.charts.scenarios import fan_chart, impact_by_layer

    charts = [
        chart("fig-scenario-impact", impact_by_layer(result)),
        chart("fig-scenario-money", impact_by_layer(result, money=True)),
        chart("fig-scenario-fan", fan_chart(result)),
    ]
    origins = list(result.edges["origin"]) if "origin" in result.edges else []
    explicit = {(d.supplier, d.customer): d.other_sources for d in atlas.dependencies}
    for row in result.edges.itertuples():  # an explicit edge's further sources are cited too
        origins += explicit.get((row.supplier, row.customer), [])
    companies = result.companies.sort_values(
        "revenue_at_risk_pct", ascending=False, na_position="last", key=lambda s: s.abs()
    ).head(15)
    return Section(
        "scenario",
        f"Scenario: {result.title}",
        charts,
        {
            "result": result,
            "layers": records(result.layers),
            "companies": records(companies),
            "edges": records(result.edges.head(12)),
            "parameters": records(result.parameters),
        },
        sources_of(atlas, origins),
        notes=list(result.notes),
    )


def sweep_section(atlas: Atlas, result: Any, target: str | None = None) -> Section:
    """The tornado, the sensitivity table and p95 by layer of one ``SweepResult``."""
    from stackatlas.charts.sweeps import sweep_tornado

    column = result.target_column(target)
    layers = []
    for layer in result.layers:
        values = result.points[f"layer.{layer}.pct_p95"]
        layers.append(
            {"layer": layer, "min": values.min(), "median": values.median(), "max": values.max()}
        )
    return Section(
        "sweep",
        f"Sweep: {result.scenario}",
        [chart("fig-sweep-tornado", sweep_tornado(result, column))],
        {
            "result": result,
            "target": column,
            "tornado": records(result.tornado(column)),
            "layers": records(pd.DataFrame(layers)),
            "points_total": len(result.points),
        },
        notes=[
            "S1 is the first-order variance index of the p95 over the sweep's points: the share "
            "of its variance the parameter explains alone (exact on a full grid, binned for a "
            "Latin hypercube). Every number is a model output (△), not a forecast."
        ],
    )


def scenario_summary_section(
    atlas: Atlas, store: Store | None = None, *, eto: Any = None
) -> Section:
    """Every shipped scenario at its defaults: revenue at risk by layer (report chapter).
    Scenarios that start at a CSET/ETO chip input run when ``eto`` is given, else are listed
    as skipped."""
    from stackatlas.charts.scenarios import scenarios_summary
    from stackatlas.scenarios import list_scenarios, run_scenario

    rows, origins, results = [], [], []
    skipped = []
    for item in list_scenarios():
        if item.get("needs") == "eto" and eto is None:
            skipped.append(item["name"])
            continue
        result = run_scenario(item["name"], atlas=atlas, eto=eto)
        results.append(result)
        layers = result.layers
        origins += list(result.edges["origin"]) if "origin" in result.edges else []
        known = layers["revenue_at_risk_usd_bn"].dropna()  # an unknown layer is not zero
        total = float(known.sum()) if len(known) else None
        rows.append(
            {
                "name": item["name"],
                "title": result.title,
                "quarters": result.quarters,
                "total_usd_bn": total,
                "layers": records(layers),
            }
        )
    return Section(
        "scenarios",
        "Scenarios (summary)",
        [chart("fig-scenarios", scenarios_summary(results))],
        {"rows": rows},
        sources_of(atlas, origins),
        notes=[
            "Model outputs (evidence: scenario), not forecasts. Each parameter's "
            "basis (a cited study or an explicit assumption) is listed with the "
            "scenario in the web app (/scenarios) and `stackatlas scenario show`.",
            *(
                [
                    "Not run (they start at a chip input and need the CSET/ETO dataset: "
                    "--eto DIR or STACKATLAS_ETO_DIR): " + ", ".join(skipped)
                ]
                if skipped
                else []
            ),
        ],
    )


def company_section(atlas: Atlas, store: Store | None, company_id: str) -> Section:
    from stackatlas.atlas.views import company_profile
    from stackatlas.charts.money import fundamentals_figure
    from stackatlas.resolver import Resolver

    profile = company_profile(atlas, company_id)
    company = profile.company
    charts, notes, table = [], [], []
    if company.cik is None:
        notes.append("Not an SEC filer (no CIK): no filing-based fundamentals.")
    else:
        try:  # the resolver's SEC sources: companyfacts, else the filings at hand
            metrics, _ = Resolver(atlas, store=store).filings_only().fiscal(company_id)
            metrics = metrics[metrics["value"].notna()]
            metrics = metrics.assign(accession=metrics["reference"])
            metrics = metrics[metrics["fiscal_year"] >= metrics["fiscal_year"].max() - 4]
            charts.append(chart("fig-fundamentals", fundamentals_figure(metrics, company.name)))
            table = records(
                metrics[["metric", "fiscal_year", "end", "value", "evidence", "accession"]]
            )
        except DataUnavailableError as exc:
            notes.append(f"Fundamentals unavailable: {exc}")
    return Section(
        "company",
        company.name,
        charts,
        {"profile": profile, "metrics": table},
        list(profile.sources),
        sec=company.cik is not None,
        notes=notes,
    )


def portfolio_section(atlas: Atlas, report: Any) -> Section:
    from stackatlas.charts.portfolio import drawdown_lines, exposure_sunburst, risk_return_scatter
    from stackatlas.web.summary import portfolio_payload

    charts = [chart("fig-exposure", exposure_sunburst(report))]
    if report.risk is not None:
        charts += [
            chart("fig-risk", risk_return_scatter(report)),
            chart("fig-drawdown", drawdown_lines(report)),
        ]
    held = set(report.holdings["company"].dropna()) if len(report.holdings) else set()
    ids = [m.source for m in atlas.memberships if m.company in held]
    data = portfolio_payload(report)  # an 80k-row upload is not echoed row by row
    return Section(
        "portfolio", "Portfolio", charts, data, sources_of(atlas, ids), notes=list(data["notes"])
    )
