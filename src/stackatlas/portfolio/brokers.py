"""Broker export presets: which columns mean what, and which rows are not positions.

A preset is recognised from the header row (every group of its ``signature`` present). The
layouts follow the brokers' own CSV downloads:

- **Fidelity** "Portfolio Positions" (``Account Number, Account Name, Symbol, Description,
  Quantity, Last Price, ..., Current Value, ...``; ``SPAXX**`` core money market, a ``Pending
  Activity`` row, a disclaimer and ``Date downloaded`` footer);
- **Schwab** positions (a ``Positions for account ...`` title, ``Symbol, Description, Qty
  (Quantity), Price, ..., Mkt Val (Market Value), ..., Security Type``, or the older
  ``Quantity`` / ``Market Value`` names; ``Cash & Cash Investments`` and ``Account Total`` rows;
  the all-accounts download repeats title + header per account);
- **Vanguard** ``OfxDownload.csv`` (``Account Number, Investment Name, Symbol, Shares, Share
  Price, Total Value,`` then a second table of transactions, which is not read);
- **Interactive Brokers** Flex query CSV (``ClientAccountID, CurrencyPrimary, FXRateToBase,
  AssetClass, Symbol, ..., Quantity, MarkPrice, PositionValue, LevelOfDetail``) and the activity
  statement CSV (``Open Positions,Header,DataDiscriminator,Asset Category,Currency,Symbol,
  Quantity,Mult,Cost Price,Cost Basis,Close Price,Value,...`` with ``Summary`` / ``Lot`` / ``Total``
  rows; see ``ibkr_statement``);
- **generic**: any file with a ticker column and one amount column (``COLUMN_ALIASES``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from stackatlas.portfolio.csvtext import normalize_header

# normalized header -> field, for files no preset recognises
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
    "currency": ("currency", "ccy"),
    "security_type": ("security type", "asset class", "asset type", "type of security"),
}
FIELDS = (*COLUMN_ALIASES, "fx_rate", "detail")
"""Every field a column can be mapped to (``--columns field=Header``)."""
AMOUNT_FIELDS = ("market_value", "weight", "shares", "price", "fx_rate")


@dataclass(frozen=True)
class Preset:
    """A broker layout: the header groups that identify it and its column names by field."""

    name: str
    label: str
    signature: tuple[frozenset[str], ...]  # each group: one of these headers must be present
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def matches(self, header: set[str]) -> bool:
        return all(group & header for group in self.signature)


def _group(*names: str) -> frozenset[str]:
    return frozenset(names)


PRESETS = (
    Preset(
        "fidelity",
        "Fidelity positions export",
        (
            _group("account number"),
            _group("symbol"),
            _group("last price"),
            _group("current value"),
            _group("quantity"),
        ),
        {
            "ticker": ("symbol",),
            "shares": ("quantity",),
            "price": ("last price",),
            "market_value": ("current value",),
            "account": ("account number",),
            "description": ("description",),
        },
    ),
    Preset(
        "schwab",
        "Schwab positions export",
        (
            _group("symbol"),
            _group("security type"),
            _group("mkt val (market value)", "market value"),
            _group("qty (quantity)", "quantity"),
        ),
        {
            "ticker": ("symbol",),
            "shares": ("qty (quantity)", "quantity"),
            "price": ("price",),
            "market_value": ("mkt val (market value)", "market value"),
            "description": ("description",),
            "security_type": ("security type",),
        },
    ),
    Preset(
        "vanguard",
        "Vanguard holdings download",
        (
            _group("investment name"),
            _group("symbol"),
            _group("share price"),
            _group("total value"),
        ),
        {
            "ticker": ("symbol",),
            "shares": ("shares",),
            "price": ("share price",),
            "market_value": ("total value",),
            "account": ("account number",),
            "description": ("investment name",),
        },
    ),
    Preset(
        "ibkr-flex",
        "Interactive Brokers Flex query (open positions)",
        (
            _group("symbol"),
            _group("quantity"),
            _group("positionvalue", "markprice"),
            _group("clientaccountid", "currencyprimary", "assetclass"),
        ),
        {
            "ticker": ("symbol",),
            "shares": ("quantity",),
            "price": ("markprice",),
            "market_value": ("positionvalue",),
            "account": ("clientaccountid", "accountalias"),
            "description": ("description",),
            "currency": ("currencyprimary", "currency"),
            "fx_rate": ("fxratetobase",),
            "security_type": ("assetclass",),
            "detail": ("levelofdetail",),
        },
    ),
    Preset(
        "ibkr",
        "Interactive Brokers activity statement (Open Positions)",
        (_group("datadiscriminator"), _group("symbol"), _group("asset category")),
        {
            "ticker": ("symbol",),
            "shares": ("quantity",),
            "price": ("close price",),
            "market_value": ("value",),
            "currency": ("currency",),
            "security_type": ("asset category",),
            "detail": ("datadiscriminator",),
        },
    ),
)
GENERIC = Preset("generic", "holdings CSV", (), COLUMN_ALIASES)


def match_columns(header: list[str], preset: Preset) -> dict[str, int]:
    """Field -> column index: the preset's names first, then the generic aliases."""
    norm = [normalize_header(h) for h in header]
    found: dict[str, int] = {}
    for aliases in (preset.columns, COLUMN_ALIASES):
        for fld, names in aliases.items():
            if fld in found:
                continue
            for name in names:
                if name in norm and norm.index(name) not in found.values():
                    found[fld] = norm.index(name)
                    break
    return found


def detect_preset(header: list[str]) -> Preset | None:
    """The broker preset this header row belongs to, generic when it names a ticker column,
    None when it is not a header row."""
    norm = {normalize_header(h) for h in header}
    for preset in PRESETS:
        if preset.matches(norm):
            return preset
    return GENERIC if norm & set(COLUMN_ALIASES["ticker"]) else None


# ---- rows that are not positions ---------------------------------------------------------
CASH_TICKERS = frozenset(
    {
        "CASH",
        "USD",
        "CASH & CASH INVESTMENTS",
        "CASH AND CASH EQUIVALENTS",
        "CASH & SWEEP",
        "MONEY MARKET",
        "SPAXX",
        "FDRXX",
        "FZFXX",
        "SPRXX",
        "FCASH",
        "CORE",
        "VMFXX",
        "SWVXX",
    }
)
TOTAL_ROW = re.compile(r"^(account\s+)?totals?$|^grand total$|^total\b", re.IGNORECASE)
PENDING_ROW = re.compile(r"^pending activity$", re.IGNORECASE)
_CASH_TEXT = re.compile(r"money market|cash sweep|held in fcash|core position", re.IGNORECASE)
_CASH_TYPES = frozenset({"cash and money market", "cash", "money market", "cash & equivalents"})
_FUND_TYPES = frozenset(
    {"etfs & closed end funds", "etf", "etfs", "mutual funds", "mutual fund", "fund", "funds"}
)
_FUND_TEXT = re.compile(r"\b(ETF|ETN|FUND|INDEX|ISHARES|SPDR|POWERSHARES)\b", re.IGNORECASE)
STOCK_CLASSES = frozenset({"stk", "stocks", "stock", "equity", "equities", "adr"})
_NOT_SUPPORTED_CLASSES = {
    "opt": "options",
    "fop": "futures options",
    "fut": "futures",
    "bond": "bonds",
    "bill": "bills",
    "war": "warrants",
    "cfd": "CFDs",
    "equity and index options": "options",
    "options": "options",
    "option": "options",
    "fixed income": "bonds",
    "futures": "futures",
    "bonds": "bonds",
    "warrants": "warrants",
    "treasury bills": "bills",
    "cfds": "CFDs",
    "crypto": "crypto",
}


def is_cash(ticker: str, description: str = "", security_type: str = "") -> bool:
    """Cash, core money-market and sweep rows (``SPAXX**``, ``Cash & Cash Investments``)."""
    if ticker.upper().rstrip("*").strip() in CASH_TICKERS:
        return True
    if description and _CASH_TEXT.search(description):
        return True
    kind = normalize_header(security_type) if security_type else ""
    return kind in _CASH_TYPES or kind == "forex"  # IBKR: cash balances per currency


def unsupported_class(security_type: str) -> str | None:
    """What an asset class is when stackatlas cannot map it (options, futures, bonds ...)."""
    return _NOT_SUPPORTED_CLASSES.get(normalize_header(security_type)) if security_type else None


@cache
def listed_funds() -> dict[str, str]:
    """Well-known fund tickers -> fund name (``stackatlas/data/funds.csv``: 25 AI, chip,
    tech and broad-market ETFs; names as their sponsors publish them). Used only to say "this
    is a fund, pass --etf-holdings", never for weights."""
    text = resources.files("stackatlas").joinpath("data", "funds.csv").read_text("utf-8")
    return {row["ticker"]: row["name"] for row in csv.DictReader(text.splitlines())}


def fund_hint(ticker: str, description: str = "", security_type: str = "") -> str | None:
    """Why a holding looks like a fund (security type, description or a listed fund), or None."""
    key = ticker.upper().strip()
    if key in listed_funds():
        return listed_funds()[key]
    if normalize_header(security_type) in _FUND_TYPES:
        return f"security type {security_type.strip()!r}"
    if description and _FUND_TEXT.search(description):
        return description.strip()
    return None
