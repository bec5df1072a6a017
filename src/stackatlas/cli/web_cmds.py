"""``stackatlas serve`` (the web app) and ``stackatlas report`` (one self-contained HTML file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackatlas.cli.common import console, guarded
from stackatlas.cli.options import EtoOpt, OverlayOpt, load_atlas, open_store


def serve(
    host: Annotated[
        str, typer.Option(help="Interface to bind (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    prices: Annotated[
        Path | None,
        typer.Option(
            "--prices",
            help="Folder of daily price CSVs for portfolio uploads (default: the "
            "store's price cache).",
        ),
    ] = None,
    warm: Annotated[
        bool,
        typer.Option(
            "--warm/--no-warm", help="Compute every page once at start-up (in the background)."
        ),
    ] = True,
    atlas_overlay: OverlayOpt = None,
    eto: EtoOpt = None,
) -> None:
    """Serve the dashboard and JSON API (read-only over the store; API list at /api-docs).
    With the CSET/ETO folder (--eto / STACKATLAS_ETO_DIR) /supplychain shows the chip
    supply chain and the chip-input scenarios run."""
    import threading

    import uvicorn

    from stackatlas.web.app import create_app, warm_up

    if warm:
        local = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)
        local = f"[{local}]" if ":" in local and not local.startswith("[") else local
        threading.Thread(target=warm_up, args=(f"http://{local}:{port}",), daemon=True).start()

    console.print(
        f"stackatlas web on http://{host}:{port}/  (API: /api-docs, /openapi.json; Ctrl+C stops)"
    )
    uvicorn.run(
        create_app(atlas_overlay=atlas_overlay, prices_dir=prices, eto_dir=eto),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
    )


def report(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path(
        "stackatlas-report.html"
    ),
    portfolio: Annotated[
        Path | None, typer.Option("--portfolio", help="Holdings CSV to add as a portfolio chapter.")
    ] = None,
    prices: Annotated[
        Path | None,
        typer.Option("--prices", help="Folder of daily price CSVs for the portfolio chapter."),
    ] = None,
    atlas_overlay: OverlayOpt = None,
    eto: EtoOpt = None,
) -> None:
    """Write one self-contained HTML report (map, flows, pools, capex, concentration, chip
    supply chain with the CSET/ETO folder, signals, audit, scenarios, sources; optional
    portfolio) and print its path."""
    from stackatlas.supplychain import optional_eto
    from stackatlas.web.report import build_report

    atlas = load_atlas(atlas_overlay)
    data = optional_eto(eto)
    store = open_store()
    try:
        path = build_report(
            output, atlas=atlas, store=store, portfolio=portfolio, prices_dir=prices, eto=data
        )
    finally:
        if store is not None:
            store.close()
    print(path.resolve())


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``report`` to app."""
    app.command("serve")(guarded(serve))
    app.command("report")(guarded(report))
