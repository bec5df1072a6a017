"""Daily prices for risk figures: a folder of CSV files, or yfinance (cached in the store).

Folder layout (``--prices DIR``): one CSV per ticker named ``TICKER.csv`` or
``prices_TICKER.csv`` (``^GSPC`` is stored as ``GSPC``), with a ``Date`` column and ``Adj Close``
(preferred: split- and dividend-adjusted) or ``Close``; other Yahoo-style columns are ignored.
An optional ``_market_caps.csv`` (``ticker, market_cap``) supplies cap weights.

Online (no ``--prices``, ``STACKATLAS_OFFLINE`` unset): missing series are downloaded with
yfinance (optional extra ``stackatlas[prices]``, imported lazily) and cached in the store table
``prices (ticker, date, close, adj_close, volume)``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from stackatlas import config
from stackatlas.atlas.atlas import normalize_ticker
from stackatlas.errors import DataUnavailableError, Problem, ValidationError
from stackatlas.portfolio.csvtext import MAX_FILE_BYTES, normalize_header, read_text
from stackatlas.portfolio.numbers import MAX_AMOUNT

if TYPE_CHECKING:
    from stackatlas.store import Store

BENCHMARK_FALLBACKS = ("SPY", "^GSPC", "GSPC")
MAX_FAILURES_BEFORE_ABORT = 3  # consecutive download errors with nothing fetched: give up


def price_key(ticker: str) -> str:
    """Normalized key for a price series: ``^gspc`` -> ``GSPC``, ``BRK-B`` -> ``BRK.B``."""
    return normalize_ticker(ticker).lstrip("^")


def read_price_file(path: Path) -> pd.Series:
    """Adjusted (else plain) close by date from one CSV; bad cells raise ValidationError."""
    text, _ = read_text(path, max_bytes=MAX_FILE_BYTES * 10)
    from io import StringIO

    try:
        df = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        where = re.search(r"line (\d+)", str(exc))
        raise ValidationError(
            Problem(
                str(path),
                int(where.group(1)) if where else None,
                None,
                f"unreadable price CSV: {str(exc).splitlines()[0]}",
            )
        ) from None
    cols = {normalize_header(c): c for c in df.columns}
    date_col = cols.get("date") or cols.get("datetime")
    value_col = cols.get("adj close") or cols.get("adjclose") or cols.get("close")
    if date_col is None or value_col is None:
        raise ValidationError(
            Problem(str(path), 1, None, "price file needs Date and Close (or Adj Close) columns")
        )
    dates = pd.to_datetime(df[date_col].str.strip().str[:10], errors="coerce", format="%Y-%m-%d")
    values = pd.to_numeric(df[value_col].str.strip(), errors="coerce")
    problems = []
    bad = dates.isna() | ~values.between(0, MAX_AMOUNT, inclusive="neither")  # NaN, inf, <= 0
    for i in bad.to_numpy().nonzero()[0][:5]:
        bad_col = date_col if pd.isna(dates.iloc[i]) else value_col
        problems.append(
            Problem(str(path), int(i) + 2, bad_col, f"bad value {df[bad_col].iloc[i]!r}")
        )
    if problems:
        raise ValidationError(problems)
    series = pd.Series(values.to_numpy(dtype=float), index=pd.DatetimeIndex(dates, name="date"))
    series = series[~series.index.duplicated(keep="last")].sort_index()
    if series.empty:
        raise ValidationError(Problem(str(path), None, None, "price file has no rows"))
    return series


@dataclass
class PriceBook:
    """Close series by normalized ticker, with where they came from."""

    series: dict[str, pd.Series]
    origin: str
    market_caps: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def get(self, ticker: str) -> pd.Series | None:
        return self.series.get(price_key(ticker))

    def first_of(self, tickers: Iterable[str | None]) -> tuple[str, pd.Series] | None:
        for t in tickers:
            if t and (s := self.get(t)) is not None:
                return t, s
        return None

    def latest_close(self, tickers: Iterable[str | None]) -> float | None:
        hit = self.first_of(tickers)
        return float(hit[1].iloc[-1]) if hit else None

    def benchmark(self, wanted: str = "SPY") -> tuple[str, pd.Series, str | None]:
        """(ticker, series, note) for ``wanted`` or the first of SPY / ^GSPC / GSPC present."""
        for t in (wanted, *BENCHMARK_FALLBACKS):
            s = self.get(t)
            if s is not None:
                note = (
                    None
                    if price_key(t) == price_key(wanted)
                    else (f"benchmark {wanted} has no prices in {self.origin}; using {t} instead")
                )
                return t, s, note
        tried = dict.fromkeys((wanted, *BENCHMARK_FALLBACKS))  # ordered, no repeats
        raise DataUnavailableError(
            f"no benchmark prices: none of {', '.join(tried)} in {self.origin}"
        )


def read_price_dir(folder: str | Path) -> PriceBook:
    """Every ``*.csv`` in ``folder`` (``_summary.csv`` / ``_market_caps.csv`` are metadata)."""
    base = Path(folder)
    if not base.is_dir():
        raise ValidationError(Problem(str(base), None, None, "prices directory does not exist"))
    series: dict[str, pd.Series] = {}
    for f in sorted(base.glob("*.csv")):
        if f.name.startswith("_"):
            continue
        stem = f.stem.removeprefix("prices_")
        series[price_key(stem)] = read_price_file(f)
    if not series:
        raise ValidationError(Problem(str(base), None, None, "no price CSV files in directory"))
    book = PriceBook(series, str(base))
    caps_file = base / "_market_caps.csv"
    if caps_file.is_file():
        caps = pd.read_csv(caps_file, dtype={"ticker": str})
        caps.columns = [normalize_header(c) for c in caps.columns]
        if not {"ticker", "market cap"} <= set(caps.columns):
            raise ValidationError(
                Problem(str(caps_file), 1, None, "needs columns ticker, market_cap")
            )
        book.market_caps = {
            price_key(t): float(v) for t, v in zip(caps["ticker"], caps["market cap"], strict=True)
        }
    return book


Fetcher = Callable[[list[str], date | None], dict[str, pd.DataFrame]]


def yfinance_fetch(tickers: list[str], start: date | None) -> dict[str, pd.DataFrame]:
    """Download daily history per ticker with yfinance; a rich progress bar tracks tickers."""
    try:
        import yfinance as yf  # optional extra "prices"
    except ImportError:
        raise DataUnavailableError(
            "yfinance is not installed: pip install 'stackatlas[prices]' or pass --prices DIR"
        ) from None
    import logging

    from rich.progress import Progress

    logging.getLogger("yfinance").setLevel(logging.CRITICAL)  # we report failures ourselves
    out: dict[str, pd.DataFrame] = {}
    failures = 0
    with Progress(transient=True) as progress:
        task = progress.add_task("downloading prices", total=len(tickers))
        for t in tickers:
            try:
                df = yf.Ticker(t).history(
                    start=start.isoformat() if start else None,
                    period=None if start else "5y",
                    auto_adjust=False,
                )
            except Exception as exc:  # yfinance surfaces many transport-specific error types
                failures += 1
                if not out and failures >= MAX_FAILURES_BEFORE_ABORT:
                    raise DataUnavailableError(
                        f"could not download prices with yfinance ({type(exc).__name__}: "
                        f"{str(exc)[:100]}); pass --prices DIR or set STACKATLAS_OFFLINE=1"
                    ) from None
                df = None
            if df is not None and not df.empty:
                out[t] = df
            progress.advance(task)
    return out


def load_prices(
    tickers: Iterable[str],
    *,
    prices_dir: str | Path | None = None,
    store: Store | None = None,
    start: date | None = None,
    fetch: Fetcher | None = None,
) -> PriceBook:
    """Prices for ``tickers``: from ``prices_dir`` if given, else the store cache + yfinance.

    Offline with no directory and nothing cached -> DataUnavailableError naming ``--prices``.
    Downloads are written to the store table ``prices`` (one transaction per ticker).
    """
    if prices_dir is not None:
        return read_price_dir(prices_dir)
    wanted = sorted({t for t in tickers if t})
    own = store is None
    if store is None:
        from stackatlas.store.store import Store

        store = Store()
    try:
        cached = _read_cache(store, wanted)
        missing = [t for t in wanted if price_key(t) not in cached]
        notes: list[str] = []
        if missing and config.offline() and fetch is None:
            if not cached:
                raise DataUnavailableError(
                    "no prices: offline (STACKATLAS_OFFLINE=1) and "
                    "nothing cached; pass --prices DIR with CSV files"
                )
            notes.append(f"offline: no cached prices for {', '.join(missing)}")
        elif missing:
            fetched = (fetch or yfinance_fetch)(missing, start)
            for t, df in fetched.items():
                frame = _frame_from_history(t, df)
                store.replace_rows("prices", frame, where="ticker = ?", params=[price_key(t)])
                cached[price_key(t)] = pd.Series(
                    frame["adj_close"].to_numpy(dtype=float),
                    index=pd.DatetimeIndex(frame["date"], name="date"),
                )
            if lost := [t for t in missing if t not in fetched]:
                notes.append(f"no prices returned for {', '.join(lost)}")
            if not cached:  # yfinance often fails quietly (empty frames) when offline
                raise DataUnavailableError(
                    f"no prices: yfinance returned nothing for {', '.join(wanted)} (no network?) "
                    "and nothing is cached; pass --prices DIR with CSV files"
                )
    finally:
        if own:
            store.close()
    return PriceBook(cached, "store cache (yfinance)", notes=notes)


def _frame_from_history(ticker: str, df: pd.DataFrame) -> pd.DataFrame:
    """yfinance history -> rows of the store table ``prices``."""
    cols = {normalize_header(str(c)): c for c in df.columns}
    close = df[cols["close"]].astype(float)
    adj = df[cols["adj close"]].astype(float) if "adj close" in cols else close
    vol = df[cols["volume"]] if "volume" in cols else pd.Series(0, index=df.index)
    idx = pd.DatetimeIndex(df.index)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return pd.DataFrame(
        {
            "ticker": price_key(ticker),
            "date": [d.date() for d in idx],
            "close": close.to_numpy(),
            "adj_close": adj.to_numpy(),
            "volume": vol.to_numpy(dtype=float),
        }
    )


def _read_cache(store: Store, tickers: list[str]) -> dict[str, pd.Series]:
    if not tickers or not store.has_table("prices"):
        return {}
    keys = [price_key(t) for t in tickers]
    marks = ", ".join("?" for _ in keys)
    df = store.query(
        f"SELECT ticker, date, adj_close FROM prices WHERE ticker IN ({marks}) ORDER BY date", keys
    )
    return {
        str(t): pd.Series(
            g["adj_close"].to_numpy(dtype=float),
            index=pd.DatetimeIndex(pd.to_datetime(g["date"]), name="date"),
        )
        for t, g in df.groupby("ticker")
    }
