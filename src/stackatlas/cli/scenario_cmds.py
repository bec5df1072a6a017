"""Scenario commands: ``stackatlas scenario list | show NAME | run NAME``.

Thin layer: parse options -> one ``stackatlas.scenarios`` call -> rich view or ``--json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stackatlas.cli.common import console, guarded
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
    seed: Annotated[int, typer.Option("--seed", help="Random seed for the draws.")] = 0,
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
    *,
    out: Output,
) -> None:
    """Run a scenario: revenue and operating profit at risk by layer, company and quarter.
    Scenarios that start at a chip input (litho-export-stop, japan-materials-curb) need the
    CSET/ETO dataset (--eto DIR or STACKATLAS_ETO_DIR) and exit 2 without it."""
    from stackatlas.overrides import parse_overrides
    from stackatlas.scenarios import load_scenario, run_scenario
    from stackatlas.scenarios.eto_network import needs_eto
    from stackatlas.scenarios.params import parse_override

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
        )
    if html is not None:
        from stackatlas.charts.scenarios import write_html

        write_html(result, html)
    out.show(result)
    if html is not None and not out.machine:
        console.print(f"charts written to {html}")


def register(app: typer.Typer) -> None:
    """Add the ``scenario`` command group to ``app``."""
    app.add_typer(scenario_app, name="scenario")
