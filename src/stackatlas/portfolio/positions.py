"""Rows of a positions table -> ``Holding``s, with every skipped row and its reason.

The rules are stated in ``holdings``' docstring; ``RowReader`` applies them row by row, then
converts currencies (when the file gives rates) and adds up repeated tickers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from stackatlas.atlas.atlas import normalize_ticker
from stackatlas.errors import Problem, excerpt
from stackatlas.portfolio.brokers import (
    PENDING_ROW,
    TOTAL_ROW,
    fund_hint,
    is_cash,
    unsupported_class,
)
from stackatlas.portfolio.csvtext import normalize_header
from stackatlas.portfolio.numbers import DecimalStyle, parse_number
from stackatlas.portfolio.table import Table

_OTHER_TABLE_WORDS = frozenset(
    {"trade date", "settlement date", "transaction type", "transaction description", "net amount"}
)
_KIND_NAMES = {"market_value": "market value", "weight": "weight", "shares": "shares"}


@dataclass(frozen=True)
class Holding:
    """One position of the holdings file (``line`` is the 1-based physical line in the file)."""

    line: int
    ticker: str
    amount: float
    account: str | None = None
    description: str | None = None
    price: float | None = None
    security_type: str | None = None

    @property
    def is_cash(self) -> bool:
        return is_cash(self.ticker, self.description or "", self.security_type or "")

    @property
    def fund(self) -> str | None:
        """Why this holding looks like a fund (listed fund name, security type, description)."""
        return fund_hint(self.ticker, self.description or "", self.security_type or "")


@dataclass
class _Candidate:
    holding: Holding
    section: str | None
    currency: str
    rate: float | None  # the row's own rate to the base currency (Flex FXRateToBase)


class RowReader:
    """Reads ``table``'s rows into holdings; collects problems, notes and skipped rows."""

    def __init__(self, table: Table, kind: str, style: DecimalStyle, strict: bool, name: str):
        self.table, self.kind, self.style, self.strict, self.name = (
            table,
            kind,
            style,
            strict,
            name,
        )
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.skipped: list[tuple[int, str]] = []
        self._rows: list[_Candidate] = []
        self._sections = False

    # ---- pass 1: classify every row -------------------------------------------------------
    def read(self) -> None:
        t = self.table
        header = _strip_empty([normalize_header(h) for h in t.header])
        first = header[0] if header else ""
        title = next((r[0].strip() for _, r in reversed(t.preamble) if _text_row(r)), None)
        section = title
        for line, row in t.rows:
            filled = [c for c in row if c.strip()]
            if not filled:
                continue
            # cheap tests first: most rows are positions, not headers or another table
            lowered = {c.strip().lower() for c in row}
            if (
                row
                and normalize_header(row[0]) == first
                and _strip_empty([normalize_header(c) for c in row]) == header
            ):
                self.skipped.append((line, "repeated header row"))
                self._sections, section = True, title
                continue
            if _text_row(row) and (len(t.header) > 2 or len(row) == 1):
                self.skipped.append((line, f"text row {excerpt(filled[0].strip(), 40)}"))
                title = filled[0].strip()
                continue
            if len(lowered & _OTHER_TABLE_WORDS) >= 2:
                self.skipped.append(
                    (
                        line,
                        "a second table starts here (transactions?); it and the rest of the "
                        "file are not positions and were not read",
                    )
                )
                break
            self._row(line, row, section)

    def _cell(self, row: list[str], fld: str) -> str:
        idx = self.table.cols.get(fld)
        return row[idx].strip() if idx is not None and idx < len(row) else ""

    def _problem(self, line: int, fld: str | None, message: str) -> None:
        column = self.table.column_name(fld) if fld in self.table.cols else None
        self.problems.append(Problem(self.name, line, column, message))

    def _skip_or_refuse(self, line: int, fld: str | None, reason: str) -> None:
        if self.strict:
            self._problem(line, fld, f"{reason} (--strict refuses the file)")
        else:
            self.skipped.append((line, reason))

    def _number(self, line: int, row: list[str], fld: str) -> tuple[bool, float | None]:
        raw = self._cell(row, fld)
        try:
            return True, parse_number(raw, self.style)
        except ValueError:
            reason = "not a finite number below 1e15" if _numeric_like(raw) else "not a number"
            self._problem(line, fld, f"{reason}: {excerpt(raw.strip(), 40)}")
            return False, None

    def _row(self, line: int, row: list[str], section: str | None) -> None:
        def cell(fld: str) -> str:
            return self._cell(row, fld)

        ticker, desc, stype, detail = (
            cell("ticker").rstrip("*").strip() or cell("ticker"),
            cell("description"),
            cell("security_type"),
            cell("detail").lower(),
        )
        if TOTAL_ROW.match(ticker) or detail in ("total", "subtotal"):
            self.skipped.append((line, f"total row {excerpt(ticker or 'Total', 40)}"))
            return
        if not ticker and TOTAL_ROW.match(desc):
            self.skipped.append((line, f"total row {excerpt(desc.strip(), 40)}"))
            return
        if detail == "lot":
            self.skipped.append((line, "lot detail (the position's summary row counts)"))
            return
        if PENDING_ROW.match(ticker) or (not ticker and PENDING_ROW.match(desc)):
            self._skip_or_refuse(
                line, "ticker", "pending activity (cash in transit, not a position)"
            )
            return
        klass = unsupported_class(stype)
        if klass:
            self._skip_or_refuse(line, "security_type", f"{klass} are not supported ({ticker})")
            return
        statement = self.table.statement
        if statement is not None:  # its instrument list says ETF / COMMON / ADR per symbol
            stype = statement.instrument_types.get(ticker.upper(), stype)
        header_len = len(self.table.header)
        if len(row) > header_len and any(c.strip() for c in row[header_len:]):
            self._problem(
                line,
                None,
                f"row has {len(row)} fields, header has {header_len} "
                "(an unquoted comma, e.g. a thousands separator?)",
            )
            return
        if not ticker:
            self._skip_or_refuse(
                line, "ticker", "no symbol" + (f" ({excerpt(desc.strip(), 40)})" if desc else "")
            )
            return
        ok, amount = self._number(line, row, self.kind)
        ok_price, price = (
            self._number(line, row, "price") if "price" in self.table.cols else (True, None)
        )
        if not (ok and ok_price):
            return
        if amount is None and self.kind == "market_value" and price is not None and not self.strict:
            ok, shares = (
                self._number(line, row, "shares") if "shares" in self.table.cols else (True, None)
            )
            if shares is not None and ok:
                amount = shares * price
                self.notes.append(
                    f"line {line}: {ticker} has no {_KIND_NAMES['market_value']}; valued as "
                    f"quantity x price = {shares:,.6g} x {price:,.6g} = {amount:,.2f}"
                )
        if amount is None:
            self._skip_or_refuse(line, self.kind, f"no {_KIND_NAMES[self.kind]} for {ticker}")
            return
        if price is not None and price < 0:
            self._problem(line, "price", f"negative price: {excerpt(cell('price').strip(), 40)}")
            return
        cash = is_cash(ticker, desc, stype)
        if amount < 0:
            if cash and not self.strict:
                self.skipped.append((line, f"negative cash {ticker} (a margin loan?) left out"))
                return
            what = {
                "shares": "negative shares (short positions are not supported)",
                "weight": "negative weight",
                "market_value": "negative market value (short positions are not supported)",
            }[self.kind]
            self._problem(line, self.kind, f"{what}: {excerpt(cell(self.kind).strip(), 40)}")
            return
        ok, rate = (
            self._number(line, row, "fx_rate") if "fx_rate" in self.table.cols else (True, None)
        )
        if not ok:
            return
        if cash and ticker.upper() not in ("CASH", "USD"):
            self.notes.append(f"line {line}: {ticker} ({desc or stype or 'cash'}) counted as cash")
        holding = Holding(
            line,
            ticker,
            amount,
            cell("account") or None,
            desc or None,
            price,
            stype or None,
        )
        self._rows.append(_Candidate(holding, section, cell("currency").upper(), rate))

    # ---- pass 2: currencies, sections, repeated tickers -----------------------------------
    def finish(self) -> list[Holding]:
        rows = self._rows
        if self._sections:  # one table per account (Schwab all-accounts): title = account
            for c in rows:
                if c.holding.account is None and c.section:
                    c.holding = replace(c.holding, account=c.section)
        if self.kind != "weight":
            self._convert_currencies(rows)
        out: list[Holding] = []
        seen: dict[tuple[str, str | None], int] = {}
        for c in rows:
            h = c.holding
            key = (normalize_ticker(h.ticker), h.account)
            if key not in seen:
                seen[key] = len(out)
                out.append(h)
                continue
            first = out[seen[key]]
            where = f" in account {h.account!r}" if h.account else ""
            if self.strict:
                self._problem(
                    h.line,
                    "ticker",
                    f"duplicate row for {h.ticker!r}{where} (first seen on line {first.line}); "
                    "merge the rows or add an account column",
                )
                continue
            out[seen[key]] = replace(first, amount=first.amount + h.amount)
            self.notes.append(
                f"line {h.line}: {h.ticker}{where} also on line {first.line}; amounts added"
            )
        if not out and not self.problems:
            skipped = "; ".join(f"line {line}: {reason}" for line, reason in self.skipped[:10])
            self.problems.append(
                Problem(
                    self.name,
                    self.table.header_line,
                    None,
                    "no holdings rows after the header"
                    + (f" (skipped {skipped})" if skipped else ""),
                )
            )
        return out

    def _convert_currencies(self, rows: list[_Candidate]) -> None:
        currencies = {c.currency for c in rows if c.currency}
        statement = self.table.statement
        base = statement.base_currency if statement else None
        fx = statement.fx_to_base if statement else {}
        if len(currencies) <= 1 and not any(c.rate not in (None, 1.0) for c in rows):
            if currencies and currencies != {"USD"}:
                self.notes.append(f"values are in {currencies.pop()} (weights do not depend on it)")
            return
        used: dict[str, float] = {}
        missing: dict[str, int] = {}  # currency without a rate -> its first line
        for c in rows:
            rate = (
                c.rate if c.rate is not None else 1.0 if c.currency == base else fx.get(c.currency)
            )
            if rate is None or not math.isfinite(rate) or rate <= 0:
                missing.setdefault(c.currency or "(none)", c.holding.line)
                continue
            used.setdefault(c.currency, rate)
            h = c.holding
            if self.kind == "market_value":
                c.holding = replace(h, amount=h.amount * rate)
            elif h.price is not None:
                c.holding = replace(h, price=h.price * rate)
        if missing:
            first: dict[str, int] = {}
            for c in rows:
                first.setdefault(c.currency or "(none)", c.holding.line)
            listed = ", ".join(f"{k} (line {v})" for k, v in first.items())
            self._problem(
                min(missing.values()),
                "currency",
                f"values in {len(first)} currencies ({listed}) and no exchange rate for "
                f"{', '.join(missing)}; export one currency per file or include the rates "
                "(Flex: FXRateToBase; activity statement: 'Base Currency Exchange Rate')",
            )
            return
        shown = ", ".join(f"{k} x {v:g}" for k, v in sorted(used.items()))
        if shown:
            self.notes.append(
                f"values converted to {base or 'the base currency'} with the file's rates ({shown})"
            )


def _strip_empty(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _text_row(row: list[str]) -> bool:
    """A title, footer or disclaimer: one non-empty cell, the first, holding words."""
    filled = [c for c in row if c.strip()]
    return (
        len(filled) == 1
        and bool(row)
        and row[0].strip() == filled[0].strip()
        and (len(row) == 1 or " " in filled[0].strip())
    )


def _numeric_like(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and not any(
        ch.isalpha() for ch in text.replace("e", "")
    )
