"""Bound what one answer echoes back: an upload of 80,000 unknown tickers is summarised, not
returned row by row (the rows still count in every total and weight)."""

from __future__ import annotations

from typing import Any

LIST_LIMITS = {"holdings": 500, "unknown": 50, "unknown_in_funds": 50, "notes": 50}
"""Rows kept per list of a portfolio answer; longer lists are cut and counted in ``truncated``."""


def summarise_portfolio(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` (``PortfolioReport.to_dict()``) with each long list cut to its limit: the
    largest holdings by weight (shown in file order), the first unknown tickers and notes.
    ``truncated`` maps each cut list to its full length."""
    out = dict(payload)
    truncated: dict[str, int] = {}
    for key, limit in LIST_LIMITS.items():
        items = payload.get(key) or []
        if len(items) <= limit:
            continue
        truncated[key] = len(items)
        if key == "holdings":
            largest = sorted(items, key=lambda h: -(h.get("weight") or 0.0))[:limit]
            out[key] = sorted(largest, key=lambda h: h.get("line") or 0)
        else:
            out[key] = items[:limit]
    if "notes" in truncated:
        out["notes"] = [
            *out["notes"],
            f"... and {truncated['notes'] - LIST_LIMITS['notes']:,} more notes",
        ]
    out["truncated"] = truncated
    return out
