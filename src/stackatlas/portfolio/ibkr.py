"""Interactive Brokers activity statement CSV: its Open Positions section as a plain table.

An activity statement is many tables in one file; every row starts with the section name and
a row kind (``Header``, ``Data``, ``Total``, ``SubTotal``, ``Notes``)::

    Statement,Header,Field Name,Field Value
    Account Information,Data,Base Currency,USD
    Open Positions,Header,DataDiscriminator,Asset Category,Currency,Symbol,Quantity,Mult,...
    Open Positions,Data,Summary,Stocks,USD,NVDA,40,1,...
    Open Positions,Total,,Stocks,USD,,,,...
    Base Currency Exchange Rate,Data,CAD,0.73
    Financial Instrument Information,Header,Asset Category,Symbol,Description,...,Type,Code

``read_statement`` returns the Open Positions rows (section and kind columns dropped; a
``Total`` / ``SubTotal`` row carries ``Total`` in its DataDiscriminator cell), the statement's
exchange rates to its base currency and the instrument type of each symbol (``ETF``,
``COMMON``, ``ADR`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stackatlas.portfolio.csvtext import Row, normalize_header

POSITION_SECTIONS = frozenset({"open positions", "long open positions"})
ROW_KINDS = frozenset({"header", "data", "total", "subtotal", "notes"})


@dataclass
class Statement:
    """The parts of an activity statement that holdings need."""

    rows: list[Row]  # header row first, then the section's data and total rows
    base_currency: str | None = None
    fx_to_base: dict[str, float] = field(default_factory=dict)
    instrument_types: dict[str, str] = field(default_factory=dict)


def is_statement(rows: list[Row]) -> bool:
    """True when the file has an ``Open Positions,Header,...`` row."""
    return any(
        len(r) > 2
        and normalize_header(r[0]) in POSITION_SECTIONS
        and normalize_header(r[1]) == "header"
        for _, r in rows
    )


def read_statement(rows: list[Row]) -> Statement:
    """Split an activity statement (see the module docstring) into what holdings need."""
    out = Statement([])
    headers: dict[str, list[str]] = {}
    for line, row in rows:
        if len(row) < 3 or normalize_header(row[1]) not in ROW_KINDS:
            continue
        section, kind, cells = normalize_header(row[0]), normalize_header(row[1]), row[2:]
        if kind == "header":
            headers[section] = [normalize_header(c) for c in cells]
            if section in POSITION_SECTIONS and not out.rows:
                out.rows.append((line, cells))
            continue
        if section in POSITION_SECTIONS and out.rows:
            if kind in ("total", "subtotal"):
                cells = ["Total", *cells[1:]]
            if kind != "notes":
                out.rows.append((line, cells))
        elif section == "account information" and len(cells) >= 2:
            if normalize_header(cells[0]) == "base currency":
                out.base_currency = cells[1].strip().upper()
        elif section == "base currency exchange rate" and kind == "data" and len(cells) >= 2:
            try:
                out.fx_to_base[cells[0].strip().upper()] = float(cells[1])
            except ValueError:
                continue
        elif section == "financial instrument information" and kind == "data":
            names = headers.get(section, [])
            if "symbol" in names and "type" in names and len(cells) == len(names):
                symbol = cells[names.index("symbol")].strip().upper()
                out.instrument_types[symbol] = cells[names.index("type")].strip()
    return out
