"""Find the positions table in a holdings file: delimiter, header row, preset and columns.

Handles a preamble before the header (broker titles, account lines), ``,`` / ``;`` / tab
delimiters, Interactive Brokers' activity statements (``ibkr.read_statement``) and Flex files
written with section codes (``HEADER,POST,...`` / ``DATA,POST,...``), and a user's
``--columns field=Header`` mapping for layouts no preset knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stackatlas.errors import Problem, ValidationError
from stackatlas.portfolio.brokers import (
    AMOUNT_FIELDS,
    COLUMN_ALIASES,
    FIELDS,
    GENERIC,
    PRESETS,
    Preset,
    detect_preset,
    match_columns,
)
from stackatlas.portfolio.csvtext import HEADER_SCAN_LINES, Row, normalize_header, sniff_rows
from stackatlas.portfolio.ibkr import Statement, is_statement, read_statement

_FLEX_RECORDS = frozenset({"HEADER", "DATA"})
_FLEX_OTHER = frozenset({"BOF", "EOF", "BOA", "EOA", "BOS", "EOS", "TRAILER"})


@dataclass
class Table:
    """The positions table: header, the rows after it, and which column holds which field."""

    header_line: int
    header: list[str]
    rows: list[Row]  # every row after the header
    preamble: list[Row]  # rows before the header
    preset: Preset
    cols: dict[str, int]  # field -> column index
    delimiter: str
    statement: Statement | None = None

    def column_name(self, fld: str) -> str:
        return self.header[self.cols[fld]].strip()


def parse_columns(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """``"ticker=Ticker Symbol,shares=Units"`` (or a mapping) -> {field: header}; unknown
    fields are a ValidationError listing the known ones."""
    if not spec:
        return {}
    pairs = (
        spec.items()
        if isinstance(spec, Mapping)
        else (p.partition("=")[::2] for p in spec.split(","))
    )
    out: dict[str, str] = {}
    problems = []
    for fld, header in pairs:
        key = fld.strip().lower().replace(" ", "_")
        key = "market_value" if key == "value" else key
        if key not in FIELDS or not header.strip():
            problems.append(
                Problem(
                    "--columns",
                    None,
                    None,
                    f"cannot use {fld.strip()}={header.strip()!r}: give FIELD=HEADER pairs with "
                    f"FIELD one of {', '.join(FIELDS)}",
                )
            )
            continue
        out[key] = header.strip()
    if problems:
        raise ValidationError(problems)
    return out


def locate_table(text: str, name: str, columns: Mapping[str, str] | None = None) -> Table:
    """The positions table of a holdings file (see the module docstring)."""
    wanted = {f: normalize_header(h) for f, h in (columns or {}).items()}

    def is_header(row: list[str]) -> bool:
        if wanted:
            return wanted.get("ticker", "\0") in {normalize_header(c) for c in row}
        return detect_preset(row) is not None or _is_statement_row(row)

    rows, delimiter = sniff_rows(text, is_header, name=name)
    rows = _strip_flex_records(rows)
    statement = read_statement(rows) if is_statement(rows) else None
    if statement is not None:
        rows = statement.rows
    at = next((i for i, (_, r) in enumerate(rows[:HEADER_SCAN_LINES]) if is_header(r)), None)
    if at is None:
        first_line, first = rows[0] if rows else (1, [])
        hint = (
            f"no column named {(columns or {})['ticker']!r} (from --columns) in the first "
            f"{HEADER_SCAN_LINES} lines"
            if wanted and "ticker" in wanted
            else "--columns must name the ticker column (ticker=HEADER)"
            if wanted
            else "no ticker column found; expected one of "
            + ", ".join(COLUMN_ALIASES["ticker"][:3])
            + ", or map the columns with --columns ticker=HEADER,shares=HEADER"
        )
        raise ValidationError(Problem(name, first_line, None, f"{hint} (first row {first[:8]!r})"))
    header_line, header = rows[at]
    preset = GENERIC if wanted else (detect_preset(header) or GENERIC)
    if statement is not None:
        preset = next(p for p in PRESETS if p.name == "ibkr")
    cols = match_columns(header, preset)
    if wanted:
        cols = _custom_columns(header, header_line, wanted, cols, columns or {}, name)
    return Table(header_line, header, rows[at + 1 :], rows[:at], preset, cols, delimiter, statement)


def _is_statement_row(row: list[str]) -> bool:
    return len(row) > 2 and normalize_header(row[1]) == "header" and "positions" in row[0].lower()


def _strip_flex_records(rows: list[Row]) -> list[Row]:
    """Drop Flex section codes (``HEADER,POST,...`` -> ``...``) and trailer records."""
    if not any(r and r[0].strip().upper() == "HEADER" and len(r) > 2 for _, r in rows):
        return rows
    out = []
    for line, r in rows:
        code = r[0].strip().upper() if r else ""
        if code in _FLEX_RECORDS:
            out.append((line, r[2:]))
        elif code not in _FLEX_OTHER:
            out.append((line, r))
    return out


def _custom_columns(
    header: list[str],
    header_line: int,
    wanted: dict[str, str],
    auto: dict[str, int],
    given: Mapping[str, str],
    name: str,
) -> dict[str, int]:
    """The user's mapping, completed by auto-detected fields (amounts only when the user named
    none, so a mapped amount column is the one used)."""
    norm = [normalize_header(h) for h in header]
    cols: dict[str, int] = {}
    problems = []
    for fld, head in wanted.items():
        if head in norm:
            cols[fld] = norm.index(head)
        else:
            problems.append(
                Problem(
                    name,
                    header_line,
                    None,
                    f"--columns {fld}={given[fld]!r}: no such column; the header has "
                    + ", ".join(repr(h.strip()) for h in header),
                )
            )
    if problems:
        raise ValidationError(problems)
    user_amounts = any(f in cols for f in AMOUNT_FIELDS if f not in ("price", "fx_rate"))
    for fld, index in auto.items():
        if fld in cols or index in cols.values():
            continue
        if user_amounts and fld in ("market_value", "weight", "shares"):
            continue
        cols[fld] = index
    return cols
