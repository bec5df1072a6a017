"""``stackatlas coverage``: which atlas company numbers resolve, from where, and why not."""

from __future__ import annotations

from typing import Annotated

import typer

from stackatlas.cli.common import console, guarded
from stackatlas.cli.options import (
    Output,
    OverlayOpt,
    ProviderOpt,
    load_atlas,
    make_resolver,
    open_store,
    with_output,
)


def register(app: typer.Typer) -> None:
    """Add ``coverage`` to app."""
    app.command("coverage")(coverage_cmd)


@guarded
@with_output
def coverage_cmd(
    layer: Annotated[
        str | None, typer.Option(help="One layer (id or the article's level number).")
    ] = None,
    year: Annotated[
        str | None, typer.Option(help="One calendar year (2024 or CY2024); default: the 3 latest.")
    ] = None,
    provider: ProviderOpt = None,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """Every atlas company x revenue, operating income, capex, operating cash flow x recent
    calendar year: the value's source and evidence, or why it is missing and what would
    resolve it; per layer the share of companies and of exposure weight resolved."""
    from stackatlas.analysis.coverage_result import coverage

    atlas = load_atlas(atlas_overlay)
    store = open_store()
    result = coverage(
        atlas, layer=layer, year=year, store=store, resolver=make_resolver(atlas, store, provider)
    )
    out.show(result)
    if out.machine:
        return
    for y in result.years:
        console.print(f"[dim]{result.line(y)}[/]", highlight=False)
    console.print(
        f"[dim]providers asked, in order: {' -> '.join(result.providers)}; per-value "
        "basis, rule and reference in --json[/]",
        highlight=False,
    )
    for note in result.notes:
        console.print(f"[yellow]note: {note}[/]", highlight=False)
