"""Shared rendering helpers of the network analyses: JSON-safe records and rich tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from stackatlas.evidence import Evidence

AMOUNTS = ("low", "mid", "high")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with None for missing values (JSON-safe)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict(orient="records")


def rich_table(title: str, frame: pd.DataFrame) -> Any:
    """A rich Table of a frame (flow id / note columns left out; evidence as its symbol)."""
    from rich.table import Table

    table = Table(title=title)
    cols = [c for c in frame.columns if c not in ("flow_ids", "note")]
    for i, col in enumerate(cols):  # the first column is an id: never wrapped
        table.add_column(col, justify="right" if col in AMOUNTS else "left", no_wrap=i == 0)
    for rec in records(frame[cols]):
        table.add_row(*[_fmt(col, rec[col]) for col in cols])
    return table


def amount_text(rec: dict[str, Any]) -> str:
    """ "13.0", "450.0 (450.0–525.0)", "≥ 250.0" (partly unknown) or "?" (no amount)."""
    mid, low, high = rec.get("mid"), rec.get("low"), rec.get("high")
    if mid is not None and not pd.isna(mid):
        spread = (
            low is not None
            and high is not None
            and not pd.isna(low)
            and not pd.isna(high)
            and (low, high) != (mid, mid)
        )
        return f"{mid:,.1f}" + (f" ({low:,.1f}–{high:,.1f})" if spread else "")
    known = rec.get("known")
    return f"≥ {known:,.1f}" if known else "?"


def link_view(frame: pd.DataFrame) -> pd.DataFrame:
    """A compact display of aggregated links: from, to, amount, kinds, periods, flows, ev."""
    rows = [
        {
            "from": r["source"],
            "to": r["target"],
            "USD bn": amount_text(r),
            "kinds": str(r.get("kinds", "")).replace(";", ", "),
            "periods": str(r.get("periods", "")).replace(";", ", "),
            "flows": r.get("n_flows", 1),
            "evidence": r["evidence"],
        }
        for r in records(frame)
    ]
    return pd.DataFrame(
        rows, columns=["from", "to", "USD bn", "kinds", "periods", "flows", "evidence"]
    )


def _fmt(col: str, value: Any) -> str:
    if value is None:
        return "—"
    if col in ("evidence", "ev"):
        return Evidence(value).symbol
    if isinstance(value, float | np.floating):
        return f"{value:,.3f}" if abs(value) < 1 else f"{value:,.1f}"
    return str(value)
