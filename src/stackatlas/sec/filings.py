"""The inline-XBRL filings at hand (``$STACKATLAS_SEC_DIR/filings`` or a folder named): each
document parsed once per process and file version, and its company-level facts in the shape
of the companyfacts table so ``stackatlas.fundamentals`` can resolve metrics from them.

A 10-K carries the income and cash-flow statements for three fiscal years and the balance sheet
for two, so a company whose companyfacts are not at hand (Amazon, Salesforce, Adobe, Netflix in
the shared data) still gets reported annual values; a 10-Q adds its quarter. Only facts
without a dimension are kept here (segment facts: ``stackatlas.sec.segments``).

The document carries neither its accession number nor its filing date: the date comes from the
file name (``amzn-10-k-2025-02-07.html``), the accession from a matching atlas filing source
when an atlas is given, else ``doc:<document name>``. A document without a date in its name is
ordered by its latest period end (restated comparatives in later documents still win).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from stackatlas import _memo
from stackatlas.errors import ValidationError
from stackatlas.sec.companyfacts import FACTS_SCHEMA
from stackatlas.sec.ixbrl import parse_ixbrl

if TYPE_CHECKING:
    from stackatlas.atlas.atlas import Atlas

SUFFIXES = (".html", ".htm", ".xml")
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_DOCS: dict[tuple[str, int, int], pa.Table] = {}
_DOCS_MAX = 256


def filed_from_name(path: Path) -> str | None:
    """The filing date in names such as ``nvda-10-k-2025-02-26.html`` (else None)."""
    m = _DATE_IN_NAME.search(Path(path).name)
    return m.group(1) if m else None


def resolve_accession(atlas: Atlas, cik: int, filed: str | date | None) -> str | None:
    """The accession of the atlas filing source for this CIK filed on that date, if any."""
    if filed is None:
        return None
    day = date.fromisoformat(filed) if isinstance(filed, str) else filed
    for src in atlas.sources.values():
        if src.accession and src.published == day and src.url and f"/data/{cik}/" in src.url:
            return src.accession
    return None


def documents(folder: Path) -> list[Path]:
    """Filing documents in ``folder`` (sorted by name)."""
    return [p for p in sorted(Path(folder).glob("*")) if p.suffix.lower() in SUFFIXES]


def read_document(path: Path) -> pa.Table:
    """``parse_ixbrl`` of one document with the filing date from its name, cached per file
    version (path, size, mtime) in this process and on disk (``stackatlas._memo``); errors are
    never cached."""
    try:
        st = Path(path).stat()
    except OSError:  # parse_ixbrl names the file in a ValidationError
        return parse_ixbrl(path, filed=filed_from_name(path))
    key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
    if key not in _DOCS:
        if len(_DOCS) >= _DOCS_MAX:
            _DOCS.pop(next(iter(_DOCS)))
        kept = _memo.recall("filing-facts", key)
        if isinstance(kept, pa.Table):
            _DOCS[key] = kept
        else:
            _DOCS[key] = parse_ixbrl(path, filed=filed_from_name(path))
            _memo.remember("filing-facts", key, _DOCS[key])
    return _DOCS[key]


def clear_cache() -> None:
    """Forget every parsed document (benchmarks time a cold read with it)."""
    _DOCS.clear()


def with_accession(facts: pa.Table, atlas: Atlas | None) -> pa.Table:
    """Replace ``doc:<name>`` accessions by the atlas filing source filed that day for the CIK."""
    if atlas is None or not facts.num_rows:
        return facts
    filed = facts.column("filed")[0].as_py()
    found = resolve_accession(atlas, int(facts.column("cik")[0].as_py()), filed)
    if not found:
        return facts
    return facts.set_column(
        facts.schema.get_field_index("accession"),
        "accession",
        pa.array([found] * facts.num_rows, pa.string()),
    )


def accession_map(folder: Path, cik: int, atlas: Atlas | None) -> dict[str, str]:
    """``doc:<name>`` accession -> the atlas filing source's accession, for the documents of
    one company in ``folder`` that an atlas source names (by CIK and filing date)."""
    out: dict[str, str] = {}
    if atlas is None:
        return out
    for path in documents(folder):
        try:
            table = read_document(path)
        except ValidationError:
            continue
        if not table.num_rows or int(table.column("cik")[0].as_py() or -1) != int(cik):
            continue
        found = resolve_accession(atlas, int(cik), table.column("filed")[0].as_py())
        if found:
            out[str(table.column("accession")[0].as_py())] = found
    return out


def company_facts_from_filings(folder: Path, cik: int) -> tuple[pd.DataFrame, list[str]]:
    """Non-dimensional facts of one company from every document in ``folder``, as a frame
    with the companyfacts columns (``fy`` / ``fp`` from the document's fiscal focus), and the
    documents that could not be read ("name: error")."""
    parts, skipped = [], []
    for path in documents(folder):
        try:
            table = read_document(path)
        except ValidationError as exc:
            skipped.append(f"{path.name}: {exc}")
            continue
        if not table.num_rows or int(table.column("cik")[0].as_py() or -1) != int(cik):
            continue
        meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
        frame = table.to_pandas()
        frame = frame[(frame["dimensions"] == "") & (frame["cik"] == int(cik))].copy()
        fy = meta.get("DocumentFiscalYearFocus", "")
        frame["fy"] = int(fy) if fy.isdigit() else None
        frame["fp"] = meta.get("DocumentFiscalPeriodFocus") or None
        if frame["filed"].isna().all():
            frame["filed"] = pd.to_datetime(frame["end"]).max().date()
        frame["frame"] = None
        parts.append(frame)
    if not parts:
        return pd.DataFrame(), skipped
    return pd.concat(parts, ignore_index=True)[FACTS_SCHEMA.names], skipped
