"""How values are shown: JSON-safe records, numbers / percents / money with one dash for a
missing value, the evidence legend, rich tables of frames, and the one "did you mean".

Every table (terminal, web page, report) and every ``to_dict`` goes through these, so a missing
value reads ``—`` everywhere and never ``0``, ``nan`` or ``None``.

Light to import (the CLI's start-up path): numpy and pandas are never imported here; a value
can only be one of their objects once they are loaded, so the checks look them up in
``sys.modules``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from stackatlas.evidence import Evidence

if TYPE_CHECKING:
    import pandas as pd

DASH = "—"
NOT_DISCLOSED = "not disclosed"
"""A money amount the sources do not give (printed so, never as 0 or "≥ 0.0")."""
EVIDENCE_LEGEND = [(e.symbol, e.value) for e in Evidence]
LEGEND_TEXT = "  ".join(f"{symbol} {name}" for symbol, name in EVIDENCE_LEGEND)
AMOUNTS = ("low", "mid", "high")
# "did you mean": rapidfuzz WRatio scores 0-100; a suggestion reaches the floor and is within the
# spread of the best hit (chosen on typos of the shipped names: "nvdia" -> nvidia)
SUGGEST_MIN_SCORE = 60
SUGGEST_SPREAD = 15


def is_missing(value: Any) -> bool:
    """None, NaN, NaT, pandas NA or an infinite number."""
    if value is None:
        return True
    if isinstance(value, float):  # also numpy.float64
        return not math.isfinite(value)
    pandas = sys.modules.get("pandas")
    if pandas is not None and (value is pandas.NA or value is pandas.NaT):
        return True
    if _is_float(value):
        return not math.isfinite(float(value))
    return False


def _is_float(value: Any) -> bool:
    """A Python or numpy float (numpy only when it is loaded)."""
    if isinstance(value, float):
        return True
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.floating)


def json_value(value: Any) -> Any:
    """A value JSON can carry: None for missing, Python scalars for numpy, ISO text for dates."""
    if is_missing(value):
        return None
    if isinstance(value, datetime | date):  # pd.Timestamp is a datetime
        return value.isoformat()
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        return value.item()
    return value


def records(frame: pd.DataFrame | None, columns: Sequence[str] | None = None) -> list[dict]:
    """Rows of ``frame`` (optionally only ``columns``) as JSON-safe dicts (see ``json_value``)."""
    if frame is None or frame.empty:
        return []
    part = frame[list(columns)] if columns is not None else frame
    return [
        {key: json_value(value) for key, value in row.items()}
        for row in part.astype(object).to_dict(orient="records")
    ]


def fmt_num(value: Any, spec: str = ",.1f") -> str:
    """A number with ``spec``, or the dash for a missing value (text is shown as given)."""
    if is_missing(value):
        return DASH
    try:
        return format(float(value), spec)
    except (TypeError, ValueError):
        return str(value)


def fmt_at_risk(value: Any, spec: str = ",.1f") -> str:
    """An amount at risk: a loss as a number, a gain (negative) as ``gain <n>``, dash if
    missing (scenario outputs: a negative loss is revenue above the baseline)."""
    if is_missing(value):
        return DASH
    number = float(value)
    return f"gain {format(-number, spec)}" if number < -1e-12 else format(number, spec)


def fmt_pct(value: Any, digits: int = 0, scale: float = 1.0) -> str:
    """A fraction (``scale`` 1) or a percentage (``scale`` 0.01) as ``12%``; dash if missing."""
    if is_missing(value):
        return DASH
    return f"{float(value) * scale:.{digits}%}"


def fmt_money(value: Any, digits: int = 2, prefix: str = "$", suffix: str = "") -> str:
    """``$0.42``, ``-$3.1B`` (sign before the currency); dash if missing."""
    if is_missing(value):
        return DASH
    number = float(value)
    return f"{'-' if number < 0 else ''}{prefix}{abs(number):,.{digits}f}{suffix}"


def fmt_range(low: Any, high: Any, spec: str = ",.1f", scale: float = 1.0, suffix: str = "") -> str:
    """``(low–high)``, ``(≥ low)`` or ``(≤ high)``; empty when neither bound is known."""
    lo = None if is_missing(low) else float(low) * scale
    hi = None if is_missing(high) else float(high) * scale
    if lo is not None and hi is not None:
        return f"({format(lo, spec)}–{format(hi, spec)}{suffix})"
    if lo is not None:
        return f"(≥ {format(lo, spec)}{suffix})"
    if hi is not None:
        return f"(≤ {format(hi, spec)}{suffix})"
    return ""


def amount_text(rec: Mapping[str, Any], missing: str | None = None) -> str:
    """An aggregated money amount (USD bn): ``13.0``, ``450.0 (450.0–525.0)``,
    ``≥ 8.4 (+2 not disclosed)`` (only the lower bound ``known`` is disclosed) or ``missing``
    (default ``not disclosed``) when no part is — never ``0`` or ``≥ 0.0``."""
    mid: Any = rec.get("mid")
    low: Any = rec.get("low")
    high: Any = rec.get("high")
    if not is_missing(mid):
        spread = not is_missing(low) and not is_missing(high) and (low, high) != (mid, mid)
        return _money(mid) + (f" ({_money(low)}–{_money(high)})" if spread else "")
    known: Any = rec.get("known")
    if not is_missing(known) and known > 0:
        n = rec.get("n_unresolved")
        rest = f" (+{int(n)} {NOT_DISCLOSED})" if not is_missing(n) and n else ""
        return f"≥ {_money(known)}{rest}"
    return NOT_DISCLOSED if missing is None else missing


def _money(value: float) -> str:
    """One decimal; a small positive amount keeps two significant digits (never ``0.0``)."""
    if 0 < abs(value) < 0.05:
        return f"{value:.2g}"
    return f"{value:,.1f}"


def evidence_symbol(value: Any) -> str:
    """The evidence marker of a status (empty for anything that is not one)."""
    try:
        return Evidence(str(value)).symbol
    except ValueError:
        return ""


def cell(column: str, value: Any) -> str:
    """A table cell: evidence as its symbol, small numbers to 3 decimals, others to 1; dash."""
    if is_missing(value):
        return DASH
    if column in ("evidence", "ev"):
        return Evidence(value).symbol
    if _is_float(value):
        number = float(value)
        return f"{number:,.3f}" if abs(number) < 1 else f"{number:,.1f}"
    return str(value)


def rich_table(title: str, frame: pd.DataFrame) -> Any:
    """A rich Table of a frame (flow id / note columns left out; evidence as its symbol)."""
    from rich.table import Table

    table = Table(title=title)
    cols = [c for c in frame.columns if c not in ("flow_ids", "note")]
    for i, col in enumerate(cols):  # the first column is an id: never wrapped
        table.add_column(col, justify="right" if col in AMOUNTS else "left", no_wrap=i == 0)
    for rec in records(frame[cols]):
        table.add_row(*[cell(col, rec[col]) for col in cols])
    return table


def suggest(
    query: str,
    choices: Iterable[str],
    *,
    limit: int | None = 3,
    min_score: float = SUGGEST_MIN_SCORE,
    spread: float | None = SUGGEST_SPREAD,
    scorer: Any = None,
) -> list[str]:
    """The ``choices`` closest to ``query`` (case-insensitive), best first: those scoring at
    least ``min_score`` (0-100) and within ``spread`` of the best one; at most ``limit``.
    ``scorer`` is a rapidfuzz scorer (default ``fuzz.WRatio``)."""
    from rapidfuzz import fuzz, process

    by_key = {str(choice).lower(): str(choice) for choice in choices}
    hits = process.extract(
        str(query).lower(),
        list(by_key),
        scorer=scorer or fuzz.WRatio,
        limit=None,
        score_cutoff=min_score,
    )
    if hits and spread is not None:  # only names about as close as the best one
        hits = [h for h in hits if h[1] >= hits[0][1] - spread]
    return [by_key[h[0]] for h in hits][:limit]
