"""Scenario commands: ``stackatlas scenario list | show NAME | run NAME | sweep NAME``.

Thin layer: parse options -> one ``stackatlas.scenarios`` call -> rich view or ``--json``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stackatlas.cli.common import console, err_console, guarded
from stackatlas.cli.options import (
    EtoOpt,
    Output,
    OverlayOpt,
    SetOpt,
    load_atlas,
    set_flag,
    with_output,
)

scenario_app = typer.Typer(
    help="Stress scenarios propagated through the AI supply network.", no_args_is_help=True
)


@scenario_app.command("list")
@guarded
@with_output
def list_cmd(*, out: Output) -> None:
    """The shipped scenarios."""
    from stackatlas.scenarios import list_scenarios

    rows = list_scenarios()
    if out.machine:
        out.show(rows, rows)
        return
    table = Table(title="scenarios", title_justify="left")
    table.add_column("name")
    table.add_column("title")
    table.add_column("needs")
    for row in rows:
        needs = "CSET/ETO data (--eto)" if row.get("needs") == "eto" else ""
        table.add_row(row["name"], row["title"], needs)
    console.print(table)


@scenario_app.command("show")
@guarded
@with_output
def show_cmd(
    name: Annotated[str, typer.Argument(help="Scenario name or path to a YAML file.")],
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """A scenario's shocks and parameters: default, range, distribution and basis (the file
    is validated, including its targets against the atlas)."""
    from stackatlas.scenarios import load_scenario
    from stackatlas.scenarios.spec import check_targets

    spec = load_scenario(name)
    check_targets(spec, load_atlas(atlas_overlay))
    out.show(spec)


@scenario_app.command("run")
@guarded
@with_output
def run_cmd(
    name: Annotated[str, typer.Argument(help="Scenario name or path to a YAML file.")],
    set_: SetOpt = None,
    draws: Annotated[int, typer.Option("--draws", min=0, help="Monte Carlo draws (0 = none).")] = 0,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed for the draws (0 or more).")
    ] = 0,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html", help="Also write the impact-by-layer and fan charts to this HTML file."
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="CSV of company,revenue_usd_bn[,contribution_margin] replacing the "
            "atlas revenues for this run.",
            dir_okay=False,
        ),
    ] = None,
    atlas_overlay: OverlayOpt = None,
    eto: EtoOpt = None,
    edges: Annotated[
        str,
        typer.Option(
            "--edges",
            help="Explicit edges at their point shares, or at their low / high bounds "
            "(point | low | high): how much the result depends on the network's estimates; "
            "'draw' (with --draws) draws them from their ranges in each Monte Carlo draw.",
        ),
    ] = "point",
    *,
    out: Output,
) -> None:
    """Run a scenario: revenue and operating profit at risk by layer, company and quarter.
    Scenarios that start at a chip input (litho-export-stop, japan-materials-curb) need the
    CSET/ETO dataset (--eto DIR or STACKATLAS_ETO_DIR) and exit 2 without it."""
    from stackatlas.outputs import check_output
    from stackatlas.overrides import parse_overrides
    from stackatlas.scenarios import load_scenario, run_scenario
    from stackatlas.scenarios.eto_network import needs_eto
    from stackatlas.scenarios.params import parse_override

    if html is not None:
        check_output(html, "chart page")  # before the run, not after
    spec = load_scenario(name)
    data = None
    if needs_eto(spec):
        from stackatlas.supplychain import optional_eto

        data = optional_eto(eto)
    with set_flag():
        result = run_scenario(
            spec,
            atlas=load_atlas(atlas_overlay),
            overrides=parse_overrides(set_ or [], parse_override, syntax="param=value"),
            draws=draws,
            seed=seed,
            baseline=baseline,
            eto=data,
            edge_shares=edges,
        )
    if html is not None:
        from stackatlas.charts.scenarios import write_html

        write_html(result, html)
    out.show(result)
    if html is not None and not out.machine:
        console.print(f"charts written to {html}")


@scenario_app.command("sweep")
@guarded
@with_output
def sweep_cmd(
    name: Annotated[str, typer.Argument(help="Scenario name or path to a YAML file.")],
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid",
            help="Sweep a parameter over steps evenly spaced values: name=low:high:steps. "
            "Repeatable (every combination is run).",
        ),
    ] = None,
    lhs: Annotated[
        int | None,
        typer.Option("--lhs", help="Latin-hypercube sample of N points instead of a grid."),
    ] = None,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            help="Range of a parameter for --lhs: name=low:high. Repeatable (default: the "
            "scenario's own parameters over their distribution's support).",
        ),
    ] = None,
    draws: Annotated[
        int, typer.Option("--draws", min=1, help="Monte Carlo draws per point.")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Root seed of the sweep.")] = 0,
    set_: SetOpt = None,
    engine: Annotated[
        str, typer.Option("--engine", help="local (this process) or ray (a Ray cluster).")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option("--address", help="Ray cluster address (default: a local cluster)."),
    ] = None,
    chunk_points: Annotated[
        int | None,
        typer.Option("--chunk-points", min=1, help="Points per task (results do not change)."),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Parquet file (default: <home>/sweeps/<name>-<key>.parquet)."),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help="Output of the tornado: layer:<id> or company:<id> (p95 %)."),
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the tornado chart to this HTML file.")
    ] = None,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """Sweep a scenario over a parameter grid or Latin hypercube (Monte Carlo at every point):
    p5 / p50 / p95 per layer and company to Parquet, and which parameters move the tail."""
    from stackatlas.overrides import parse_overrides
    from stackatlas.scenarios.params import parse_override
    from stackatlas.scenarios.sweep import SweepInterrupted, run_sweep

    with set_flag():
        overrides = parse_overrides(set_ or [], parse_override, syntax="param=value")
    with _sweep_progress(not out.machine) as on_chunk:
        try:
            result = run_sweep(
                name,
                grid=grid,
                lhs=lhs,
                vary=vary,
                draws=draws,
                seed=seed,
                overrides=overrides,
                atlas=load_atlas(atlas_overlay),
                engine=engine,
                address=address,
                chunk_points=chunk_points,
                out=out_file,
                on_chunk=on_chunk,
            )
        except SweepInterrupted as exc:
            err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(130) from None
    if html is not None:
        from stackatlas.charts.sweeps import write_sweep_html

        write_sweep_html(result, html, target)
    out.show(result, result.to_dict(target=target))
    if html is not None and not out.machine:
        console.print(f"tornado chart written to {html}")


@contextlib.contextmanager
def _sweep_progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar over the sweep's points, advanced as chunks finish."""
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[bold]sweep points"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("points", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def register(app: typer.Typer) -> None:
    """Add the ``scenario`` command group to ``app``."""
    app.add_typer(scenario_app, name="scenario")
