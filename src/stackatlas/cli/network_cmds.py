"""``stackatlas flows | concentration | economics``: money flows, chokepoints, lab economics.

Each command loads the atlas (or the shipped lab inputs), calls the library and renders the
result as rich tables, or as JSON with ``--json`` (schemas in the README, section network).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from stackatlas.cli.common import console, guarded, print_legend
from stackatlas.cli.options import (
    EtoOpt,
    Output,
    OverlayOpt,
    SetOpt,
    load_atlas,
    set_flag,
    with_output,
)


def register(app: typer.Typer) -> None:
    """Add ``flows``, ``concentration`` and ``economics`` to app."""
    app.command("flows")(flows)
    app.command("concentration")(concentration)
    app.command("economics")(economics)


@guarded
@with_output
def flows(
    layers: Annotated[bool, typer.Option("--layers", help="Layer -> layer totals.")] = False,
    segments: Annotated[
        bool, typer.Option("--segments", help="Segment -> segment totals.")
    ] = False,
    cycles: Annotated[bool, typer.Option("--cycles", help="Circular financing loops.")] = False,
    burn: Annotated[
        str | None,
        typer.Option(
            "--burn", metavar="LAB", help="Where a lab's spending goes, by layer (e.g. openai)."
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="One year (e.g. 2025 or 2026E): its annual flows and the commitments "
            "whose term covers it; for --cycles and --burn, the year compared."
        ),
    ] = None,
    per_year: Annotated[
        bool,
        typer.Option(
            "--per-year",
            help="Count multi-year amounts in each year of a stated term (amount / years).",
        ),
    ] = False,
    include_debt: Annotated[
        bool,
        typer.Option(
            "--include-debt", help="Count debt flows (lender -> borrower) too; off: financing."
        ),
    ] = False,
    expand_groups: Annotated[
        bool,
        typer.Option(
            "--expand-groups", help="Cycles: split group flows equally over members (scenario)."
        ),
    ] = False,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """The money-flow graph: annual company -> company flows and multi-year commitments
    (default), layer totals, circular financing, or a lab's spending by destination layer.
    USD bn; annual flows per year, commitments as stated, never added together."""
    from stackatlas.analysis.burn import burn_destinations
    from stackatlas.analysis.cycles import find_cycles
    from stackatlas.analysis.flows import commitments_table, flow_graph, link_view
    from stackatlas.display import rich_table

    atlas = load_atlas(atlas_overlay)
    graph = flow_graph(atlas, per_year=per_year, period=period, include_debt=include_debt)
    payload: dict[str, Any] = {
        "per_year": per_year,
        "period": period,
        "include_debt": include_debt,
        "years": graph.years(),
    }
    views: list[Any] = []
    if not (layers or segments or cycles or burn):
        edges = graph.collapse("company")
        payload["edges"] = edges
        payload["commitments"] = graph.commitments()
        views.append(
            rich_table(
                "Annual money flows (USD bn per year; ≥ = lower bound, the rest not disclosed)",
                link_view(edges),
            )
        )
        if len(payload["commitments"]):
            views.append(commitments_table(payload["commitments"]))
    if layers:
        payload["layers"] = graph.layer_totals()
        payload["commitments"] = graph.commitments()
        views.append(graph)
    if segments:
        payload["segments"] = graph.collapse("segment")
        views.append(
            rich_table(
                "Annual money flows between segments (USD bn per year)",
                link_view(payload["segments"]),
            )
        )
    if cycles:
        report = find_cycles(atlas, per_year=per_year, period=period, expand_groups=expand_groups)
        payload["cycles"] = report.to_dict()
        views.append(report)
    if burn:
        result = burn_destinations(atlas, burn, per_year=per_year, period=period)
        payload["burn"] = result.to_dict()
        views.append(result)
    if out.machine:
        out.show(graph, {k: _jsonable(v) for k, v in payload.items()})
        return
    for view in views:
        console.print(view)
    if graph.unmapped:
        console.print(f"[dim]not placed in a layer: {', '.join(graph.unmapped)}[/]")
    print_legend()


@guarded
@with_output
def concentration(
    market: Annotated[
        str | None,
        typer.Option(help="One market id (e.g. foundry), or an ETO input (eto:N20 or its name)."),
    ] = None,
    guidelines: Annotated[
        str, typer.Option(help="Band thresholds: 2023 (1,000 / 1,800) or 2010 (1,500 / 2,500).")
    ] = "2023",
    atlas_overlay: OverlayOpt = None,
    eto: EtoOpt = None,
    *,
    out: Output,
) -> None:
    """Market concentration (HHI, CR1, CR3, suppliers, DOJ/FTC band) and chokepoints
    (share x reach of the market downstream), with single points of failure. With the
    CSET/ETO dataset (--eto / STACKATLAS_ETO_DIR) its chip supply-chain inputs rank beside
    the atlas markets."""
    from stackatlas.analysis.concentration import chokepoints, market_concentration
    from stackatlas.supplychain import optional_eto

    atlas = load_atlas(atlas_overlay)
    data = optional_eto(eto)
    result = market_concentration(atlas, market, guidelines=guidelines, eto=data)  # type: ignore[arg-type]
    points = chokepoints(atlas, market, eto=data)
    if out.machine:
        out.show(result, {"concentration": result.to_dict(), **points.to_dict()})
        return
    console.print(result)
    console.print(points)
    for row in points.single_points.itertuples():
        where = row.market if row.basis == "atlas" else f"{row.market_name} (ETO {row.year})"
        who = row.company if isinstance(row.company, str) else f"{row.supplier} (ETO)"
        console.print(
            f"[bold red]single point of failure:[/] {who} — {row.role} "
            f"in {where} ({row.share:.1%})",
            highlight=False,
        )
    if data is None:
        console.print(
            "[dim]chip supply-chain inputs (CSET/ETO) not included: set STACKATLAS_ETO_DIR or "
            "--eto DIR (see `stackatlas supplychain`)[/]"
        )
    print_legend()


@guarded
@with_output
def economics(
    lab: Annotated[str, typer.Option(help="Lab whose shipped inputs to use.")] = "openai",
    set_: SetOpt = None,
    show_sensitivity: Annotated[
        bool, typer.Option("--sensitivity", help="Breakeven year across growth x cost factors.")
    ] = False,
    show_inputs: Annotated[
        bool, typer.Option("--inputs", help="List every input with its value, basis and source.")
    ] = False,
    *,
    out: Output,
) -> None:
    """A model lab's projected revenue, costs, cash burn and breakeven year, checked against
    the article's figures; every input can be overridden (--set growth_2027=0.6)."""
    from stackatlas.analysis.economics import project_lab, sensitivity
    from stackatlas.overrides import parse_overrides

    with set_flag():
        overrides = parse_overrides(set_ or [], float, syntax="KEY=NUMBER")
        projection = project_lab(lab, overrides)
        grid = sensitivity(lab, overrides=overrides) if show_sensitivity else None
    if out.machine:
        payload = projection.to_dict()
        if grid is not None:
            payload["sensitivity"] = grid.to_dict()
        out.show(projection, payload)
        return
    console.print(projection)
    if show_inputs:
        from stackatlas.display import rich_table

        inputs = projection.inputs
        view = inputs[["key", "value", "basis", "evidence", "source"]].assign(
            why=inputs["quote"].fillna(inputs["note"]).fillna("")
        )
        console.print(
            rich_table(f"{projection.name}: inputs (override with --set KEY=VALUE)", view)
        )
    if grid is not None:
        console.print(grid)
    print_legend()


def _jsonable(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        from stackatlas.display import records

        return records(value)
    return value
