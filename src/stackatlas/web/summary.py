"""Bound what one answer echoes back: an upload of 80,000 unknown tickers is summarised, not
returned row by row (every row still counts in the totals, weights and figures)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

LIST_LIMITS = {"holdings": 500, "unknown": 50, "unknown_in_funds": 50, "notes": 50}
"""Rows kept per list of a portfolio answer; longer lists are cut and counted in ``truncated``."""


def portfolio_payload(report: Any) -> dict[str, Any]:
    """``report.to_dict()`` (a ``PortfolioReport``) with each long list cut before it is
    built: the largest holdings by weight (in file order), the first unknown tickers and
    notes. ``truncated`` maps each cut list to its full length."""
    truncated: dict[str, int] = {}
    holdings = report.holdings
    if len(holdings) > LIST_LIMITS["holdings"]:
        truncated["holdings"] = len(holdings)
        largest = holdings.sort_values("weight", ascending=False, na_position="last")
        holdings = largest.head(LIST_LIMITS["holdings"]).sort_values("line")
    cut: dict[str, list[Any]] = {}
    for key in ("unknown", "unknown_in_funds", "notes"):
        items = list(getattr(report, key))
        if len(items) > LIST_LIMITS[key]:
            truncated[key] = len(items)
            items = items[: LIST_LIMITS[key]]
        cut[key] = items
    if "notes" in truncated:
        more = truncated["notes"] - LIST_LIMITS["notes"]
        cut["notes"] = [*cut["notes"], f"... and {more:,} more notes"]
    payload = replace(report, holdings=holdings, **cut).to_dict()
    payload["truncated"] = truncated
    return payload
