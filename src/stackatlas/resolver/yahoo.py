"""Yahoo Finance statements as a provider: fundamentals for companies outside EDGAR.

Annual and quarterly income statements and cash flows through ``yfinance`` (optional extra
``stackatlas[providers]``), read as ``Ticker.get_income_stmt(freq=...)`` and
``Ticker.get_cash_flow(freq=...)`` (raw Yahoo keys: ``TotalRevenue``, ``OperatingIncome``,
``OperatingCashFlow``, ``CapitalExpenditure`` ...), and the statements' currency from
``Ticker.get_info()["financialCurrency"]``. Mapped to the standard metric names (capex is the
outflow, so Yahoo's negative ``CapitalExpenditure`` is sign-flipped), converted to USD with the
FX rules (``stackatlas.resolver.currency``), labelled "reported — Yahoo Finance, not an SEC
filing" in every basis. The symbol is the atlas ticker (Yahoo-style: ``005930.KS``,
``8035.T``, ``SU.PA``).

Yahoo gives period end dates only: a year's start is taken as the day after the same date a
year earlier, a quarter's as three months earlier; quarters are numbered from the fiscal year
end month of the annual columns. Yahoo keeps about four years and five quarters.

Caching (``YahooCache``): each symbol's statements are one JSON document in
``$STACKATLAS_HOME/cache/yahoo`` written atomically (``SecCache``); a fresh answer replaces a
cached one only after it parsed into statements with a currency, so a failed or empty answer
never overwrites a good copy (the copy is used, with its date). Copies younger than
``MAX_AGE`` are used without asking Yahoo; offline (``STACKATLAS_OFFLINE``) only copies are
used. The provider never outranks a filing: the resolver drops its values for any period a
filing provider covers (``defers_to_filings``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pandas as pd

from stackatlas import config
from stackatlas.atlas.models import Company
from stackatlas.errors import DataUnavailableError
from stackatlas.evidence import Evidence
from stackatlas.resolver.currency import to_usd
from stackatlas.resolver.providers import PROVIDER_COLUMNS, empty_facts

LABEL = "Yahoo Finance"
BASIS_PREFIX = "reported — Yahoo Finance, not an SEC filing"
MAX_AGE = timedelta(days=7)
# statement -> metric -> Yahoo keys in order of preference, and the sign to apply
INCOME_KEYS: dict[str, tuple[tuple[str, ...], float]] = {
    "revenue": (("TotalRevenue", "OperatingRevenue"), 1.0),
    "gross_profit": (("GrossProfit",), 1.0),
    "operating_income": (("OperatingIncome", "TotalOperatingIncomeAsReported"), 1.0),
}
CASH_KEYS: dict[str, tuple[tuple[str, ...], float]] = {
    "operating_cash_flow": (
        ("OperatingCashFlow", "CashFlowFromContinuingOperatingActivities"),
        1.0,
    ),
    "capex": (("CapitalExpenditure", "PurchaseOfPPE"), -1.0),
    "free_cash_flow": (("FreeCashFlow",), 1.0),
}
STATEMENTS = ("income_yearly", "income_quarterly", "cash_yearly", "cash_quarterly")


@dataclass
class Statements:
    """One symbol's four statements (yfinance's shape: Yahoo keys x period-end Timestamps)."""

    symbol: str
    currency: str
    frames: dict[str, pd.DataFrame]
    fetched_at: str

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "symbol": self.symbol,
                "currency": self.currency,
                "fetched_at": self.fetched_at,
                "statements": {
                    k: {
                        "index": [str(i) for i in f.index],
                        "columns": [pd.Timestamp(c).strftime("%Y-%m-%d") for c in f.columns],
                        "data": [[None if pd.isna(v) else float(v) for v in r] for r in f.values],
                    }
                    for k, f in self.frames.items()
                },
            }
        )

    @classmethod
    def from_json(cls, body: bytes) -> Statements:
        """Parse a cached document; ``ValueError`` when it is not a usable one."""
        doc = orjson.loads(body)
        if not isinstance(doc, dict) or not isinstance(doc.get("statements"), dict):
            raise ValueError("not a statements document")
        frames = {}
        for key in STATEMENTS:
            part = doc["statements"].get(key) or {"index": [], "columns": [], "data": []}
            frames[key] = pd.DataFrame(
                part["data"],
                index=pd.Index(part["index"], dtype=object),
                columns=pd.to_datetime(part["columns"]),
                dtype=float,
            )
        return validate(
            cls(str(doc.get("symbol")), str(doc.get("currency")), frames, str(doc["fetched_at"]))
        )


def validate(stmts: Statements) -> Statements:
    """A usable answer: a 3-letter currency and at least one non-empty statement with a
    revenue or cash-flow line (an empty answer is what yfinance gives when offline)."""
    if not (len(stmts.currency) == 3 and stmts.currency.isalpha()):
        raise ValueError(f"no statement currency (financialCurrency {stmts.currency!r})")
    keys = {k for ks, _ in (*INCOME_KEYS.values(), *CASH_KEYS.values()) for k in ks}
    if not any(not f.empty and keys & set(map(str, f.index)) for f in stmts.frames.values()):
        raise ValueError("no income or cash-flow statement lines")
    return stmts


def yfinance_statements(
    symbol: str, ticker_factory: Callable[[str], Any] | None = None
) -> Statements:
    """Download one symbol's statements with yfinance (``ticker_factory`` stands in for
    ``yfinance.Ticker`` in tests)."""
    if ticker_factory is None:
        try:
            import yfinance as yf  # optional extra "providers"
        except ImportError as exc:
            raise DataUnavailableError(
                "the Yahoo Finance provider needs yfinance: pip install 'stackatlas[providers]'"
            ) from exc
        logging.getLogger("yfinance").setLevel(logging.CRITICAL)  # failures reported by us
        ticker_factory = yf.Ticker
    ticker = ticker_factory(symbol)
    frames = {
        "income_yearly": ticker.get_income_stmt(pretty=False, freq="yearly"),
        "income_quarterly": ticker.get_income_stmt(pretty=False, freq="quarterly"),
        "cash_yearly": ticker.get_cash_flow(pretty=False, freq="yearly"),
        "cash_quarterly": ticker.get_cash_flow(pretty=False, freq="quarterly"),
    }
    info = ticker.get_info() or {}
    currency = str(info.get("financialCurrency") or "")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    frames = {k: (f if isinstance(f, pd.DataFrame) else pd.DataFrame()) for k, f in frames.items()}
    return validate(Statements(symbol, currency.upper(), frames, now))


class YahooCache:
    """Statements per symbol in the raw-response cache (atomic, checked, quarantined)."""

    def __init__(self, root: object | None = None) -> None:
        from stackatlas.sec.cache import SecCache

        self.raw = SecCache(root if root is not None else config.cache_dir("yahoo"))  # type: ignore[arg-type]

    @staticmethod
    def key(symbol: str) -> str:
        return f"https://query2.finance.yahoo.com/stackatlas/statements/{symbol}.json"

    def get(self, symbol: str) -> Statements | None:
        entry = self.raw.get(self.key(symbol))
        if entry is None:
            return None
        try:
            return Statements.from_json(entry.body)
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            return None  # never trusted; the next good answer replaces it

    def put(self, stmts: Statements) -> None:
        self.raw.put(self.key(stmts.symbol), stmts.to_json())


class YahooFinanceProvider:
    """Yahoo Finance annual and quarterly statements (see the module docstring)."""

    name = "yahoo"
    label = LABEL
    filing = False
    defers_to_filings = True

    def __init__(
        self,
        *,
        download: Callable[[str], Statements] | None = None,
        cache: YahooCache | None = None,
        offline: bool | None = None,
        max_age: timedelta = MAX_AGE,
    ) -> None:
        self.download = download or yfinance_statements
        self.cache = cache or YahooCache()
        self.offline = config.offline() if offline is None else offline
        self.max_age = max_age
        self.notes: dict[str, str] = {}  # symbol -> note (stale copy used ...)

    def version(self, company: Company) -> tuple | None:
        """The cached copy's fetch time (None: not cached yet, so nothing is kept)."""
        if not company.ticker:
            return ("no-ticker",)
        stmts = self.cache.get(company.ticker)
        return ("yahoo", company.ticker, stmts.fetched_at) if stmts else None

    def statements(self, symbol: str) -> Statements:
        cached = self.cache.get(symbol)
        if cached is not None and (self.offline or _age(cached) < self.max_age):
            return cached
        if self.offline:
            raise DataUnavailableError(
                f"Yahoo Finance: offline and no cached statements for {symbol} "
                "(run once online with the provider enabled)"
            )
        try:
            fresh = self.download(symbol)
        except DataUnavailableError:
            raise
        except Exception as exc:  # yfinance raises many transport-specific error types
            if cached is not None:
                self.notes[symbol] = (
                    f"Yahoo Finance unreachable ({exc}); copy of {cached.fetched_at}"
                )
                return cached
            raise DataUnavailableError(
                f"Yahoo Finance gave no statements for {symbol} ({type(exc).__name__}: {exc}); "
                "offline or unknown symbol"
            ) from exc
        self.cache.put(fresh)
        return fresh

    def fetch(
        self, company: Company, metrics: Sequence[str], periods: Sequence[str]
    ) -> pd.DataFrame:
        if not company.ticker:
            raise DataUnavailableError(
                f"{company.name} has no ticker (not listed): nothing on Yahoo"
            )
        stmts = self.statements(company.ticker)
        facts = statement_facts(stmts, metrics, periods)
        return to_usd(facts, stmts.currency) if not facts.empty else empty_facts()


def _age(stmts: Statements) -> timedelta:
    try:
        fetched = datetime.fromisoformat(stmts.fetched_at)
    except ValueError:
        return timedelta.max
    return datetime.now(UTC) - (fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC))


def statement_facts(
    stmts: Statements, metrics: Sequence[str], periods: Sequence[str]
) -> pd.DataFrame:
    """``PROVIDER_COLUMNS`` rows (in the statements' currency) for the wanted metrics."""
    yearly_ends = [
        pd.Timestamp(c)
        for f in (stmts.frames["income_yearly"], stmts.frames["cash_yearly"])
        for c in f.columns
    ]
    fy_month = max(yearly_ends).month if yearly_ends else 12
    rows: list[dict] = []
    for kind in ("yearly", "quarterly"):
        if ("annual" if kind == "yearly" else "quarterly") not in periods:
            continue
        for statement, table in (("income", INCOME_KEYS), ("cash", CASH_KEYS)):
            frame = stmts.frames[f"{statement}_{kind}"]
            for metric, (keys, sign) in table.items():
                if metric in metrics:
                    rows.extend(_rows(frame, metric, keys, sign, kind, fy_month, stmts))
    if not rows:
        return empty_facts()
    return pd.DataFrame(rows, columns=PROVIDER_COLUMNS)


def _rows(
    frame: pd.DataFrame,
    metric: str,
    keys: tuple[str, ...],
    sign: float,
    kind: str,
    fy_month: int,
    stmts: Statements,
) -> list[dict]:
    out = []
    for col in frame.columns:
        end = pd.Timestamp(col)
        key = next((k for k in keys if k in frame.index and pd.notna(frame.at[k, col])), None)
        if key is None:
            continue
        if kind == "yearly":
            start = end - pd.DateOffset(years=1) + pd.Timedelta(days=1)
            fiscal_year, slot = end.year, "FY"
            what = f"fiscal year to {end.date()}"
        else:
            start = end - pd.DateOffset(months=3) + pd.Timedelta(days=1)
            slot = f"Q{((end.month - fy_month - 1) % 12) // 3 + 1}"
            fiscal_year = end.year if end.month <= fy_month else end.year + 1
            what = f"quarter to {end.date()}"
        flipped = " (sign flipped: an outflow)" if sign < 0 else ""
        out.append(
            {
                "metric": metric,
                "fiscal_year": int(fiscal_year),
                "fiscal_period": slot,
                "start": start.date(),
                "end": end.date(),
                "value": sign * float(frame.at[key, col]),
                "evidence": Evidence.REPORTED,
                "reference": f"Yahoo Finance {stmts.symbol} (retrieved {stmts.fetched_at[:10]})",
                "basis": f"{BASIS_PREFIX}: {key}{flipped}, {what}",
            }
        )
    return out
