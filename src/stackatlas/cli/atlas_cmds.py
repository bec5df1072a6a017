"""Atlas commands: ``map``, ``company``, ``sources``, ``validate``, ``sql``.

Each command: parse options -> one library call -> render with rich, or ``--json`` (the view's
``to_dict()``, documented in the README). Library modules are imported inside the commands:
``--help`` and the atlas views start without pandas or DuckDB.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer

from stackatlas.cli.common import console, emit_json, err_console, guarded
from stackatlas.cli.options import (
    JsonOpt,
    Output,
    OverlayOpt,
    load_atlas,
    open_store,
    with_output,
)
from stackatlas.errors import AtlasValidationError

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table


@with_output
def map_cmd(
    layer: Annotated[str | None, typer.Option("--layer", "-l", help="Show one layer only.")] = None,
    dollars: Annotated[
        bool,
        typer.Option(
            "--dollars",
            help="Size each company's part of a segment in USD: the filing's segment revenue "
            "where reported, else revenue x share or weight (estimated).",
        ),
    ] = False,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """The stack as a tree: layer -> segment -> companies, with headline figures and shares
    (``--dollars``: each company's revenue in each segment, with its evidence)."""
    from stackatlas.atlas.views import stack_map

    atlas = load_atlas(atlas_overlay)
    if not dollars:
        out.show(stack_map(atlas, layer=layer))
        return
    from stackatlas.analysis.stack_sizes import stack_dollars

    sizes = stack_dollars(atlas, store=open_store())
    out.show(sizes.for_layer(atlas.layer(layer).id) if layer else sizes)


@with_output
def company_cmd(
    name: Annotated[str, typer.Argument(help="Company id, ticker, name or alias.")],
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """A company's profile: segments, market shares, money flows, figures and their sources."""
    from stackatlas.atlas.views import company_profile

    out.show(company_profile(load_atlas(atlas_overlay), name))


@with_output
def sources_cmd(atlas_overlay: OverlayOpt = None, *, out: Output) -> None:
    """Every source the atlas cites, with how many rows cite it."""
    from stackatlas.atlas.views import source_list

    out.show(source_list(load_atlas(atlas_overlay)))


def validate_cmd(atlas_overlay: OverlayOpt = None, as_json: JsonOpt = False) -> None:
    """Validate the atlas (plus overlay): exit 0 with a summary, or 2 with every problem."""
    from stackatlas.atlas.views import atlas_summary

    try:
        atlas = load_atlas(atlas_overlay)
    except AtlasValidationError as exc:
        if as_json:
            emit_json({"ok": False, "problems": [asdict(p) for p in exc.problems]})
        else:
            err_console.print(f"[bold red]{len(exc.problems)} problem(s)[/] in the atlas:")
            for problem in exc.problems:
                err_console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    summary = atlas_summary(atlas)
    if as_json:
        emit_json({"ok": True, "problems": [], "summary": summary.to_dict()})
    else:
        console.print("[bold green]atlas is valid[/]")
        console.print(summary)


@with_output
def sql_cmd(
    query: Annotated[str, typer.Argument(help="One read-only SQL statement.")],
    atlas_overlay: OverlayOpt = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            min=0,
            help="Seconds the statement may run, 0 = no limit (default: "
            "STACKATLAS_SQL_TIMEOUT or 30).",
        ),
    ] = None,
    *,
    out: Output,
) -> None:
    """Run a read-only SQL query on the store (tables atlas_*, sec_facts, prices ...)."""
    from stackatlas.store import Store

    with Store() as store:
        store.ensure_atlas(load_atlas(atlas_overlay))
        frame = store.sql_readonly(query, timeout=timeout)
    if not out.machine:
        console.print(frame_table(frame))
        return
    rows = json.loads(_dates_as_days(frame).to_json(orient="records", date_format="iso"))
    out.show(frame, rows if out.json else None)


def _dates_as_days(frame: pd.DataFrame) -> pd.DataFrame:
    """DuckDB DATE columns arrive as midnight timestamps; print them as ``YYYY-MM-DD`` (as the
    table and CSV do) instead of ``YYYY-MM-DDT00:00:00.000``."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_datetime64_any_dtype(values) and values.dt.tz is None:
            known = values.dropna()
            if (known == known.dt.normalize()).all():
                out[col] = values.dt.strftime("%Y-%m-%d").where(values.notna(), None)
    return out


def frame_table(frame: pd.DataFrame, limit: int = 200) -> Table:
    """A DataFrame as a rich table (first ``limit`` rows)."""
    import pandas as pd
    from rich.table import Table

    table = Table(
        caption=f"{len(frame)} row(s)" + (f", first {limit} shown" if len(frame) > limit else "")
    )
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for row in frame.head(limit).itertuples(index=False):
        table.add_row(*("" if _is_missing(v) else str(v) for v in row))
    return table


def _is_missing(value: object) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def register(app: typer.Typer) -> None:
    """Add the atlas commands to ``app``."""
    app.command("map")(guarded(map_cmd))
    app.command("company")(guarded(company_cmd))
    app.command("sources")(guarded(sources_cmd))
    app.command("validate")(guarded(validate_cmd))
    app.command("sql")(guarded(sql_cmd))
