"""Conversion of non-USD amounts to USD with sourced annual average exchange rates.

Dataset ``stackatlas/data/fx/annual_average_usd.csv`` (143 rows): currency, year, usd_per_unit,
published_value, published_basis, source_title, source_publisher, source_url, source_date.
Provenance: the Federal Reserve Board's G.5A "Foreign Exchange Rates - Annual" releases (annual
averages of daily noon buying rates in New York); the published figure is kept next to the
derived ``usd_per_unit`` (G.5A quotes most currencies as units per USD, EUR and GBP as USD per
unit). Years covered: 2012-2015 and 2017-2023 for CAD, CHF, CNY, DKK, EUR, GBP, HKD, INR, JPY,
KRW, SEK, SGD, TWD. 2016, 2024 and 2025 are not shipped: their G.5A releases (January 2025 and
January 2026 for 2024 and 2025) were not at hand to verify, and a rate nobody can check is not
shipped. Amounts in those years convert to ``None`` with a reason naming the missing rate.

A user's own sourced rates extend the table: a CSV with the same columns (``published_value`` /
``published_basis`` optional) named by ``STACKATLAS_FX_FILE`` or ``[fx] file`` in
``config.toml``. Its rows add currency-years and replace shipped ones; each must name its
source. Problems are located (file, line, column).

Caveats: a fiscal period is converted at the average of the calendar year it is aligned to
(where most of its days fall); balances (instants) also use the annual average, not the spot
rate at the balance-sheet date. A filer's own US-dollar convenience translation (20-F filers
such as TSMC) is preferred where it exists (``stackatlas.fundamentals.convenience``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from stackatlas import config
from stackatlas._io import data_path
from stackatlas.errors import Problem, ValidationError

FX_COLUMNS = [
    "currency",
    "year",
    "usd_per_unit",
    "source_title",
    "source_publisher",
    "source_url",
    "source_date",
]
FX_FILE_ENV = "STACKATLAS_FX_FILE"


@dataclass(frozen=True)
class FxRate:
    """One annual average rate and where it comes from."""

    currency: str
    year: int
    usd_per_unit: float
    source: str  # short label, e.g. "Federal Reserve G.5A, 2024-02-01"
    url: str

    def describe(self) -> str:
        """``0.0321 USD/TWD (2023 annual average, Federal Reserve G.5A, 2024-02-01)``."""
        return (
            f"{self.usd_per_unit:.6g} USD/{self.currency} ({self.year} annual average, "
            f"{self.source})"
        )


def fx_file() -> Path | None:
    """The user's FX file: ``STACKATLAS_FX_FILE``, else ``[fx] file`` in config.toml."""
    raw = os.environ.get(FX_FILE_ENV, "").strip()
    if not raw:
        value = config.config_table("fx").get("file")
        raw = str(value).strip() if value else ""
    return Path(raw).expanduser() if raw else None


def load_fx_table() -> pd.DataFrame:
    """The shipped annual average rates plus the user's FX file (validated; ``label`` column
    holds the short source name printed beside every converted number)."""
    user = fx_file()
    if user is None:
        return _table(None, None)
    try:
        stamp = user.stat().st_mtime_ns
    except OSError as exc:
        raise ValidationError(
            Problem(str(user), None, None, f"FX file not readable ({exc.strerror or exc})")
        ) from exc
    return _table(str(user), stamp)


@lru_cache(maxsize=4)
def _table(user: str | None, stamp: int | None) -> pd.DataFrame:
    shipped = _read(data_path("fx", "annual_average_usd.csv"))
    if user is None:
        return shipped
    extra = _read(Path(user))
    merged = pd.concat([shipped, extra], ignore_index=True)
    return merged.drop_duplicates(["currency", "year"], keep="last").reset_index(drop=True)


def _read(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, dtype={"currency": str}, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ValidationError(
            Problem(str(path), None, None, f"unreadable FX table: {exc}")
        ) from exc
    missing = [c for c in FX_COLUMNS if c not in table.columns]
    if missing:
        raise ValidationError(
            Problem(str(path), 1, None, f"missing column(s) {', '.join(missing)}")
        )
    problems = []
    for i, row in enumerate(table.to_dict("records"), start=2):
        if not str(row["currency"]).isalpha() or len(str(row["currency"])) != 3:
            problems.append(Problem(str(path), i, "currency", "not a 3-letter ISO code"))
        if not str(row["year"]).strip().isdigit():
            problems.append(Problem(str(path), i, "year", f"not a year: {row['year']!r}"))
        try:
            ok = float(row["usd_per_unit"]) > 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            problems.append(Problem(str(path), i, "usd_per_unit", "not a positive rate"))
        for col in ("source_title", "source_publisher"):
            if not str(row[col]).strip():
                problems.append(Problem(str(path), i, col, "every rate must name its source"))
    if problems:
        raise ValidationError(problems)
    table["currency"] = table["currency"].str.upper()
    table["year"] = table["year"].astype(int)
    table["usd_per_unit"] = table["usd_per_unit"].astype(float)
    table["label"] = [_label(t, p, d) for t, p, d in _cols(table)]
    return table


def _cols(table: pd.DataFrame) -> zip:
    return zip(table["source_title"], table["source_publisher"], table["source_date"], strict=True)


def _label(title: str, publisher: str, date: str) -> str:
    name = "Federal Reserve G.5A" if "G.5A" in str(title) else str(title or publisher)
    return f"{name}, {date}" if str(date).strip() else name


def fx_rate(currency: str, year: int) -> FxRate | None:
    """The annual average for ``currency`` in ``year`` (USD per unit), or None."""
    table = load_fx_table()
    hit = table[(table["currency"] == currency.upper()) & (table["year"] == int(year))]
    if hit.empty:
        return None
    r = hit.iloc[-1]
    return FxRate(
        currency.upper(), int(year), float(r["usd_per_unit"]), r["label"], r["source_url"]
    )


def missing_rate(currency: str, year: object) -> str:
    """Why ``currency`` cannot be converted in ``year``, and what would fix it."""
    table = load_fx_table()
    years = sorted(table.loc[table["currency"] == str(currency).upper(), "year"])
    when = "an unknown year" if year is None or pd.isna(year) else str(int(year))  # type: ignore[call-overload]
    held = f"the FX table holds {currency} for {_spans(years)}" if years else f"no {currency} rates"
    return (
        f"no FX rate for {currency} {when} ({held}; add a sourced annual average with "
        f"{FX_FILE_ENV})"
    )


def _spans(years: list[int]) -> str:
    spans: list[list[int]] = []
    for y in years:
        if spans and y == spans[-1][-1] + 1:
            spans[-1].append(y)
        else:
            spans.append([y])
    return ", ".join(f"{s[0]}-{s[-1]}" if len(s) > 1 else str(s[0]) for s in spans)


def convert_to_usd(rows: pd.DataFrame, money: pd.Series) -> pd.DataFrame:
    """Convert money rows to USD in place of their reported currency.

    Adds ``currency`` (as reported) and ``fx_rate`` (USD per unit; 1.0 for USD). Converted rows
    get unit USD, evidence at best ``derived`` and a derivation suffix naming the rate and its
    source; rows whose rate is not in the table get ``value = None``, evidence ``unresolved``
    and the reason (a row already unavailable keeps its own reason).
    """
    out = rows.copy()
    out["currency"] = np.where(money, out["unit"], None)
    out["fx_rate"] = np.where(money & (out["unit"] == "USD"), 1.0, np.nan)
    foreign = money & out["unit"].notna() & (out["unit"] != "USD")
    if not foreign.any():
        return out
    table = load_fx_table()[["currency", "year", "usd_per_unit", "label"]]
    sub = out.loc[foreign, ["unit", "calendar_year"]].rename(
        columns={"unit": "currency", "calendar_year": "year"}
    )
    sub["year"] = pd.to_numeric(sub["year"], errors="coerce").astype("Int64")
    rates = sub.merge(table.astype({"year": "Int64"}), on=["currency", "year"], how="left")
    rate = rates["usd_per_unit"].to_numpy(dtype=float)
    idx = out.index[foreign]
    found = ~np.isnan(rate)
    had_value = ~np.isnan(out.loc[idx, "value"].to_numpy(dtype=float))
    suffix = [
        f"; converted from {cur} at {r:.6g} USD/{cur} ({int(y)} annual average, {label})"
        if ok
        else (f"; unavailable: {missing_rate(cur, y)}" if had else "")
        for cur, y, r, label, ok, had in zip(
            sub["currency"], sub["year"], rate, rates["label"], found, had_value, strict=True
        )
    ]
    out.loc[idx, "fx_rate"] = rate
    out.loc[idx, "value"] = out.loc[idx, "value"].to_numpy(dtype=float) * rate
    out.loc[idx, "derivation"] = out.loc[idx, "derivation"].astype(str) + pd.Series(
        suffix, index=idx, dtype=object
    )
    evidence = out.loc[idx, "evidence"].to_numpy(dtype=object)
    evidence = np.where(found & (evidence == "reported"), "derived", evidence)
    out.loc[idx, "evidence"] = np.where(found, evidence, "unresolved")
    out.loc[idx, "unit"] = "USD"
    return out
