"""``company_fundamentals``: one company's metrics as a result object (table, JSON, frame).

The rich table shows metrics as rows and fiscal periods as columns, in $M with an evidence
marker; ``to_dict`` / ``to_frame`` carry every column in full units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.table import Table
from rich.text import Text

from stackatlas.display import records
from stackatlas.errors import ValidationError
from stackatlas.evidence import Evidence
from stackatlas.fundamentals.metrics import METRIC_COLUMNS
from stackatlas.notebook import Tabular

if TYPE_CHECKING:
    from stackatlas.atlas import Atlas
    from stackatlas.store import Store

COLUMNS = tuple(METRIC_COLUMNS)
"""The columns of ``to_frame`` and the keys of every row in ``to_dict``."""


@dataclass
class CompanyFundamentals(Tabular):
    """A company's metrics per fiscal period (``rows`` as ``company_metrics`` returns them)."""

    company: str
    cik: int
    period: str
    rows: pd.DataFrame
    years: int | None = None  # only periods ending in the last N years (None: all)

    def to_frame(self) -> pd.DataFrame:
        return self.rows[list(COLUMNS)].reset_index(drop=True)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        return {"rows": self.to_frame()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "cik": self.cik,
            "period": self.period,
            "rows": records(self.rows, COLUMNS),
        }

    def __rich__(self) -> Table:
        return metrics_table(self.rows, self.company, self.cik, self.period)


def company_fundamentals(
    company: str | int,
    period: str = "annual",
    metrics: Sequence[str] | None = None,
    *,
    years: int | None = None,
    atlas: Atlas | None = None,
    store: Store | None = None,
) -> CompanyFundamentals:
    """Metrics of an atlas company (id, ticker, name or alias) or a numeric CIK, from the store
    or ``STACKATLAS_SEC_DIR``; ``years`` keeps the periods ending in the last N years."""
    from stackatlas.fundamentals.metrics import company_metrics

    name, cik = _resolve(company, atlas)
    wanted = [m.strip().lower() for m in metrics if m.strip()] if metrics else None
    rows = company_metrics(cik, period, wanted, store=store)
    if years is not None and not rows.empty:
        ends = pd.to_datetime(rows["end"])
        # 15 days of slack so a 52/53-week year N years back is not pulled in
        rows = rows[ends > ends.max() - pd.DateOffset(years=years) + pd.Timedelta(days=15)]
    return CompanyFundamentals(name, cik, period, rows, years)


def _resolve(query: str | int, atlas: Atlas | None) -> tuple[str, int]:
    """(display name, CIK) from the atlas, or straight from a numeric CIK."""
    from stackatlas.atlas import load_atlas

    atlas = atlas or load_atlas()
    if isinstance(query, int) or query.strip().isdigit():
        cik = int(query)
        known = [c.name for c in atlas.companies.values() if c.cik == cik]
        return (known[0] if known else "unknown company"), cik
    company = atlas.find_company(query)
    if company.cik is None:
        raise ValidationError(
            f"{company.name} has no SEC CIK in the atlas (it does not file with the SEC)"
        )
    return company.name, int(company.cik)


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
