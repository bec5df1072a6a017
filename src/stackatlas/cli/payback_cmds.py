"""``stackatlas payback``: what must be true — the stack-wide payback gap (library:
``stackatlas.analysis.payback``)."""

from __future__ import annotations

from typing import Annotated

import typer

from stackatlas.cli.common import guarded, print_legend
from stackatlas.cli.options import (
    Output,
    OverlayOpt,
    SetOpt,
    load_atlas,
    open_store,
    set_flag,
    with_output,
)
from stackatlas.errors import Problem, ValidationError


def register(app: typer.Typer) -> None:
    """Add ``payback`` to app."""
    app.command("payback")(payback)


@guarded
@with_output
def payback(
    set_: SetOpt = None,
    grid: Annotated[
        str,
        typer.Option(
            metavar="ROW,COLUMN",
            help="The two parameters of the sensitivity grid (e.g. "
            "end_user_gross_margin,useful_life_years).",
        ),
    ] = "useful_life_years,cost_of_capital",
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """What must be true: the end-user AI revenue the hyperscalers' AI capex needs each year to
    earn its cost of capital, beside the AI revenue the atlas can source (Sequoia's "$600B
    question"), the gap, the implied payback and a sensitivity grid. USD bn."""
    from stackatlas.analysis.payback import payback as run_payback
    from stackatlas.overrides import parse_overrides

    axes = tuple(part.strip() for part in grid.split(","))
    if len(axes) != 2 or not all(axes):
        raise ValidationError(
            [Problem("--grid", None, "grid", f"expected ROW,COLUMN, got {grid!r}")]
        )
    with set_flag():
        overrides = parse_overrides(set_ or [], float, syntax="KEY=NUMBER")
        result = run_payback(
            load_atlas(atlas_overlay),
            store=open_store(),
            overrides=overrides,
            grid=axes,
        )
    out.show(result)
    if not out.machine:
        print_legend()
