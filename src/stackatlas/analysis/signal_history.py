"""Signal history: snapshots in the store's ``metric_snapshots`` table and change reports.

One snapshot = every signal's reading at one moment, tagged with a sync id (the SEC sync it
reflects). Re-recording the same sync id replaces that snapshot in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.table import Table
from rich.text import Text

from stackatlas.atlas.atlas import Atlas
from stackatlas.display import fmt_money, fmt_num, fmt_pct, is_missing
from stackatlas.errors import ValidationError
from stackatlas.notebook import Tabular
from stackatlas.resolver.periods import period_label

if TYPE_CHECKING:
    from stackatlas.store import Store

TABLE = "metric_snapshots"
SYNC_META_KEYS = ("last_sync_id", "sec_last_sync_id", "last_sync")


def current_sync_id(store: Store) -> str | None:
    """The id of the store's latest SEC sync: a sync id in the store meta if a sync recorded
    one, else ``sec@<time>`` of the latest successful fetch in ``sec_sync_log``."""
    for key in SYNC_META_KEYS:
        value = store.get_meta(key)
        if value:
            return value
    if store.has_table("sec_sync_log"):
        last = store.query("SELECT max(fetched_at) AS t FROM sec_sync_log WHERE status = 'ok'")[
            "t"
        ].iloc[0]
        if last is not None and not pd.isna(last):
            return f"sec@{pd.Timestamp(last).isoformat(timespec='seconds')}"
    return None


def record_snapshot(
    store: Store,
    atlas: Atlas,
    *,
    sync_id: str | None = None,
    taken_at: datetime | None = None,
    file: Path | None = None,
    definitions: list | None = None,
) -> pd.DataFrame:
    """Evaluate every signal and store the readings; returns the rows written."""
    from stackatlas.analysis.signals import evaluate

    taken = taken_at or datetime.now(UTC)
    sync = sync_id or current_sync_id(store) or f"manual-{taken:%Y%m%dT%H%M%S}"
    rows = evaluate(atlas, store=store, definitions=definitions, file=file)
    snap = pd.DataFrame(
        {
            "taken_at": pd.Series([taken.replace(tzinfo=None)] * len(rows), dtype="datetime64[us]"),
            "sync_id": sync,
            "signal_id": rows["id"],
            "period": rows["period"].astype(str),
            "value": pd.Series(
                [None if v is None else float(v) for v in rows["value"]], dtype="float64"
            ),
            "status": rows["status"],
            "evidence": rows["evidence"],
            "atlas_version": atlas.version,
        }
    )
    store.replace_rows(TABLE, snap, where="sync_id = ?", params=[sync])
    return snap


def baseline_snapshot(store: Store, since: str) -> pd.DataFrame | None:
    """The snapshot to compare with: ``last-sync`` = the latest snapshot of a sync other than
    the current one; an ISO date = the latest snapshot taken on or before that day."""
    if not store.has_table(TABLE):
        return None
    snaps = store.query(f"SELECT * FROM {TABLE} ORDER BY taken_at")
    if since == "last-sync":
        current = current_sync_id(store)
        candidates = snaps[snaps["sync_id"] != current] if current else snaps
    else:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            raise ValidationError(
                f"--since must be 'last-sync' or a date YYYY-MM-DD, not {since!r}"
            ) from None
        limit = pd.Timestamp(day + timedelta(days=1))
        candidates = snaps[pd.to_datetime(snaps["taken_at"]) < limit]
    if candidates.empty:
        return None
    last = candidates.iloc[-1]
    return snaps[snaps["sync_id"] == last["sync_id"]].reset_index(drop=True)


@dataclass
class SignalReport(Tabular):
    """Signal readings, and what changed since a baseline snapshot (if one was asked for)."""

    rows: pd.DataFrame
    since: str | None = None
    baseline_sync: str | None = None
    baseline_taken_at: str | None = None

    @classmethod
    def build(
        cls, rows: pd.DataFrame, base: pd.DataFrame | None, since: str | None
    ) -> SignalReport:
        rows = rows.copy()
        rows["since_value"] = None
        rows["since_status"] = None
        rows["changed"] = None
        if base is None or base.empty:
            return cls(rows, since)
        old = base.set_index("signal_id")
        for i, r in rows.iterrows():
            if r["id"] not in old.index:
                rows.at[i, "changed"] = True  # a signal new since the baseline
                continue
            prev = old.loc[r["id"]]
            value = None if pd.isna(prev["value"]) else float(prev["value"])
            rows.at[i, "since_value"] = value
            rows.at[i, "since_status"] = prev["status"]
            rows.at[i, "changed"] = bool(prev["status"] != r["status"] or _moved(value, r["value"]))
        taken = pd.Timestamp(base["taken_at"].iloc[0]).isoformat()
        return cls(rows, since, str(base["sync_id"].iloc[0]), taken)

    def to_dict(self) -> dict:
        clean = self.rows.astype(object).where(self.rows.notna(), None)
        return {
            "since": self.since,
            "baseline_sync": self.baseline_sync,
            "baseline_taken_at": self.baseline_taken_at,
            "signals": clean.to_dict(orient="records"),
        }

    def __rich__(self) -> Table:
        title = "Signals"
        if self.since:
            title += (
                f" — changes since {self.baseline_sync} ({self.baseline_taken_at})"
                if self.baseline_sync
                else f" — no snapshot for --since {self.since}"
            )
        table = Table(title=title)
        cols = ["", "signal", "period", "value", "previous", "watch/alert", "status", "note"]
        if self.since:
            cols.insert(7, "since")
        for col in cols:
            table.add_column(col, overflow="fold", no_wrap=col in ("", "period", "value", "status"))
        colors = {"ok": "green", "watch": "yellow", "alert": "bold red", "unresolved": "dim"}
        for r in self.rows.itertuples():
            since = (
                ""
                if r.since_status is None and r.changed is None
                else (
                    f"{_fmt(r.since_value, r.unit)} ({r.since_status})"
                    + (" [changed]" if r.changed else "")
                )
            )
            cells = [
                r.symbol,
                r.id,
                period_label(r.period),
                _fmt(r.value, r.unit),
                _fmt(r.previous, r.unit)
                + (f" ({period_label(r.previous_period)})" if r.previous_period else ""),
                f"{_fmt(r.watch, r.unit)} / {_fmt(r.alert, r.unit)}",
                Text(str(r.status), style=colors.get(r.status, "")),
                r.note,
            ]
            if self.since:
                cells.insert(7, since)
            # plain text: '[changed]' and user-written ids / notes are data, not rich markup
            table.add_row(*(c if isinstance(c, Text) else Text(str(c or "")) for c in cells))
        return table


def _moved(old: float | None, new: Any) -> bool:
    if old is None or new is None or pd.isna(new):
        return (old is None) != (new is None or pd.isna(new))
    return abs(float(new) - old) > 1e-9 * max(1.0, abs(old))


def _fmt(v: Any, unit: str) -> str:
    """A reading in its unit; the dash when missing."""
    if unit == "ratio":
        return fmt_pct(v, 1)
    if unit == "points":
        return fmt_num(v, ".1f") + ("" if is_missing(v) else " pts")
    if unit == "usd_billion":
        return fmt_money(v, 1, suffix="B")
    return fmt_num(v)
