"""ETF look-through: a fund's holdings file expands the fund into its constituents.

Two input formats are read by ``read_fund_holdings``:

* a plain CSV with a ticker and a weight column (fractions, or percent when the header says
  ``%`` or the weights sum past 1.5);
* an iShares "Fund Holdings" export: a preamble (fund name on line 1, ``Fund Holdings as of``
  with the date), then ``Ticker, Name, Sector, Asset Class, Market Value, Weight (%) ...`` rows.
  Rows whose asset class is not ``Equity`` (cash, money market, collateral, futures) count as
  the fund's cash / derivatives weight and are not looked through.

Shipped fund files live in ``stackatlas/data/etfs/<TICKER>.yaml`` and must carry ``as_of`` and a
source with a URL; see that folder's README. The package ships none today because no holdings
list could be sourced exactly; pass ``--etf-holdings FILE`` instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from stackatlas import safe_yaml
from stackatlas._io import data_path
from stackatlas.atlas.atlas import normalize_ticker
from stackatlas.errors import Problem, ValidationError
from stackatlas.portfolio.brokers import GENERIC, match_columns
from stackatlas.portfolio.csvtext import normalize_header, read_text, sniff_rows
from stackatlas.portfolio.numbers import parse_number

NON_EQUITY_CLASSES = frozenset(
    {
        "cash",
        "money market",
        "cash collateral and margins",
        "futures",
        "fx",
        "forwards",
        "swaps",
        "cash and/or derivatives",
    }
)


@dataclass(frozen=True)
class Constituent:
    ticker: str
    weight: float  # fraction of the fund
    name: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class FundHoldings:
    """A fund's constituents as fractions of the fund, with where they came from."""

    fund: str
    constituents: list[Constituent]
    cash_weight: float = 0.0  # cash, money market, futures margin ...
    name: str | None = None
    as_of: date | None = None
    source: str = ""  # file path, or the source title/URL of a shipped file
    notes: list[str] = field(default_factory=list)

    @property
    def covered_weight(self) -> float:
        return sum(c.weight for c in self.constituents)


def _parse_as_of(rows: list[list[str]]) -> date | None:
    for row in rows:
        if len(row) >= 2 and "holdings as of" in normalize_header(row[0]):
            for fmt in ("%b %d, %Y", "%Y-%m-%d", "%m/%d/%Y", "%d %b %Y"):
                try:
                    return datetime.strptime(row[1].strip(), fmt).date()
                except ValueError:
                    continue
    return None


def read_fund_holdings(path: str | Path, fund: str | None = None) -> FundHoldings:
    """Parse a fund holdings file; ``fund`` defaults to a ticker-like token in the file name."""
    p = Path(path)
    name = str(p)
    text, _ = read_text(p)
    rows, _ = sniff_rows(text, lambda r: "ticker" in match_columns(r, GENERIC), name=name)
    header_at = next(
        (i for i, (_, r) in enumerate(rows[:40]) if "ticker" in match_columns(r, GENERIC)), None
    )
    if header_at is None:
        raise ValidationError(Problem(name, 1, None, "no ticker column found in fund holdings"))
    header_line, header = rows[header_at]
    cols = match_columns(header, GENERIC)
    if "weight" not in cols:
        raise ValidationError(
            Problem(
                name, header_line, None, "fund holdings need a weight column (e.g. 'Weight (%)')"
            )
        )
    asset_idx = next(
        (i for i, h in enumerate(header) if normalize_header(h) in {"asset class", "sector"}), None
    )
    asset_class_idx = next(
        (i for i, h in enumerate(header) if normalize_header(h) == "asset class"), asset_idx
    )
    percent = any(t in normalize_header(header[cols["weight"]]) for t in ("%", "pct", "percent"))
    preamble = [r for _, r in rows[:header_at]]
    problems: list[Problem] = []
    merged: dict[str, Constituent] = {}
    notes: list[str] = []
    cash = 0.0
    for line, row in rows[header_at + 1 :]:
        if not any(c.strip() for c in row):
            continue
        if len(row) == 1 and len(header) > 2:
            notes.append(f"line {line}: stopped at trailing text {row[0][:40]!r}")
            break
        ticker = row[cols["ticker"]].strip() if cols["ticker"] < len(row) else ""
        raw = row[cols["weight"]].strip() if cols["weight"] < len(row) else ""
        try:
            weight = parse_number(raw)
        except ValueError:
            problems.append(
                Problem(name, line, header[cols["weight"]].strip(), f"not a number: {raw!r}")
            )
            continue
        if weight is None:
            problems.append(Problem(name, line, header[cols["weight"]].strip(), "weight missing"))
            continue
        if weight < 0:
            problems.append(
                Problem(name, line, header[cols["weight"]].strip(), f"negative weight {raw!r}")
            )
            continue
        weight = weight / 100 if percent else weight
        asset = (
            normalize_header(row[asset_class_idx])
            if asset_class_idx is not None and asset_class_idx < len(row)
            else "equity"
        )
        if asset in NON_EQUITY_CLASSES or not ticker or ticker in {"-", "--"}:
            cash += weight
            continue
        label = row[cols["description"]].strip() if "description" in cols else None
        key = normalize_ticker(ticker)
        if key in merged:
            notes.append(f"line {line}: {ticker} listed twice, weights added")
            weight += merged[key].weight
        merged[key] = Constituent(ticker, weight, label, line)
    if problems:
        raise ValidationError(problems)
    if not merged:
        raise ValidationError(Problem(name, header_line, None, "no equity rows in fund holdings"))
    total = sum(c.weight for c in merged.values()) + cash
    if not percent and total > 1.5:
        merged = {
            k: Constituent(c.ticker, c.weight / 100, c.name, c.line) for k, c in merged.items()
        }
        cash /= 100
        notes.append("weights sum to more than 1.5, read as percent")
    fund_name = preamble[0][0].strip() if preamble and preamble[0] else None
    return FundHoldings(
        fund or fund_from_filename(p) or p.stem.upper(),
        list(merged.values()),
        cash,
        fund_name,
        _parse_as_of(preamble),
        name,
        notes,
    )


def fund_from_filename(path: Path, candidates: set[str] | None = None) -> str | None:
    """A fund ticker found in the file name (``etf_holdings_SOXX_asof...`` -> ``SOXX``).

    With ``candidates`` (the portfolio's tickers) only a token naming one of them counts;
    without, the first all-capital token of 2-5 letters.
    """
    tokens = [t for t in re.split(r"[_\-.\s]+", path.stem) if t]
    if candidates is not None:
        norm = {normalize_ticker(c): c for c in candidates}
        for t in tokens:
            if normalize_ticker(t) in norm:
                return norm[normalize_ticker(t)]
        return None
    for t in tokens:
        if re.fullmatch(r"[A-Z]{2,5}", t):
            return t
    return None


def parse_etf_arg(arg: str, portfolio_tickers: set[str]) -> FundHoldings:
    """``TICKER=FILE`` or ``FILE`` (fund ticker taken from the file name) -> FundHoldings."""
    if "=" in arg and not Path(arg).exists():
        named, _, path = arg.partition("=")
        return read_fund_holdings(path.strip(), named.strip())
    p = Path(arg)
    fund = fund_from_filename(p, portfolio_tickers)
    if fund is None:
        raise ValidationError(
            Problem(
                arg,
                None,
                None,
                "cannot tell which holding this fund file describes: no portfolio "
                "ticker in its file name; pass it as TICKER=FILE (e.g. SOXX=holdings.csv)",
            )
        )
    return read_fund_holdings(p, fund)


def shipped_funds(folder: Path | None = None) -> dict[str, FundHoldings]:
    """Fund files shipped in ``stackatlas/data/etfs`` (or ``folder``), by normalized ticker.

    Each YAML file needs ``fund``, ``as_of``, ``source: {title, publisher, url}`` and
    ``holdings: [{ticker, weight}]``; a file missing any of them is a ValidationError.
    """
    base = folder if folder is not None else data_path("etfs")
    out: dict[str, FundHoldings] = {}
    if not base.is_dir():
        return out
    for f in sorted(base.glob("*.yaml")):
        doc = safe_yaml.load_file(f) or {}
        src = doc.get("source") or {}
        missing = [k for k in ("fund", "as_of", "holdings") if not doc.get(k)]
        missing += [f"source.{k}" for k in ("title", "publisher", "url") if not src.get(k)]
        if missing:
            raise ValidationError(
                Problem(str(f), None, None, f"shipped fund file lacks {', '.join(missing)}")
            )
        cons = [
            Constituent(str(h["ticker"]), float(h["weight"]), h.get("name"))
            for h in doc["holdings"]
        ]
        as_of = (
            doc["as_of"]
            if isinstance(doc["as_of"], date)
            else date.fromisoformat(str(doc["as_of"]))
        )
        out[normalize_ticker(doc["fund"])] = FundHoldings(
            doc["fund"],
            cons,
            float(doc.get("cash_weight", 0.0)),
            doc.get("name"),
            as_of,
            f"{src['title']} ({src['publisher']}) {src['url']}",
            [doc["coverage"]] if doc.get("coverage") else [],
        )
    return out
