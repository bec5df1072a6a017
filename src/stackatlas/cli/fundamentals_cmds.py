"""``stackatlas fundamentals``: a company's standard metrics from its SEC filings."""

from __future__ import annotations

import sys
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from stackatlas.cli.common import console, emit_json, guarded
from stackatlas.errors import ValidationError
from stackatlas.evidence import Evidence

_PERIOD_HELP = "annual (fiscal years), quarterly (Q1-Q4) or ttm (trailing four quarters)"
TABLE_YEARS = {"annual": 5, "quarterly": 2, "ttm": 2}  # default window of the rich table
_JSON_COLUMNS = [
    "metric",
    "fiscal_year",
    "fiscal_period",
    "start",
    "end",
    "value",
    "unit",
    "currency",
    "fx_rate",
    "concept",
    "accession",
    "form",
    "filed",
    "derivation",
    "evidence",
    "calendar_year",
    "calendar_quarter",
]


def register(app: typer.Typer) -> None:
    """Add ``fundamentals`` to app."""
    app.command("fundamentals")(fundamentals)


@guarded
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
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON records.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """Show revenue, margins, cash flow, capex ... per fiscal period, with the SEC concept and
    filing behind every number (values in $M in the table, full units in --json/--csv)."""
    if as_json and as_csv:
        raise ValidationError("choose one of --json and --csv")
    from stackatlas.fundamentals import company_metrics

    name, cik = _resolve_company(company)
    wanted = [m.strip().lower() for m in metrics.split(",") if m.strip()] if metrics else None
    df = company_metrics(cik, period, wanted, store=_open_store())
    trimmed = years is None and not (as_json or as_csv)
    if trimmed:  # a table of 20 fiscal years (80 quarters) is unreadable in a terminal
        years = TABLE_YEARS.get(period, TABLE_YEARS["quarterly"])
    if years is not None and not df.empty:
        ends = pd.to_datetime(df["end"])
        # 15 days of slack so a 52/53-week year N years back is not pulled in
        df = df[ends > ends.max() - pd.DateOffset(years=years) + pd.Timedelta(days=15)]
    if as_json:
        from stackatlas.fundamentals import metric_records

        emit_json(
            {
                "company": name,
                "cik": cik,
                "period": period,
                "rows": metric_records(df, _JSON_COLUMNS),
            }
        )
    elif as_csv:
        df[_JSON_COLUMNS].to_csv(sys.stdout, index=False)
    else:
        console.print(metrics_table(df, name, cik, period))
        if trimmed:
            console.print(
                f"[dim]last {years} years shown; --years N for more, --json / --csv "
                "for every period[/]",
                highlight=False,
            )


def _resolve_company(query: str) -> tuple[str, int]:
    """(display name, CIK) from the atlas, or straight from a numeric CIK."""
    from stackatlas.atlas import load_atlas

    if query.strip().isdigit():
        cik = int(query)
        known = [c.name for c in load_atlas().companies.values() if c.cik == cik]
        return (known[0] if known else "unknown company"), cik
    company = load_atlas().find_company(query)
    if company.cik is None:
        raise ValidationError(
            f"{company.name} has no SEC CIK in the atlas (it does not file with the SEC)"
        )
    return company.name, int(company.cik)


def _open_store():
    """The store, read-only, when its file exists (facts synced by ``stackatlas sync``)."""
    from stackatlas import config

    if not config.store_path().exists():
        return None
    from stackatlas.store import Store

    return Store(read_only=True)


def metrics_table(df: pd.DataFrame, name: str, cik: int, period: str) -> Table:
    """Metrics as rows, periods as columns, values in $M with an evidence marker."""
    marks = (Evidence.REPORTED, Evidence.DERIVED, Evidence.UNRESOLVED)
    table = Table(
        title=Text(f"{name} (CIK {cik}), {period}, $M", style="table.title"),
        caption=" ".join(f"{e.symbol} {e.value}" for e in marks)
        + "; shares in millions; (CY) = calendar period holding most of its days",
    )
    if df.empty:
        table.add_column("no data")
        return table
    fiscal = "FY" + df["fiscal_year"].astype(str)
    col = fiscal.where(df["fiscal_period"] == "FY", fiscal + " " + df["fiscal_period"])
    col = col.where(df["fiscal_period"] != "TTM", "TTM to " + df["end"].astype(str))
    calendar = "CY" + df["calendar_year"].astype(str)
    calendar = calendar.where(
        df["calendar_quarter"].isna(), calendar + " Q" + df["calendar_quarter"].astype(str)
    )
    df = df.assign(col=col + "\n(" + calendar + ")")
    cols = list(dict.fromkeys(df.sort_values(["end"], kind="stable")["col"]))
    table.add_column("metric", style="bold")
    for col in cols:
        table.add_column(col, justify="right")
    cells = df.set_index(["metric", "col"])
    for metric in dict.fromkeys(df["metric"]):
        row = [metric]
        for col in cols:
            if (metric, col) not in cells.index:
                row.append("")
                continue
            rec = cells.loc[(metric, col)]
            if isinstance(rec, pd.DataFrame):
                rec = rec.iloc[0]
            value = rec["value"]
            mark = Evidence(rec["evidence"]).symbol
            row.append(f"? {mark}" if pd.isna(value) else f"{value / 1e6:,.0f} {mark}")
        table.add_row(*row)
    return table
