"""Segment revenue (and segment operating income) from a filing's dimensional XBRL facts.

``segment_revenue(facts)`` takes an ``IXBRL_SCHEMA`` table (``stackatlas.sec.ixbrl``) and keeps,
per period, the company total (no dimension) and every single-axis member of the business
segment axis (``us-gaap:StatementBusinessSegmentsAxis``) and the product / service axis
(``srt:ProductOrServiceAxis``: NVIDIA reports Data Center, Gaming ... there, as "market
platforms"), each with its share of the total for the same period and concept family.

Rules: concepts are tried in the order of ``REVENUE_CONCEPTS`` per (period, member); the
qualifier ``srt:ConsolidationItemsAxis=us-gaap:OperatingSegmentsMember`` (it only says "segment
total") is dropped before matching; members crossing two axes (Google Services x YouTube ads)
are left out. Members of one axis may nest (NVIDIA's Compute and Networking are parts of Data
Center), so shares need not add up to 1. Fiscal labels: fiscal year = the year the fiscal year
ends (``dei:DocumentFiscalYearFocus`` of the document, counted back for comparatives), quarters
``Q1``..``Q4`` for 3-month periods, ``FY`` for a year, ``6M`` / ``9M`` for year-to-date periods.

``ingest_filing(store, path)`` parses one document and replaces that accession's rows of the
store table ``sec_segment_facts`` in one transaction.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from stackatlas import _memo, config
from stackatlas.errors import StoreError, ValidationError
from stackatlas.sec.filings import (
    filed_from_name,
    read_document,
    resolve_accession,
    with_accession,
)
from stackatlas.sec.ixbrl import parse_ixbrl

if TYPE_CHECKING:
    from stackatlas.atlas.atlas import Atlas
    from stackatlas.store import Store

TABLE = "sec_segment_facts"
REVENUE_CONCEPTS = (
    "RevenueFromContractWithCustomerExcludingAssessedTax",
    "Revenues",
    "RevenueFromContractWithCustomerIncludingAssessedTax",
    "SalesRevenueNet",
)
OPERATING_INCOME_CONCEPTS = ("OperatingIncomeLoss",)
METRIC_CONCEPTS = {"revenue": REVENUE_CONCEPTS, "operating_income": OPERATING_INCOME_CONCEPTS}
SEGMENT_AXES = {
    "us-gaap:StatementBusinessSegmentsAxis": "segment",
    "srt:ProductOrServiceAxis": "product",
}
QUALIFIERS = frozenset({"srt:ConsolidationItemsAxis=us-gaap:OperatingSegmentsMember"})
SEGMENT_SCHEMA = pa.schema(
    [
        ("cik", pa.int64()),
        ("accession", pa.string()),
        ("form", pa.string()),
        ("filed", pa.date32()),
        ("metric", pa.string()),
        ("concept", pa.string()),
        ("axis", pa.string()),
        ("member", pa.string()),
        ("label", pa.string()),
        ("fiscal_year", pa.int32()),
        ("fiscal_period", pa.string()),
        ("start", pa.date32()),
        ("end", pa.date32()),
        ("months", pa.int32()),
        ("value", pa.float64()),
        ("total", pa.float64()),
        ("share", pa.float64()),
        ("decimals", pa.int32()),
    ]
)
"""Columns of ``segment_revenue`` and of the store table. ``axis`` is ``total`` for the company
total row, else ``segment`` / ``product``; money in USD; ``share`` = value / total (a fraction)."""
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def member_label(member: str) -> str:
    """``nvda:DataCenterMember`` -> ``Data Center``; ``amzn:AmazonWebServicesSegmentMember`` ->
    ``Amazon Web Services``."""
    local = member.split(":")[-1]
    for suffix in ("Member", "Segment"):
        local = local.removesuffix(suffix)
    return _CAMEL.sub(" ", local).strip() or member


def _frame(facts: pa.Table | pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    if isinstance(facts, pa.Table):
        meta = {k.decode(): v.decode() for k, v in (facts.schema.metadata or {}).items()}
        return facts.to_pandas(), meta
    return facts, {}


def _fiscal_labels(
    end: pd.Series, months: pd.Series, current_end: date, fy_focus: int | None, fp_focus: str
) -> tuple[list, list]:
    """Fiscal year / period per row, counted from the document's own fiscal focus."""
    quarter_of_doc = int(fp_focus[1]) if re.fullmatch(r"Q[1-4]", fp_focus) else 4
    fye0 = pd.Timestamp(current_end) + pd.Timedelta(days=round((4 - quarter_of_doc) * 91.31))
    years, periods = [], []
    for e, m in zip(pd.to_datetime(end), months, strict=True):
        delta = (fye0 - e).days
        k = math.floor((delta + 10) / 365.25)
        to_fye = delta - k * 365.25
        quarter = min(4, max(1, 4 - round(to_fye / 91.31)))
        years.append(fy_focus - k if fy_focus is not None else None)
        periods.append("FY" if m == 12 else f"Q{quarter}" if m == 3 else f"{m}M")
    return years, periods


def segment_revenue(
    facts: pa.Table | pd.DataFrame,
    *,
    metric: str = "revenue",
    concepts: tuple[str, ...] | None = None,
    axes: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Company total and per-member values of ``metric`` with shares (``SEGMENT_SCHEMA``).

    ``facts``: one document's facts (``parse_ixbrl``). When it is an Arrow table, its metadata
    gives the fiscal focus (``DocumentFiscalYearFocus`` / ``...PeriodFocus``); without it the
    document is taken as an annual report and the fiscal year as the year the period ends.
    """
    concepts = concepts or METRIC_CONCEPTS[metric]
    axes = axes or SEGMENT_AXES
    df, meta = _frame(facts)
    rank = {c: i for i, c in enumerate(concepts)}
    df = df[
        df["concept"].isin(rank)
        & (df["taxonomy"] == "us-gaap")
        & (df["unit"] == "USD")
        & df["start"].notna()
    ].copy()
    if df.empty:
        return SEGMENT_SCHEMA.empty_table().to_pandas()
    df["dims"] = df["dimensions"].map(
        lambda d: ";".join(p for p in d.split(";") if p and p not in QUALIFIERS)
    )
    df = df[~df["dims"].str.contains(";")]
    split = df["dims"].str.split("=", n=1, expand=True).reindex(columns=[0, 1])
    df["axis"] = split[0].map(axes).where(df["dims"] != "", "total")
    df["member"] = split[1].where(df["dims"] != "", "")
    df = df[df["axis"].notna()].copy()
    df["rank"] = df["concept"].map(rank)
    df = df.sort_values(["rank", "end"]).drop_duplicates(["cik", "start", "end", "axis", "member"])
    totals = df[df["axis"] == "total"][["cik", "start", "end", "value"]].rename(
        columns={"value": "total"}
    )
    out = df.merge(totals, on=["cik", "start", "end"], how="left")
    out["share"] = out["value"] / out["total"]
    start, end = pd.to_datetime(out["start"]), pd.to_datetime(out["end"])
    out["months"] = ((end - start).dt.days / 30.44).round().astype(int)
    current = (pd.to_datetime(totals["end"]).max() if not totals.empty else end.max()).date()
    fy = meta.get("DocumentFiscalYearFocus", "")
    fp = meta.get("DocumentFiscalPeriodFocus", "FY")
    out["fiscal_year"], out["fiscal_period"] = _fiscal_labels(
        out["end"], out["months"], current, int(fy) if fy.isdigit() else current.year, fp
    )
    out["metric"] = metric
    out["label"] = [member_label(m) if m else "Total" for m in out["member"]]
    out = out.sort_values(
        ["end", "months", "axis", "value"], ascending=[False, True, False, False], key=_axis_key
    )
    return pa.Table.from_pandas(
        out[SEGMENT_SCHEMA.names], schema=SEGMENT_SCHEMA, preserve_index=False
    ).to_pandas()


def _axis_key(s: pd.Series) -> pd.Series:
    return s.map({"total": 2, "segment": 1, "product": 0}) if s.name == "axis" else s


def filing_segments(
    path: Path,
    *,
    accession: str | None = None,
    filed: str | None = None,
    atlas: Atlas | None = None,
) -> pd.DataFrame:
    """Segment revenue and operating income of one filing document (``SEGMENT_SCHEMA``).

    ``filed`` defaults to a date in the file name; ``accession`` to the matching atlas filing
    source (when ``atlas`` is given), else ``doc:<document name>``.
    """
    if accession is None and filed is None:
        facts = with_accession(read_document(path), atlas)  # parsed once per file version
    else:
        facts = parse_ixbrl(path, accession=accession, filed=filed or filed_from_name(path))
        if accession is None:
            facts = with_accession(facts, atlas)
    parts = [segment_revenue(facts, metric=m) for m in METRIC_CONCEPTS]
    return pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)


def ingest_filing(
    store: Store,
    path: Path,
    *,
    accession: str | None = None,
    filed: str | None = None,
    atlas: Atlas | None = None,
) -> int:
    """Store one filing's segment rows, replacing that accession's rows in one transaction."""
    rows = filing_segments(Path(path), accession=accession, filed=filed, atlas=atlas)
    table = pa.Table.from_pandas(rows, schema=SEGMENT_SCHEMA, preserve_index=False)
    if table.num_rows == 0:
        return 0
    acc = table.column("accession")[0].as_py()
    return store.replace_rows(TABLE, table, where="accession = ?", params=[acc])


def load_segments(store: Store, cik: int | None = None) -> pd.DataFrame | None:
    """Stored segment rows (for one CIK), or None when the table is absent or has none."""
    sql = f"SELECT * FROM {TABLE}" + (" WHERE cik = ?" if cik is not None else "")
    try:  # query first: a missing table is the only failure that means "no rows"
        rows = store.query_arrow(sql, [cik] if cik is not None else None).to_pandas()
    except StoreError:
        if store.has_table(TABLE):
            raise
        return None
    return rows if len(rows) else None


_DIR_CACHE: dict[tuple[str, int, int], pd.DataFrame] = {}


def clear_cache() -> None:
    """Forget every filing's segments parsed in this process (benchmarks time a cold read)."""
    _DIR_CACHE.clear()


def segments_from_dir(folder: Path, atlas: Atlas | None = None) -> pd.DataFrame:
    """Segment rows of every ``*.html`` / ``*.htm`` / ``*.xml`` filing in ``folder`` (each
    document parsed once per size and modification time, and remembered across processes by
    ``stackatlas._memo``; with an ``atlas``, ``doc:``
    accessions become its filing sources' numbers). A document that cannot be read is left out
    and named, with its error, in ``result.attrs["skipped"]``."""
    parts, skipped = [], []
    for path in sorted(Path(folder).glob("*")):
        if path.suffix.lower() not in (".html", ".htm", ".xml"):
            continue
        st = path.stat()
        key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
        if key not in _DIR_CACHE:
            kept = _memo.recall("filing-segments", key)
            if isinstance(kept, pd.DataFrame):
                _DIR_CACHE[key] = kept
            else:
                try:
                    _DIR_CACHE[key] = filing_segments(path)
                except ValidationError as exc:
                    skipped.append(f"{path.name}: {exc}")
                    continue
                _memo.remember("filing-segments", key, _DIR_CACHE[key])
        parts.append(_with_atlas_accessions(_DIR_CACHE[key], atlas))
    rows = (
        pd.concat(parts, ignore_index=True) if parts else SEGMENT_SCHEMA.empty_table().to_pandas()
    )
    rows.attrs["skipped"] = skipped
    return rows


def _with_atlas_accessions(rows: pd.DataFrame, atlas: Atlas | None) -> pd.DataFrame:
    if atlas is None or rows.empty:
        return rows
    r = rows.iloc[0]
    found = resolve_accession(atlas, int(r["cik"]), r["filed"] if pd.notna(r["filed"]) else None)
    return rows.assign(accession=found) if found else rows


def company_segments(
    cik: int, store: Store | None, atlas: Atlas | None = None
) -> pd.DataFrame | None:
    """Segment rows of one company: the store's ``sec_segment_facts``, else the filings folder
    beside ``$STACKATLAS_SEC_DIR``; None when neither has any."""
    if store is not None:
        rows = load_segments(store, int(cik))
        if rows is not None:
            return rows
    sec_dir = config.sec_dir()
    if sec_dir is not None and (sec_dir / "filings").is_dir():
        rows = segments_from_dir(sec_dir / "filings", atlas)
        rows = rows[rows["cik"] == int(cik)]
        return rows if len(rows) else None
    return None


def segments_by_cik(store: Store | None, atlas: Atlas | None = None) -> dict[int, pd.DataFrame]:
    """``company_segments`` of every CIK at once (one store query, one pass over the filings
    folder): the store's rows for a CIK it has, else the folder's."""
    found: dict[int, pd.DataFrame] = {}
    sec_dir = config.sec_dir()
    if sec_dir is not None and (sec_dir / "filings").is_dir():
        rows = segments_from_dir(sec_dir / "filings", atlas)
        found.update({int(cik): grp for cik, grp in rows.groupby("cik", sort=False)})
    stored = load_segments(store) if store is not None else None
    if stored is not None:
        found.update(
            {int(cik): grp.reset_index(drop=True) for cik, grp in stored.groupby("cik", sort=False)}
        )
    return found
