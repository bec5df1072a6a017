"""``stackatlas export DIR``: every analysis as Parquet + the store + a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackatlas.cli.common import console, err_console, guarded
from stackatlas.cli.options import Output, OverlayOpt, load_atlas, open_store, with_output


def register(app: typer.Typer) -> None:
    """Add ``export`` to app."""
    app.command("export")(export)


@guarded
@with_output
def export(
    folder: Annotated[
        Path,
        typer.Argument(
            help="Folder to write (created; an earlier export there is replaced).", file_okay=False
        ),
    ],
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """Write every analysis (map, pools, capex, signals, audit, flows, cycles, concentration,
    chokepoints, economics, atlas tables; infra / supply chain when their data is configured)
    as Parquet into FOLDER, with a copy of the DuckDB store and manifest.json (versions, last
    sync, files with row counts and SHA-256, sources)."""
    from stackatlas.bundle import export_bundle

    def step(name: str) -> None:
        if not out.machine:
            err_console.print(f"[dim]· {name}[/]", highlight=False)

    manifest = export_bundle(
        folder, atlas=load_atlas(atlas_overlay), store=open_store(), progress=step
    )
    out.show(manifest)
    if not out.machine:
        console.print(f"[dim]manifest: {folder / 'manifest.json'}[/]", highlight=False)
