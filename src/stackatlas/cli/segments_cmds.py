"""``stackatlas segments FILE``: segment revenue with shares from one inline-XBRL filing.

Thin: parse options -> ``stackatlas.sec.segment_view.segment_table`` -> rich table or ``--json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackatlas.cli.common import guarded
from stackatlas.cli.options import Output, OverlayOpt, load_atlas, with_output


def register(app: typer.Typer) -> None:
    """Add ``segments`` to app."""
    app.command("segments")(segments_cmd)


@guarded
@with_output
def segments_cmd(
    file: Annotated[
        Path,
        typer.Argument(help="An inline-XBRL 10-K / 10-Q (.htm/.html) or an XBRL instance (.xml)."),
    ],
    metric: Annotated[str, typer.Option(help="revenue, operating_income or all.")] = "revenue",
    all_periods: Annotated[
        bool,
        typer.Option(
            "--all-periods",
            help="Show prior-year comparatives too (default: the latest period end only).",
        ),
    ] = False,
    store: Annotated[
        bool,
        typer.Option(
            "--store",
            help="Also save the rows in the store table sec_segment_facts (replacing "
            "this filing's rows).",
        ),
    ] = False,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """Segment and product-line revenue of one filing, each with its share of total revenue."""
    from stackatlas.sec.segment_view import segment_table
    from stackatlas.sec.segments import ingest_filing

    atlas = load_atlas(atlas_overlay)
    result = segment_table(file, metric=metric, all_periods=all_periods, atlas=atlas)
    if store:
        from stackatlas.store import Store

        with Store() as db:
            ingest_filing(db, file, atlas=atlas)
    out.show(result)
