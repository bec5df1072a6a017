"""Read a holdings file: (ticker, shares), (ticker, weight) or (ticker, market value).

Broker exports are read as they come (``brokers``: Fidelity, Schwab, Vanguard, Interactive
Brokers Flex and activity statements, or any file with a ticker and an amount column; a
``--columns field=Header`` mapping for anything else). Which amount is used when several are
present: market value, then weight, then shares (shares need prices to become weights). Weights
in percent (header says ``%``/``pct``/``percent``, or the weights sum past 1.5) are divided by
100. Numbers in decimal-comma style are detected (``numbers``).

Rows that are not positions are skipped and each is named in the notes with its line and reason:
blank lines, repeated headers, titles and footers, totals, pending activity, lot detail, a second
table (Vanguard's transactions), options / futures / bonds, rows without a symbol or a value.
A blank value with a quantity and a price is valued as quantity x price (noted); the same
ticker twice in one account is added up (noted). ``strict=True`` refuses the file instead for
everything but blank lines, titles/footers and totals. Problems that are never skipped: a bad
number, a negative amount (shorts are not supported), mixed currencies without an exchange rate.
Every problem is reported at once as a ``ValidationError`` naming the file, line and column.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from stackatlas.errors import Problem, ValidationError
from stackatlas.portfolio.csvtext import MAX_FILE_BYTES, normalize_header, read_text
from stackatlas.portfolio.numbers import DecimalOption, decimal_style, style_evidence
from stackatlas.portfolio.positions import Holding, RowReader
from stackatlas.portfolio.table import Table, locate_table, parse_columns

AmountKind = Literal["market_value", "weight", "shares"]


@dataclass(frozen=True)
class ReadOptions:
    """How to read a holdings file: ``strict`` refuses rows that would be skipped, ``columns``
    maps fields to headers (``{"ticker": "Ticker Symbol"}`` or ``"ticker=Ticker Symbol"``),
    ``decimal`` forces the number style."""

    strict: bool = False
    columns: Mapping[str, str] | str | None = None
    decimal: DecimalOption = "auto"


@dataclass(frozen=True)
class HoldingsFile:
    """Parsed holdings: every position, what its amount means, and how the file was read."""

    path: str
    kind: AmountKind
    holdings: list[Holding]
    encoding: str
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as written
    notes: list[str] = field(default_factory=list)
    preset: str = "generic"
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def read_holdings(
    source: str | Path | bytes,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    name: str | None = None,
    options: ReadOptions | None = None,
) -> HoldingsFile:
    """Parse a holdings file (a path, or uploaded bytes named ``name``); raises ValidationError
    listing every problem with its location."""
    opts = options or ReadOptions()
    data = source if isinstance(source, bytes) else Path(source)
    name = name or (str(source) if not isinstance(source, bytes) else "<upload>")
    text, encoding = read_text(data, max_bytes=max_bytes, name=name)
    table = locate_table(text, name, parse_columns(opts.columns))
    kinds: tuple[AmountKind, ...] = ("market_value", "weight", "shares")
    kind = next((k for k in kinds if k in table.cols), None)
    if kind is None:
        raise ValidationError(
            Problem(
                name,
                table.header_line,
                None,
                "missing amount column: need one of shares/quantity, weight or market value "
                f"(header is {', '.join(h.strip() for h in table.header)}); or map one with "
                "--columns shares=HEADER",
            )
        )
    try:
        style, style_note = decimal_style(
            style_evidence(_amount_cells(table)), opts.decimal, table.delimiter
        )
    except ValueError as exc:
        raise ValidationError(Problem(name, table.header_line, None, str(exc))) from None
    reader = RowReader(table, kind, style, opts.strict, name)
    reader.read()
    holdings = reader.finish()
    if reader.problems:
        raise ValidationError(sorted(reader.problems, key=lambda p: p.line or 0))
    notes = [f"read as: {table.preset.label}"] if table.preset.name != "generic" else []
    notes += [style_note] if style_note else []
    notes += reader.notes + _skip_notes(reader.skipped)
    percent = kind == "weight" and any(
        tok in normalize_header(table.column_name("weight")) for tok in ("%", "pct", "percent")
    )
    if percent or (kind == "weight" and sum(h.amount for h in holdings) > 1.5):
        holdings = [
            Holding(
                h.line, h.ticker, h.amount / 100, h.account, h.description, h.price, h.security_type
            )
            for h in holdings
        ]
        if not percent:
            notes.append("weights sum to more than 1.5, read as percent")
    columns = {fld: table.column_name(fld) for fld in table.cols}
    return HoldingsFile(
        name, kind, holdings, encoding, columns, notes, table.preset.name, reader.skipped
    )


def _amount_cells(table: Table) -> list[tuple[int, str]]:
    idx = [table.cols[f] for f in ("market_value", "weight", "shares", "price") if f in table.cols]
    return [(line, row[i]) for line, row in table.rows for i in idx if i < len(row)]


def _skip_notes(skipped: list[tuple[int, str]]) -> list[str]:
    """One note per reason, naming every line: 'lines 7, 9: skipped: lot detail ...'."""
    by_reason: dict[str, list[int]] = defaultdict(list)
    for line, reason in skipped:
        by_reason[reason].append(line)
    out = []
    for reason, lines in by_reason.items():
        where = f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(map(str, lines))
        out.append(f"{where}: skipped, {reason}")
    return out


def holding_values(
    hf: HoldingsFile,
    price_of: Callable[[Holding], float | None] | None = None,
) -> tuple[dict[int, float], list[Holding]]:
    """Each holding's fraction of the portfolio (by line) and the holdings that have no price.

    Market values and weights are normalized to sum to 1. Shares are valued at the file's own
    price column when present, else at ``price_of(holding)`` (latest close); cash rows given
    in shares are valued at 1.0 per unit. Unpriced holdings are left out of the weights.
    """
    values: dict[int, float] = {}
    unpriced: list[Holding] = []
    for h in hf.holdings:
        if hf.kind != "shares":
            values[h.line] = h.amount
            continue
        price = h.price if h.price is not None else (1.0 if h.is_cash else None)
        if price is None and price_of is not None:
            price = price_of(h)
        if price is None:
            unpriced.append(h)
        else:
            values[h.line] = h.amount * price
    total = sum(values.values())
    if total <= 0:
        return {}, unpriced
    return {line: v / total for line, v in values.items()}, unpriced
