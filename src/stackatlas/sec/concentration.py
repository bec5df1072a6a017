"""Customer concentration from a filing's XBRL: who the filer's largest customers are.

US filers tag "customer X accounted for N% of revenue" as ``us-gaap:ConcentrationRiskPercentage1``
with the customer on ``srt:MajorCustomersAxis``, the denominator on
``us-gaap:ConcentrationRiskByBenchmarkAxis`` (revenue, accounts receivable) and, optionally, a
segment, product or geography. companyfacts drops these dimensional facts, so they are read
from the filing itself (``stackatlas.sec.ixbrl``).

Most filers do not name the customer: NVIDIA's FY2025 10-K tags ``nvda:CustomerAMember`` (12% of
revenue), ``CustomerBMember`` (11%) and ``CustomerCMember`` (11%), all direct customers (OEMs,
ODMs, integrators). The label keeps the filer's words ("Customer A"), never a guessed name; a
named member (``crwv:MicrosoftMember``) reads as the name. The explicit edges of
``dependencies.csv`` cite these percentages as bounds where the counterparty is unnamed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from stackatlas import config
from stackatlas.errors import ValidationError
from stackatlas.sec.filings import documents, read_document, with_accession
from stackatlas.sec.segments import member_label

if TYPE_CHECKING:
    from stackatlas.atlas.atlas import Atlas

CONCEPT = "ConcentrationRiskPercentage1"
CUSTOMER_AXIS = "srt:MajorCustomersAxis"
BENCHMARKS = {
    "us-gaap:SalesRevenueNetMember": "revenue",
    "us-gaap:RevenueFromContractWithCustomerMember": "revenue",
    "us-gaap:RevenueBenchmarkMember": "revenue",
    "us-gaap:AccountsReceivableMember": "accounts_receivable",
}
"""Benchmark member -> what the percentage is a share of (other members keep their label)."""
_AXES = {
    "us-gaap:ConcentrationRiskByBenchmarkAxis": "benchmark",
    "us-gaap:ConcentrationRiskByTypeAxis": "risk_type",
    "us-gaap:StatementBusinessSegmentsAxis": "segment",
    "srt:ProductOrServiceAxis": "product",
    "srt:StatementGeographicalAxis": "geography",
}
COLUMNS = [
    "cik",
    "accession",
    "form",
    "start",
    "end",
    "months",
    "customer",
    "member",
    "benchmark",
    "share",
    "segment",
    "product",
    "geography",
]
"""``share`` is a fraction (0.12 = 12%) of ``benchmark`` over ``start``..``end``."""


def customer_concentration(facts: pa.Table | pd.DataFrame) -> pd.DataFrame:
    """Major-customer concentration facts of one filing (``COLUMNS``), largest share first
    within each period and benchmark."""
    df = facts.to_pandas() if isinstance(facts, pa.Table) else facts
    df = df[(df["concept"] == CONCEPT) & df["dimensions"].str.contains(CUSTOMER_AXIS)]
    rows = []
    for r in df.itertuples():
        dims = dict(part.split("=", 1) for part in str(r.dimensions).split(";") if "=" in part)
        member = dims.pop(CUSTOMER_AXIS)
        row = {
            "cik": r.cik,
            "accession": r.accession,
            "form": r.form,
            "start": r.start,
            "end": r.end,
            "months": _months(r.start, r.end),
            "customer": member_label(member),
            "member": member,
            "share": float(r.value),
            "benchmark": "",
            "segment": "",
            "product": "",
            "geography": "",
        }
        for axis, member_value in dims.items():
            key = _AXES.get(axis)
            if key == "benchmark":
                row[key] = BENCHMARKS.get(member_value, member_label(member_value))
            elif key in ("segment", "product", "geography"):
                row[key] = member_label(member_value)
        rows.append(row)
    out = pd.DataFrame(rows, columns=COLUMNS)
    if out.empty:
        return out
    return out.sort_values(
        ["end", "months", "benchmark", "share"], ascending=[False, True, True, False]
    ).reset_index(drop=True)


def _months(start: object, end: object) -> int | None:
    """Length of a duration period in whole months (None for an instant)."""
    if start is None or pd.isna(start):
        return None
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    return round((e - s).days / 30.44)


def filing_concentration(path: Path, atlas: Atlas | None = None) -> pd.DataFrame:
    """``customer_concentration`` of one filing document (its date read from the name; the
    accession from the matching atlas filing source when ``atlas`` is given)."""
    return customer_concentration(with_accession(read_document(Path(path)), atlas))


def company_concentration(cik: int, atlas: Atlas | None = None) -> pd.DataFrame:
    """Major-customer facts of one company from the filings beside ``$STACKATLAS_SEC_DIR``
    (``filings/``; each document parsed once per version by ``sec.filings``), newest period
    first. Empty when there are none; an unreadable document is left out."""
    sec_dir = config.sec_dir()
    folder = sec_dir / "filings" if sec_dir is not None else None
    parts = []
    if folder is not None and folder.is_dir():
        for path in documents(folder):
            try:
                facts = read_document(path)
            except ValidationError:
                continue
            if not facts.num_rows or int(facts.column("cik")[0].as_py() or -1) != int(cik):
                continue
            part = customer_concentration(with_accession(facts, atlas))
            if not part.empty:
                parts.append(part)
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    rows = pd.concat(parts, ignore_index=True).drop_duplicates(
        ["start", "end", "member", "benchmark", "segment", "product", "geography", "share"]
    )
    return rows.sort_values(
        ["end", "months", "benchmark", "share"], ascending=[False, True, True, False]
    ).reset_index(drop=True)
