"""``stackatlas segments FILE``: segment revenue with shares from one inline-XBRL filing.

Thin: parse options -> ``stackatlas.sec.segments.filing_segments`` -> rich table or ``--json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from stackatlas.cli.common import console, emit_json, guarded

SEGMENTS_JSON_KEYS = (
    "metric",
    "fiscal_year",
    "fiscal_period",
    "start",
    "end",
    "months",
    "axis",
    "member",
    "label",
    "concept",
    "value",
    "total",
    "share",
)
"""Keys of each object in the ``rows`` list of ``stackatlas segments --json``."""
_SHORT = {"operating_income": "op. income"}


def register(app: typer.Typer) -> None:
    """Add ``segments`` to app."""
    app.command("segments")(segments_cmd)


def payload(rows: pd.DataFrame, file: Path) -> dict:
    """The ``--json`` document: filing identity plus one object per row (dates ISO, money in
    USD, share a fraction of the company total for the same period)."""
    first = rows.iloc[0] if len(rows) else None

    def cell(v: object) -> object:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return None
        return v.isoformat() if hasattr(v, "isoformat") else v

    return {
        "document": file.name,
        "cik": None if first is None else int(first["cik"]),
        "accession": None if first is None else first["accession"],
        "form": None if first is None else first["form"],
        "filed": None if first is None else cell(first["filed"]),
        "rows": [{k: cell(r[k]) for k in SEGMENTS_JSON_KEYS} for r in rows.to_dict("records")],
    }


def render(rows: pd.DataFrame, file: Path) -> Table:
    first = rows.iloc[0] if len(rows) else None
    title = f"Segments in {file.name}" + (
        "" if first is None else f" (CIK {first['cik']}, {first['form']}, {first['accession']})"
    )
    table = Table(title=title)
    for col, just in (
        ("period", "left"),
        ("dates", "left"),
        ("metric", "left"),
        ("axis", "left"),
        ("member", "left"),
        ("$M", "right"),
        ("share", "right"),
    ):
        table.add_column(col, justify=just, no_wrap=col in ("period", "dates", "$M"))
    for r in rows.itertuples():
        slot = r.fiscal_period
        period = f"FY{r.fiscal_year}" if slot == "FY" else f"{slot} FY{r.fiscal_year}"
        share = "" if pd.isna(r.share) else f"{r.share * 100:.1f}%"
        style = "bold" if r.axis == "total" else ""
        table.add_row(
            period,
            f"{r.start}..{r.end}",
            _SHORT.get(r.metric, r.metric),
            r.axis,
            r.label,
            f"{r.value / 1e6:,.0f}",
            share,
            style=style,
        )
    return table


@guarded
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
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Segment and product-line revenue of one filing, each with its share of total revenue."""
    from stackatlas.atlas import load_atlas
    from stackatlas.errors import ValidationError
    from stackatlas.sec.segments import METRIC_CONCEPTS, filing_segments, ingest_filing

    if metric != "all" and metric not in METRIC_CONCEPTS:
        raise ValidationError(
            f"--metric must be one of {', '.join(METRIC_CONCEPTS)} or all, not {metric!r}"
        )
    atlas = load_atlas()
    rows = filing_segments(file, atlas=atlas)
    if store:
        from stackatlas.store import Store

        with Store() as db:
            ingest_filing(db, file, atlas=atlas)
    if metric != "all":
        rows = rows[rows["metric"] == metric]
    if not all_periods and len(rows):
        rows = rows[rows["end"] == rows["end"].max()]
    if as_json:
        emit_json(payload(rows, file))
    else:
        console.print(render(rows, file))
