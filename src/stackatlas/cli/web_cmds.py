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
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            envvar="STACKATLAS_WEB_ALLOWED_HOSTS",
            help="Host name the server also answers to (repeatable; '*.example.org' for "
            "subdomains). On a loopback bind only localhost / 127.0.0.1 / ::1 are answered "
            "otherwise (DNS rebinding); on another bind, any name unless this is given.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            envvar="STACKATLAS_WEB_WORKERS",
            help="Worker processes for scenario runs and portfolio analysis (default: one "
            "per core, at most 4).",
        ),
    ] = None,
    queue: Annotated[
        int,
        typer.Option(
            min=0,
            envvar="STACKATLAS_WEB_QUEUE",
            help="Such requests that may wait for a worker; more get 503 + Retry-After.",
        ),
    ] = 8,
    max_connections: Annotated[
        int | None,
        typer.Option(
            min=16,
            envvar="STACKATLAS_WEB_MAX_CONNECTIONS",
            help="Open connections at most; one more is answered 503 (default: the "
            "descriptor limit minus 1,024, at most 16,384).",
        ),
    ] = None,
    header_timeout: Annotated[
        float,
        typer.Option(
            min=0.5,
            envvar="STACKATLAS_WEB_HEADER_TIMEOUT",
            help="Seconds a client has to send a request's headers (then 408).",
        ),
    ] = 10.0,
    body_timeout: Annotated[
        float,
        typer.Option(
            min=0.5,
            envvar="STACKATLAS_WEB_BODY_TIMEOUT",
            help="Seconds a client has to send a request's body (then 408).",
        ),
    ] = 30.0,
    atlas_overlay: OverlayOpt = None,
    eto: EtoOpt = None,
) -> None:
    """Serve the dashboard and JSON API (read-only over the store; API list at /api-docs).
    With the CSET/ETO folder (--eto / STACKATLAS_ETO_DIR) /supplychain shows the chip
    supply chain and the chip-input scenarios run."""
    import os
    import threading

    from stackatlas.web.app import create_app, warm_up
    from stackatlas.web.security import allowed_hosts_for
    from stackatlas.web.server import ServerLimits, run

    limits = ServerLimits(
        header_timeout=header_timeout, body_timeout=body_timeout, max_connections=max_connections
    )
    hosts = allowed_hosts_for(host, allow_host or [])
    n_workers = workers or max(1, min(4, os.cpu_count() or 1))
    app = create_app(
        atlas_overlay=atlas_overlay,
        prices_dir=prices,
        eto_dir=eto,
        compute_workers=n_workers,
        compute_queue=queue,
        compute_processes=True,
        allowed_hosts=hosts,
    )
    if warm:
        local = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)
        local = f"[{local}]" if ":" in local and not local.startswith("[") else local
        threading.Thread(target=warm_up, args=(f"http://{local}:{port}",), daemon=True).start()

    console.print(
        f"stackatlas web on http://{host}:{port}/  (API: /api-docs, /openapi.json; Ctrl+C stops)"
    )
    console.print(
        f"  {n_workers} compute worker(s) + {queue} queued; {limits.connections():,} "
        f"connections; headers {header_timeout:g} s, body {body_timeout:g} s; hosts: "
        + (", ".join(sorted(hosts)) if hosts is not None else "any"),
        markup=False,
        highlight=False,
    )
    run(app, host, port, limits)


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
