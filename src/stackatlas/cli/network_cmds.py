"""``stackatlas flows | concentration | economics``: money flows, chokepoints, lab economics.

Each command loads the atlas (or the shipped lab inputs), calls the library and renders the
result as rich tables, or as JSON with ``--json`` (schemas in the README, section network).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from stackatlas.cli.common import console, emit_json, guarded, print_legend
from stackatlas.errors import Problem, ValidationError


def register(app: typer.Typer) -> None:
    """Add ``flows``, ``concentration`` and ``economics`` to app."""
    app.command("flows")(flows)
    app.command("concentration")(concentration)
    app.command("economics")(economics)


def _atlas():
    from stackatlas.atlas import load_atlas

    return load_atlas()


@guarded
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
        str | None, typer.Option(help="Only flows with this period label (e.g. 2025).")
    ] = None,
    per_year: Annotated[
        bool, typer.Option("--per-year", help="Annualise multi-year amounts.")
    ] = False,
    include_debt: Annotated[
        bool,
        typer.Option(
            "--include-debt", help="Count debt flows too (off: they finance the capex shown)."
        ),
    ] = False,
    expand_groups: Annotated[
        bool,
        typer.Option(
            "--expand-groups", help="Cycles: split group flows equally over members (scenario)."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The money-flow graph: company -> company flows (default), layer totals, circular
    financing, or a lab's spending by destination layer. Amounts in USD bn as stated."""
    from stackatlas.analysis.burn import burn_destinations
    from stackatlas.analysis.cycles import find_cycles
    from stackatlas.analysis.flows import flow_graph, link_view
    from stackatlas.display import rich_table

    atlas = _atlas()
    graph = flow_graph(atlas, per_year=per_year, period=period, include_debt=include_debt)
    payload: dict[str, Any] = {"per_year": per_year, "period": period, "include_debt": include_debt}
    views: list[Any] = []
    if not (layers or segments or cycles or burn):
        edges = graph.collapse("company")
        payload["edges"] = edges
        views.append(
            rich_table(
                "Money flows (USD bn; ≥ = lower bound, some amounts unknown)", link_view(edges)
            )
        )
    if layers:
        payload["layers"] = graph.layer_totals()
        views.append(graph)
    if segments:
        payload["segments"] = graph.collapse("segment")
        views.append(
            rich_table("Money flows between segments (USD bn)", link_view(payload["segments"]))
        )
    if cycles:
        report = find_cycles(atlas, per_year=per_year, period=period, expand_groups=expand_groups)
        payload["cycles"] = report.to_dict()
        views.append(report)
    if burn:
        result = burn_destinations(atlas, burn, per_year=per_year, period=period)
        payload["burn"] = result.to_dict()
        views.append(result)
    if as_json:
        emit_json({k: _jsonable(v) for k, v in payload.items()})
        return
    for view in views:
        console.print(view)
    if graph.unmapped:
        console.print(f"[dim]not placed in a layer: {', '.join(graph.unmapped)}[/]")
    print_legend()


@guarded
def concentration(
    market: Annotated[str | None, typer.Option(help="One market id (e.g. foundry).")] = None,
    guidelines: Annotated[
        str, typer.Option(help="Band thresholds: 2023 (1,000 / 1,800) or 2010 (1,500 / 2,500).")
    ] = "2023",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Market concentration (HHI, CR1, CR3, suppliers, DOJ/FTC band) and chokepoints
    (share x reach of the market downstream), with single points of failure."""
    from stackatlas.analysis.concentration import chokepoints, market_concentration

    if guidelines not in ("2023", "2010"):
        raise ValidationError(
            Problem("--guidelines", None, "guidelines", f"must be 2023 or 2010, not {guidelines!r}")
        )
    atlas = _atlas()
    result = market_concentration(atlas, market, guidelines=guidelines)  # type: ignore[arg-type]
    points = chokepoints(atlas)
    if market is not None:
        points.table = points.table[points.table["market"] == market]
        points.single_points = points.single_points[points.single_points["market"] == market]
    if as_json:
        emit_json({"concentration": result.to_dict(), **points.to_dict()})
        return
    console.print(result)
    console.print(points)
    for row in points.single_points.itertuples():
        console.print(
            f"[bold red]single point of failure:[/] {row.company} — {row.role} "
            f"in {row.market} ({row.share:.0%})"
        )
    print_legend()


@guarded
def economics(
    lab: Annotated[str, typer.Option(help="Lab whose shipped inputs to use.")] = "openai",
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="Override an input, e.g. --set growth_2027=0.6 (repeatable).",
        ),
    ] = None,
    show_sensitivity: Annotated[
        bool, typer.Option("--sensitivity", help="Breakeven year across growth x cost factors.")
    ] = False,
    show_inputs: Annotated[
        bool, typer.Option("--inputs", help="List every input with its value, basis and source.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A model lab's projected revenue, costs, cash burn and breakeven year, checked against
    the article's figures; every input can be overridden."""
    from stackatlas.analysis.economics import project_lab, sensitivity

    overrides = parse_overrides(set_ or [])
    projection = project_lab(lab, overrides)
    grid = sensitivity(lab, overrides=overrides) if show_sensitivity else None
    if as_json:
        payload = projection.to_dict()
        if grid is not None:
            payload["sensitivity"] = grid.to_dict()
        emit_json(payload)
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


def parse_overrides(items: list[str]) -> dict[str, float]:
    """``["growth_2027=0.6"]`` -> ``{"growth_2027": 0.6}``; bad items -> ValidationError."""
    out: dict[str, float] = {}
    problems = []
    for item in items:
        key, sep, raw = item.partition("=")
        try:
            if not sep or not key.strip():
                raise ValueError
            out[key.strip()] = float(raw)
        except ValueError:
            problems.append(
                Problem("--set", None, key.strip() or item, f"expected KEY=NUMBER, got {item!r}")
            )
    if problems:
        raise ValidationError(problems)
    return out


def _jsonable(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        from stackatlas.display import records

        return records(value)
    return value
