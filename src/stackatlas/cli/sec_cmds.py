"""SEC commands: ``sync`` and the ``sec`` group (``bulk``, ``metrics``).

Thin: parse options -> one library call (``stackatlas.sec``) -> rich output or ``--json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stackatlas.cli.common import console, err_console, guarded
from stackatlas.cli.options import Output, OverlayOpt, load_atlas, with_output
from stackatlas.errors import ValidationError

SEC_METRICS_KEYS = (
    "metric",
    "fiscal_year",
    "fiscal_period",
    "start",
    "end",
    "value",
    "unit",
    "concept",
    "accession",
    "derivation",
)
"""The stable key set of every object ``stackatlas sec metrics --json`` prints."""

sec_app = typer.Typer(
    name="sec",
    help="SEC EDGAR data: bulk archive ingestion, metrics from one companyfacts file.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``sync`` and the ``sec`` group to app."""
    app.command("sync")(sync_cmd)
    app.add_typer(sec_app)


@guarded
@with_output
def sync_cmd(
    companies: Annotated[
        str,
        typer.Option(
            help="'all' (every atlas company with a CIK) or a comma list of ids / tickers / names, "
            "e.g. nvda,googl."
        ),
    ] = "all",
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", help="Use only the SEC cache (or STACKATLAS_SEC_DIR); no network."
        ),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 when any company failed.")
    ] = False,
    deadline: Annotated[
        float | None,
        typer.Option(
            "--deadline",
            min=0,
            help="Seconds the whole sync may spend fetching from SEC, 0 = no limit (default: "
            "STACKATLAS_SEC_DEADLINE or 900); companies left are served from the cache.",
        ),
    ] = None,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """Fetch SEC companyfacts for atlas companies, store their facts (cache-aware) and
    snapshot the watch-list signals so `signals --since last-sync` can show changes."""
    from stackatlas.pipeline import refresh
    from stackatlas.store import Store

    atlas = load_atlas(atlas_overlay)
    with Store() as store:
        result = refresh(
            atlas,
            store,
            companies=companies,
            offline=offline or None,
            progress=not out.machine,
            deadline=deadline,
        )
    report = result.sync
    assert report is not None  # refresh raises rather than skipping without skip_unavailable
    if out.machine:
        out.show(
            report,
            {
                **report.to_dict(),
                "sync_id": result.sync_id,
                "signal_snapshot_rows": result.snapshot_rows,
                "segment_rows": result.segment_rows,
                "notes": result.notes,
            },
        )
    else:
        console.print(report)
        console.print(
            f"signals snapshot: {result.snapshot_rows} readings ({result.sync_id}); "
            f"segment facts from filings: {result.segment_rows}"
        )
        for note in result.notes:
            console.print(f"note: {note}", markup=False)
    if strict and not report.ok:
        raise typer.Exit(1)


@sec_app.command("bulk")
@guarded
@with_output
def bulk_cmd(
    archive: Annotated[
        Path,
        typer.Argument(
            help="SEC bulk companyfacts.zip (https://www.sec.gov/Archives/edgar/daily-index/xbrl/"
            "companyfacts.zip)."
        ),
    ],
    workers: Annotated[
        int | None,
        typer.Option(
            help="Parsing processes of the local engine (default: one per core; 0 = in-process).",
            min=0,
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local (process pool, facts into the store's database) or ray (Ray tasks, "
            "facts as CIK-partitioned Parquet beside the store, read through the same "
            "sec_facts view).",
        ),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option("--address", help="Ray cluster address (default: a local cluster)."),
    ] = None,
    *,
    out: Output,
) -> None:
    """Ingest the SEC bulk archive into the store (parallel, resumable; failures summarized)."""
    from stackatlas.scale.engine import check_engine

    check_engine(engine, address)
    if engine == "ray":
        if workers is not None:
            raise ValidationError("--workers sets the local engine's processes; Ray uses its CPUs")
        from stackatlas.sec.bulk_ray import ingest_bulk_ray

        report = ingest_bulk_ray(archive, address=address, progress=not out.machine)
    else:
        from stackatlas.sec.bulk import ingest_bulk

        report = ingest_bulk(archive, workers=workers, progress=not out.machine)
    out.show(report)


@sec_app.command("metrics")
@guarded
@with_output
def metrics_cmd(
    file: Annotated[
        Path, typer.Option("--file", help="A companyfacts JSON file (CIK##########.json).")
    ],
    period: Annotated[
        str, typer.Option(help="annual (fiscal years), quarterly (Q1-Q4) or ttm.")
    ] = "annual",
    *,
    out: Output,
) -> None:
    """Standard metrics straight from one companyfacts file (no store, no network).

    --json prints a list of objects with exactly the keys metric, fiscal_year, fiscal_period,
    start, end, value, unit, concept, accession, derivation.
    """
    from stackatlas.display import records
    from stackatlas.fundamentals import compute_metrics
    from stackatlas.fundamentals.metrics import quarterly_gap_note
    from stackatlas.sec.companyfacts import read_companyfacts

    frame = compute_metrics(read_companyfacts(file), period)
    rows = records(frame, SEC_METRICS_KEYS)
    note = quarterly_gap_note(frame, period)
    if note:  # stderr: --json output on stdout stays a plain list
        err_console.print(f"note: {note}", markup=False, soft_wrap=True)
    if out.machine:
        out.show(rows, rows)
        return
    shown = (
        "metric",
        "fiscal_year",
        "fiscal_period",
        "end",
        "value",
        "unit",
        "concept",
        "derivation",
    )
    table = Table(title=f"{file.name}: {period} metrics (full units; --json for accessions)")
    for key in shown:
        table.add_column(key, justify="right" if key in {"fiscal_year", "value"} else "left")
    for rec in rows:
        value = rec["value"]
        table.add_row(
            *[
                f"{value:,.0f}"
                if k == "value" and value is not None
                else ("" if rec[k] is None else str(rec[k]))
                for k in shown
            ]
        )
    console.print(table)
