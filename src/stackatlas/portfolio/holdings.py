"""Read a holdings CSV: (ticker, shares), (ticker, weight) or (ticker, market value).

Headers are matched case- and whitespace-insensitively and common broker export names are
understood (``Symbol``, ``Quantity``, ``Market Value``, ``Description``, ``Account``). A
preamble before the header row (as in many broker and fund exports) is skipped. Every problem
found is reported at once as a ``ValidationError`` naming the file, line and column.

Which amount is used when several are present: market value, then weight, then shares (shares
need prices to become weights). Weights given in percent (header says ``%``/``pct``/``percent``,
or the weights sum to more than 1.5) are divided by 100.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from stackatlas.errors import Problem, ValidationError

MAX_FILE_BYTES = 10 * 1024 * 1024  # a holdings file is a few KB; refuse anything past 10 MB
HEADER_SCAN_LINES = 40

AmountKind = Literal["market_value", "weight", "shares"]

# normalized header -> field
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "ticker": ("ticker", "symbol", "ticker symbol", "security symbol", "symbol/cusip", "code"),
    "shares": ("shares", "quantity", "qty", "units", "shares held", "position", "share count"),
    "weight": (
        "weight",
        "weight (%)",
        "weight %",
        "weight pct",
        "allocation",
        "allocation (%)",
        "% of account",
        "percent of account",
        "portfolio weight",
        "pct",
    ),
    "market_value": (
        "market value",
        "marketvalue",
        "value",
        "current value",
        "market value ($)",
        "market val",
        "value (usd)",
        "market value (usd)",
        "mkt val",
        "mkt val (market value)",
        "total value",
    ),
    "price": ("price", "last price", "close", "last", "price ($)", "current price", "share price"),
    "account": ("account", "account name", "account number", "account id", "portfolio"),
    "description": (
        "description",
        "name",
        "security description",
        "security name",
        "investment name",
        "company",
        "security",
    ),
}
CASH_TICKERS = frozenset(
    {
        "CASH",
        "USD",
        "CASH & CASH INVESTMENTS",
        "CASH AND CASH EQUIVALENTS",
        "MONEY MARKET",
        "SPAXX",
        "FDRXX",
        "CORE",
    }
)
_TOTAL_ROW = re.compile(r"^(account\s+)?totals?$|^grand total$", re.IGNORECASE)


@dataclass(frozen=True)
class Holding:
    """One row of the holdings file (``line`` is the 1-based physical line in the file)."""

    line: int
    ticker: str
    amount: float
    account: str | None = None
    description: str | None = None
    price: float | None = None

    @property
    def is_cash(self) -> bool:
        return self.ticker.upper().rstrip("*") in CASH_TICKERS


@dataclass(frozen=True)
class HoldingsFile:
    """Parsed holdings: every row, what its amount means, and how the file was read."""

    path: str
    kind: AmountKind
    holdings: list[Holding]
    encoding: str
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as written
    notes: list[str] = field(default_factory=list)


def normalize_header(name: str) -> str:
    """Lower-case, trim, collapse spaces and underscores: ``Market_Value`` -> ``market value``."""
    return re.sub(r"[\s_]+", " ", name.replace("\ufeff", "")).strip().lower()


def read_text(
    path: Path | bytes, *, max_bytes: int = MAX_FILE_BYTES, name: str | None = None
) -> tuple[str, str]:
    """Text and encoding of a file (or uploaded bytes); size limit, empty file and non-UTF-8
    are ValidationErrors. The size is checked before anything is read."""
    name = name or (str(path) if isinstance(path, Path) else "<upload>")
    try:
        size = len(path) if isinstance(path, bytes) else path.stat().st_size
    except OSError as exc:
        raise ValidationError(
            Problem(name, None, None, f"cannot read file: {exc.strerror}")
        ) from None
    if size > max_bytes:
        raise ValidationError(
            Problem(
                name,
                None,
                None,
                f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for a "
                "holdings file; is this the right file?",
            )
        )
    raw = path if isinstance(path, bytes) else path.read_bytes()
    if not raw.strip():
        raise ValidationError(Problem(name, None, None, "file is empty"))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(
            Problem(name, 1, None, "file is UTF-16 encoded; save it as UTF-8 CSV and try again")
        )
    for encoding in ("utf-8", "utf-8-sig"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            error = exc
            continue
        if encoding == "utf-8" and text.startswith("\ufeff"):
            continue  # let utf-8-sig strip the byte-order mark
        if "\x00" in text:
            raise ValidationError(
                Problem(name, None, None, "file contains NUL bytes; it is not a CSV text file")
            )
        return text, encoding
    line = raw[: error.start].count(b"\n") + 1
    raise ValidationError(
        Problem(
            name,
            line,
            None,
            f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); "
            "tried utf-8 and utf-8-sig. Save the file as UTF-8 CSV and try again",
        )
    )


def parse_number(text: str) -> float | None:
    """Parse broker-style numbers: ``$1,234.50``, ``(12.5)``, ``8.87%``; blank / ``--`` -> None.

    Raises ValueError on anything else.
    """
    s = text.strip().replace(",", "").replace("$", "").replace("\u00a0", "").replace(" ", "")
    if s in {"", "-", "--", "n/a", "N/A", "NA"}:
        return None
    negative = s.startswith("(") and s.endswith(")")
    s = s.strip("()").rstrip("%")
    value = float(s)  # ValueError propagates
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return -value if negative else value


def _match_columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        norm = normalize_header(raw)
        for fld, aliases in COLUMN_ALIASES.items():
            if fld not in found and norm in aliases:
                found[fld] = index
    return found


def find_header(rows: list[list[str]]) -> int | None:
    """Index of the first row that names a ticker column (skips export preambles)."""
    for i, row in enumerate(rows[:HEADER_SCAN_LINES]):
        if "ticker" in _match_columns(row):
            return i
    return None


def split_rows(text: str) -> list[tuple[int, list[str]]]:
    """CSV rows with their 1-based starting physical line numbers."""
    reader = csv.reader(io.StringIO(text))
    out: list[tuple[int, list[str]]] = []
    line = 1
    for row in reader:
        out.append((line, row))
        line = reader.line_num + 1
    return out


def read_holdings(
    source: str | Path | bytes, *, max_bytes: int = MAX_FILE_BYTES, name: str | None = None
) -> HoldingsFile:
    """Parse a holdings CSV (a path, or uploaded bytes named ``name``); raises ValidationError
    listing every problem with its location."""
    data = source if isinstance(source, bytes) else Path(source)
    name = name or (str(source) if not isinstance(source, bytes) else "<upload>")
    text, encoding = read_text(data, max_bytes=max_bytes, name=name)
    rows = split_rows(text)
    header_at = find_header([r for _, r in rows])
    if header_at is None:
        first = rows[0][1] if rows else []
        raise ValidationError(
            Problem(
                name,
                rows[0][0] if rows else 1,
                None,
                f"no ticker column found (header {first!r}); expected one of "
                f"{', '.join(COLUMN_ALIASES['ticker'][:3])}",
            )
        )
    header_line, header = rows[header_at]
    cols = _match_columns(header)
    kind: AmountKind | None = next(
        (k for k in ("market_value", "weight", "shares") if k in cols), None
    )  # type: ignore[misc]
    if kind is None:
        raise ValidationError(
            Problem(
                name,
                header_line,
                None,
                "missing amount column: need one of shares/quantity, weight or market value "
                f"(header is {', '.join(h.strip() for h in header)})",
            )
        )
    percent = kind == "weight" and any(
        tok in normalize_header(header[cols["weight"]]) for tok in ("%", "pct", "percent")
    )

    problems: list[Problem] = []
    holdings: list[Holding] = []
    notes: list[str] = []
    seen: dict[tuple[str, str | None], int] = {}
    amount_col = header[cols[kind]].strip()
    for line, row in rows[header_at + 1 :]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) == 1 and len(header) > 2:  # export footers / disclaimers in one cell
            notes.append(f"line {line}: skipped text row {row[0].strip()[:40]!r}")
            continue

        def cell(fld: str, row: list[str] = row) -> str:
            idx = cols.get(fld)
            return row[idx].strip() if idx is not None and idx < len(row) else ""

        ticker = cell("ticker")
        if _TOTAL_ROW.match(ticker) or (not ticker and _TOTAL_ROW.match(cell("description"))):
            notes.append(f"line {line}: skipped total row {ticker or cell('description')!r}")
            continue
        if not ticker:
            problems.append(Problem(name, line, header[cols["ticker"]].strip(), "ticker is empty"))
            continue
        if len(row) < len(header) and cols[kind] >= len(row):
            problems.append(
                Problem(
                    name, line, amount_col, f"row has {len(row)} fields, header has {len(header)}"
                )
            )
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
            problems.append(
                Problem(
                    name,
                    line,
                    None,
                    f"row has {len(row)} fields, header has {len(header)} "
                    "(an unquoted comma, e.g. a thousands separator?)",
                )
            )
            continue
        raw_amount = cell(kind)
        try:
            amount = parse_number(raw_amount)
        except ValueError:
            problems.append(Problem(name, line, amount_col, f"not a number: {raw_amount!r}"))
            continue
        if amount is None:
            problems.append(Problem(name, line, amount_col, "value is missing"))
            continue
        if amount < 0:
            what = {
                "shares": "negative shares (short positions are not supported)",
                "weight": "negative weight",
                "market_value": "negative market value",
            }[kind]
            problems.append(Problem(name, line, amount_col, f"{what}: {raw_amount!r}"))
            continue
        price: float | None = None
        if "price" in cols and cell("price"):
            try:
                price = parse_number(cell("price"))
            except ValueError:
                problems.append(
                    Problem(
                        name,
                        line,
                        header[cols["price"]].strip(),
                        f"not a number: {cell('price')!r}",
                    )
                )
                continue
        account = cell("account") or None
        key = (ticker.upper().replace("-", ".").replace("/", "."), account)
        if key in seen:
            problems.append(
                Problem(
                    name,
                    line,
                    header[cols["ticker"]].strip(),
                    f"duplicate row for {ticker!r}"
                    + (f" in account {account!r}" if account else "")
                    + f" (first seen on line {seen[key]}); merge the rows or add an account column",
                )
            )
            continue
        seen[key] = line
        holdings.append(
            Holding(
                line,
                ticker,
                amount / 100 if percent else amount,
                account,
                cell("description") or None,
                price,
            )
        )
    if problems:
        raise ValidationError(problems)
    if not holdings:
        raise ValidationError(Problem(name, header_line, None, "no holdings rows after the header"))
    if kind == "weight" and not percent and sum(h.amount for h in holdings) > 1.5:
        holdings = [
            Holding(h.line, h.ticker, h.amount / 100, h.account, h.description, h.price)
            for h in holdings
        ]
        notes.append("weights sum to more than 1.5, read as percent")
    columns = {fld: header[i].strip() for fld, i in cols.items()}
    return HoldingsFile(name, kind, holdings, encoding, columns, notes)


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
