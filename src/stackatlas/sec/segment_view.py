"""``segment_table``: one filing's segment revenue (or operating income) as a result object.

Each row is a segment, product line or the company total for one period, with its share of the
total for the same period; ``to_dict`` is the ``stackatlas segments --json`` document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.table import Table

from stackatlas.display import json_value, records
from stackatlas.errors import ValidationError
from stackatlas.notebook import Tabular

if TYPE_CHECKING:
    from stackatlas.atlas import Atlas

COLUMNS = (
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
"""The keys of each object in ``to_dict()["rows"]`` (and the columns of ``to_frame``)."""
_SHORT = {"operating_income": "op. income"}


@dataclass
class SegmentTable(Tabular):
    """Segment rows of one filing (``rows`` as ``filing_segments`` returns them)."""

    document: str
    rows: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.rows[list(COLUMNS)].reset_index(drop=True)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        return {"rows": self.to_frame()}

    def to_dict(self) -> dict[str, Any]:
        """Filing identity plus one object per row (dates ISO, money in USD, share a fraction
        of the company total for the same period)."""
        first = self.rows.iloc[0] if len(self.rows) else None
        return {
            "document": self.document,
            "cik": None if first is None else int(first["cik"]),
            "accession": None if first is None else first["accession"],
            "form": None if first is None else first["form"],
            "filed": None if first is None else json_value(first["filed"]),
            "rows": records(self.rows, COLUMNS),
        }

    def __rich__(self) -> Table:
        first = self.rows.iloc[0] if len(self.rows) else None
        title = f"Segments in {self.document}" + (
            "" if first is None else f" (CIK {first['cik']}, {first['form']}, {first['accession']})"
        )
        table = Table(title=title)
        for col in ("period", "dates", "metric", "axis", "member", "$M", "share"):
            table.add_column(
                col,
                justify="right" if col in ("$M", "share") else "left",
                no_wrap=col in ("period", "dates", "$M"),
            )
        for r in self.rows.itertuples():
            slot = r.fiscal_period
            period = f"FY{r.fiscal_year}" if slot == "FY" else f"{slot} FY{r.fiscal_year}"
            share = "" if pd.isna(r.share) else f"{r.share * 100:.1f}%"
            table.add_row(
                period,
                f"{r.start}..{r.end}",
                _SHORT.get(r.metric, r.metric),
                r.axis,
                r.label,
                f"{r.value / 1e6:,.0f}",
                share,
                style="bold" if r.axis == "total" else "",
            )
        return table


def segment_table(
    file: Path,
    *,
    metric: str = "revenue",
    all_periods: bool = False,
    atlas: Atlas | None = None,
) -> SegmentTable:
    """Segments of one inline-XBRL filing: ``metric`` (``revenue``, ``operating_income`` or
    ``all``) for the latest period end, or every period with ``all_periods``."""
    from stackatlas.sec.segments import METRIC_CONCEPTS, filing_segments

    if metric != "all" and metric not in METRIC_CONCEPTS:
        raise ValidationError(
            f"--metric must be one of {', '.join(METRIC_CONCEPTS)} or all, not {metric!r}"
        )
    rows = filing_segments(file, atlas=atlas)
    if metric != "all":
        rows = rows[rows["metric"] == metric]
    if not all_periods and len(rows):
        rows = rows[rows["end"] == rows["end"].max()]
    return SegmentTable(Path(file).name, rows)
