"""One writer for every table a command prints: CSV, Parquet and Excel.

A result's tables come from ``to_frames()`` when it has one, else from its ``to_dict()``: every
list of records in it (nested dicts walked, names joined with ``.``) is a table, in the order the
dict gives them; the first is the *main* table. Cells that hold lists or dicts are written as
JSON text. Evidence and source columns stay as they are; the Excel workbook adds a "Sources"
sheet with the atlas source rows those columns cite.

Files: ``--csv PATH`` / ``--parquet PATH`` write the main table to PATH and each other table
beside it as ``<stem>.<table><suffix>`` (``pools.csv``, ``pools.thesis.csv``); ``--csv -``
prints the main table. ``--xlsx PATH`` writes one sheet per table plus "Sources".
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
import orjson
import pandas as pd

from stackatlas._io import atomic_write
from stackatlas.errors import DataUnavailableError
from stackatlas.notebook import dict_tables

if TYPE_CHECKING:
    from stackatlas.atlas import Atlas

SOURCE_COLUMNS = ("source", "sources", "source_id", "source_ids")


def result_tables(result: Any, payload: Any = None) -> dict[str, pd.DataFrame]:
    """The tables of a result (see the module docstring); ``payload`` replaces ``to_dict()``."""
    if payload is None and hasattr(result, "to_frames"):
        return {name: _clean(frame) for name, frame in result.to_frames().items()}
    if isinstance(result, pd.DataFrame) and payload is None:
        return {"rows": _clean(result)}
    data = payload if payload is not None else _as_data(result)
    tables = dict_tables(data)
    if not tables and hasattr(result, "to_frame"):
        tables = {"rows": result.to_frame()}
    if not tables and isinstance(data, Mapping):  # a single record: one row
        tables = {"rows": pd.DataFrame([{k: v for k, v in data.items()}])}
    return {name: _clean(frame) for name, frame in tables.items()}


def _as_data(result: Any) -> Any:
    if hasattr(result, "to_dict"):
        return result.to_dict()
    if hasattr(result, "model_dump"):
        return result.model_dump(mode="json")
    return result


def _nested(value: Any) -> bool:
    return isinstance(value, list | dict | tuple | np.ndarray)


def _json_text(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if _nested(value):
        return orjson.dumps(value, default=str, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return value


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists / dicts / arrays as JSON text (Parquet and Excel need flat cells); column names
    as text."""
    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object and out[col].map(_nested).any():
            out[col] = out[col].map(_json_text)
    return out


def beside(path: Path, table: str) -> Path:
    """The file of a further table next to ``path``: ``pools.csv`` -> ``pools.thesis.csv``."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", table)
    return path.with_name(f"{path.stem}.{safe}{path.suffix}")


def write_csv(
    tables: dict[str, pd.DataFrame], target: str | Path, stdout: TextIO | None = None
) -> list[str]:
    """The main table to ``target`` (``-``: standard output), the others beside it."""
    names = list(tables)
    if not names:
        return []
    if str(target) == "-":
        _clean(tables[names[0]]).to_csv(stdout or sys.stdout, index=False)
        return ["-"]
    path = Path(target)
    written = []
    for i, name in enumerate(names):
        out = path if i == 0 else beside(path, name)
        _write(out, _csv_render(tables[name]))
        written.append(str(out))
    return written


def write_parquet(tables: dict[str, pd.DataFrame], target: str | Path) -> list[str]:
    """The main table to ``target`` as Parquet, the others beside it."""
    path = Path(target)
    written = []
    for i, (name, frame) in enumerate(tables.items()):
        out = path if i == 0 else beside(path, name)
        _write(out, _parquet_render(frame))
        written.append(str(out))
    return written


def _csv_render(frame: pd.DataFrame) -> Callable[[io.BytesIO], Any]:
    return lambda buf: _clean(frame).to_csv(buf, index=False)


def _parquet_render(frame: pd.DataFrame) -> Callable[[io.BytesIO], Any]:
    return lambda buf: _parquet_safe(_clean(frame)).to_parquet(buf, index=False)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _parquet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns with mixed types (numbers and text) as text, so Arrow can type them."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            kinds = {type(v) for v in out[col] if not _missing(v)}
            if len(kinds) > 1:
                out[col] = out[col].map(lambda v: None if _missing(v) else str(v))
    return out


def write_xlsx(
    tables: dict[str, pd.DataFrame], target: str | Path, atlas: Atlas | None = None
) -> list[str]:
    """One sheet per table plus a "Sources" sheet (the atlas sources the tables cite)."""
    path = Path(target)
    try:
        import openpyxl  # noqa: F401  # optional extra "excel"
    except ImportError:
        raise DataUnavailableError(
            f"{path}: Excel output needs openpyxl: pip install 'stackatlas[excel]'"
        ) from None
    sources = sources_frame(tables, atlas)

    def save(buf: io.BytesIO) -> None:
        with pd.ExcelWriter(buf, engine="openpyxl") as writer:
            used = {"sources"}  # the citation sheet's name; a table called so gets a suffix
            for name, frame in tables.items():
                _excel_safe(_clean(frame)).to_excel(
                    writer, sheet_name=_sheet(name, used), index=False
                )
            _excel_safe(sources).to_excel(writer, sheet_name="Sources", index=False)

    _write(path, save)
    return [str(path)]


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel keeps no time zones; timestamps become naive."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    return out


def _sheet(name: str, used: set[str]) -> str:
    """A unique Excel sheet name (<= 31 characters, no []:*?/\\; Excel ignores case)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "table"
    sheet, n = base, 1
    while sheet.lower() in used:
        n += 1
        sheet = f"{base[: 31 - len(str(n)) - 1]}~{n}"
    used.add(sheet.lower())
    return sheet


def sources_frame(tables: dict[str, pd.DataFrame], atlas: Atlas | None = None) -> pd.DataFrame:
    """The atlas source rows cited by the tables' source columns (id, title, publisher, ...)."""
    ids: dict[str, None] = {}
    for frame in tables.values():
        for col in (c for c in frame.columns if c in SOURCE_COLUMNS or c.endswith("_source")):
            for cell in frame[col].dropna():
                for sid in str(cell).replace(",", ";").split(";"):
                    if sid.strip():
                        ids.setdefault(sid.strip(), None)
    columns = ["id", "title", "publisher", "published", "url", "accession", "kind"]
    if atlas is None:
        from stackatlas.atlas import load_atlas

        atlas = load_atlas()
    rows: list[dict[str, Any]] = []
    for sid in ids:
        source = atlas.sources.get(sid)
        if source is None:
            rows.append({"id": sid})
            continue
        dumped = source.model_dump(mode="json")
        rows.append({c: dumped.get(c) for c in columns})
    return pd.DataFrame(rows, columns=columns)


def _write(path: Path, render: Callable[[io.BytesIO], Any]) -> None:
    """Check ``path`` (``outputs.check_output``), render into memory, then replace the file
    atomically (never a half-written file); every refusal is one located ValidationError."""
    from stackatlas.outputs import check_output, output_error

    target = check_output(path, "export file")
    buffer = io.BytesIO()
    render(buffer)
    try:
        atomic_write(target, buffer.getvalue(), mode=0o644)
    except OSError as exc:
        raise output_error(target, exc, "export file") from None
