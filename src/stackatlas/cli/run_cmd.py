"""``stackatlas run``: the main job behind ``make run``.

Loads the shipped atlas (plus any overlay) into the store, syncs SEC facts when a source is
configured (STACKATLAS_SEC_DIR or STACKATLAS_SEC_USER_AGENT; otherwise says why it skipped),
snapshots the watch-list signals, prints the stack map and a summary, and writes the
self-contained HTML report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackatlas.cli.common import console, emit_json, guarded
from stackatlas.cli.options import JsonOpt, OverlayOpt, load_atlas


def run_cmd(
    atlas_overlay: OverlayOpt = None,
    as_json: JsonOpt = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Summary only, no stack map.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", "-o", help="Where to write the HTML report.")
    ] = Path("stackatlas-report.html"),
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip the HTML report.")] = False,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Set the store file aside (renamed *.damaged-<time>, nothing deleted) and build "
            "a new one: for a truncated or damaged store.",
        ),
    ] = False,
) -> None:
    """Build the store from the atlas, sync SEC facts if configured, print the stack map and
    a summary, and write the HTML report."""
    from stackatlas.atlas.views import atlas_summary, stack_map
    from stackatlas.outputs import check_output
    from stackatlas.pipeline import run_main_job
    from stackatlas.store import Store

    if report is not None and not no_report:
        check_output(report, "report")  # before the sync, not after
    atlas = load_atlas(atlas_overlay)
    if rebuild:
        from stackatlas import config
        from stackatlas.store.store import set_aside

        moved = set_aside(config.store_path())
        if moved is not None and not as_json:
            console.print(f"store set aside as {moved}; building a new one", markup=False)
    with Store() as store:
        result = run_main_job(
            atlas, report_path=None if no_report else report, store=store, progress=not as_json
        )
        path = store.path
    summary = atlas_summary(atlas)
    if as_json:
        emit_json({"store": str(path), **result.to_dict(), "summary": summary.to_dict()})
        return
    if not quiet:
        console.print(stack_map(atlas))
    console.print(summary)
    state = "loaded into" if result.atlas_loaded else "already up to date in"
    console.print(f"atlas {atlas.version} {state} {path}", markup=False)
    if result.sync is not None:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(result.sync.counts.items()))
        console.print(
            f"SEC sync from {result.sync.source}: {counts} (details: stackatlas sync)", markup=False
        )
        for row in result.sync.rows:
            if row.status == "failed":
                console.print(f"  failed: {row.company}: {row.reason}", markup=False)
        console.print(
            f"segment facts from filings: {result.segment_rows}; signal snapshot: "
            f"{result.snapshot_rows} readings ({result.sync_id})",
            markup=False,
        )
    else:
        console.print(f"SEC sync skipped: {result.sync_skipped}", markup=False)
    if result.coverage_line:
        console.print(f"{result.coverage_line} (details: stackatlas coverage)", markup=False)
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    if result.report_path is not None:
        console.print(f"report: {result.report_path.resolve()}", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``run`` to ``app``."""
    app.command("run")(guarded(run_cmd))
