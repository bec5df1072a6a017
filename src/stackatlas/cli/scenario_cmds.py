"""Scenario commands: ``stackatlas scenario list | show NAME | run NAME``.

Thin layer: parse options -> one ``stackatlas.scenarios`` call -> rich view or ``--json``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from stackatlas.cli.common import console, emit_json, err_console
from stackatlas.cli.common import guarded as _guarded
from stackatlas.errors import NotFoundError, Problem, ValidationError


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """``cli.common.guarded``, but input errors are printed without rich markup so that
    located fields such as ``[shocks.0.targets]`` survive."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValidationError, NotFoundError) as exc:
            err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return _guarded(wrapper)


scenario_app = typer.Typer(
    help="Stress scenarios propagated through the AI supply network.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a rich view.")]
OverlayOpt = Annotated[
    Path | None,
    typer.Option(
        "--atlas-overlay",
        envvar="STACKATLAS_ATLAS_OVERLAY",
        help="Directory of atlas files merged over the shipped atlas.",
        file_okay=False,
        dir_okay=True,
    ),
]


@scenario_app.command("list")
@guarded
def list_cmd(as_json: JsonOpt = False) -> None:
    """The shipped scenarios."""
    from stackatlas.scenarios import list_scenarios

    rows = list_scenarios()
    if as_json:
        emit_json(rows)
        return
    table = Table(title="scenarios", title_justify="left")
    table.add_column("name")
    table.add_column("title")
    for row in rows:
        table.add_row(row["name"], row["title"])
    console.print(table)


@scenario_app.command("show")
@guarded
def show_cmd(
    name: Annotated[str, typer.Argument(help="Scenario name or path to a YAML file.")],
    atlas_overlay: OverlayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A scenario's shocks and parameters: default, range, distribution and basis (the file
    is validated, including its targets against the atlas)."""
    from stackatlas.atlas.loader import load_atlas
    from stackatlas.scenarios import load_scenario
    from stackatlas.scenarios.spec import check_targets

    spec = load_scenario(name)
    check_targets(spec, load_atlas(atlas_overlay))
    if as_json:
        emit_json(spec.to_dict())
    else:
        console.print(spec)


def _parse_sets(values: list[str]) -> dict[str, object]:
    from stackatlas.scenarios.params import parse_override

    out: dict[str, object] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValidationError(
                Problem("--set", None, None, f"expected param=value, got {item!r}")
            )
        out[key.strip()] = parse_override(value.strip())
    return out


@scenario_app.command("run")
@guarded
def run_cmd(
    name: Annotated[str, typer.Argument(help="Scenario name or path to a YAML file.")],
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a parameter: name=0.4 or name=triangular(0.1,0.3,0.6). Repeatable.",
        ),
    ] = None,
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
    as_json: JsonOpt = False,
) -> None:
    """Run a scenario: revenue and operating profit at risk by layer, company and quarter."""
    from stackatlas.atlas.loader import load_atlas
    from stackatlas.scenarios import run_scenario

    result = run_scenario(
        name,
        atlas=load_atlas(atlas_overlay),
        overrides=_parse_sets(set_ or []),
        draws=draws,
        seed=seed,
        baseline=baseline,
    )
    if html is not None:
        from stackatlas.charts.scenarios import write_html

        write_html(result, html)
    if as_json:
        emit_json(result.to_dict())
    else:
        console.print(result)
        if html is not None:
            console.print(f"charts written to {html}")


def register(app: typer.Typer) -> None:
    """Add the ``scenario`` command group to ``app``."""
    app.add_typer(scenario_app, name="scenario")
