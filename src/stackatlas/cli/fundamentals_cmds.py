"""``stackatlas fundamentals``: a company's standard metrics from its SEC filings."""

from __future__ import annotations

from typing import Annotated

import typer

from stackatlas.cli.common import console, guarded
from stackatlas.cli.options import Output, OverlayOpt, load_atlas, open_store, with_output

_PERIOD_HELP = "annual (fiscal years), quarterly (Q1-Q4) or ttm (trailing four quarters)"
TABLE_YEARS = {"annual": 5, "quarterly": 2, "ttm": 2}  # default window of the rich table


def register(app: typer.Typer) -> None:
    """Add ``fundamentals`` to app."""
    app.command("fundamentals")(fundamentals)


@guarded
@with_output
def fundamentals(
    company: Annotated[str, typer.Argument(help="Company id, ticker, name or a numeric CIK.")],
    period: Annotated[str, typer.Option(help=_PERIOD_HELP)] = "annual",
    metrics: Annotated[
        str | None,
        typer.Option(help="Comma-separated metric names (default: all), e.g. revenue,capex."),
    ] = None,
    years: Annotated[
        int | None,
        typer.Option(
            help="Only periods ending in the last N years (before the latest period end); "
            f"default: all in --json/--csv, the last {TABLE_YEARS['annual']} (annual) or "
            f"{TABLE_YEARS['quarterly']} (quarterly, ttm) in the table.",
            min=1,
        ),
    ] = None,
    atlas_overlay: OverlayOpt = None,
    *,
    out: Output,
) -> None:
    """Show revenue, margins, cash flow, capex ... per fiscal period, with the SEC concept and
    filing behind every number (values in $M in the table, full units in --json/--csv)."""
    from stackatlas.fundamentals.company import company_fundamentals

    trimmed = (
        years is None and not out.machine
    )  # 20 fiscal years (80 quarters) do not fit a terminal
    if trimmed:
        years = TABLE_YEARS.get(period, TABLE_YEARS["quarterly"])
    result = company_fundamentals(
        company,
        period,
        metrics.split(",") if metrics else None,
        years=years,
        atlas=load_atlas(atlas_overlay),
        store=open_store(),
    )
    out.show(result)
    if trimmed:
        console.print(
            f"[dim]last {years} years shown; --years N for more, --json / --csv "
            "for every period[/]",
            highlight=False,
        )
