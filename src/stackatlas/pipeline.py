"""The main job: atlas -> store, SEC facts sync, signal snapshot, HTML report.

``refresh`` is what ``stackatlas sync`` and ``stackatlas run`` share: after facts are ingested
it records a snapshot of every watch-list signal, so ``stackatlas signals --since last-sync``
can say what changed. ``run_main_job`` adds the report behind ``make run``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stackatlas import config
from stackatlas.atlas.atlas import Atlas
from stackatlas.errors import SecAccessError, StackAtlasError
from stackatlas.sec.cache import SecCache
from stackatlas.sec.endpoints import COMPANYFACTS_URL
from stackatlas.sec.sync import SyncReport, sync_companies
from stackatlas.store import Store


@dataclass
class RefreshResult:
    """What a refresh did: the atlas load, the SEC sync (or why it was skipped), the snapshot."""

    atlas_version: str
    atlas_loaded: bool
    sync: SyncReport | None
    sync_skipped: str | None = None  # reason the SEC step did not run
    snapshot_rows: int = 0
    segment_rows: int = 0  # segment facts ingested from inline-XBRL filings in SEC_DIR
    sync_id: str | None = None
    report_path: Path | None = None
    notes: list[str] = field(default_factory=list)
    coverage_line: str | None = None  # per-layer share resolved (``stackatlas coverage``)

    def to_dict(self) -> dict[str, Any]:
        return {
            "atlas_version": self.atlas_version,
            "atlas_loaded": self.atlas_loaded,
            "sync": self.sync.to_dict() if self.sync else None,
            "sync_skipped": self.sync_skipped,
            "sync_id": self.sync_id,
            "snapshot_rows": self.snapshot_rows,
            "segment_rows": self.segment_rows,
            "report": str(self.report_path) if self.report_path else None,
            "coverage": self.coverage_line,
            "notes": self.notes,
        }


def sec_source_unavailable(offline: bool | None = None) -> str | None:
    """Why SEC facts cannot be fetched right now, or None when a source is available."""
    offline = config.offline() if offline is None else offline
    if config.sec_dir() is not None:
        return None
    if offline:
        if not SecCache().holds_any(COMPANYFACTS_URL.format(cik10="*")):
            return "offline and the SEC cache holds no companyfacts (run `stackatlas sync` online)"
        return None  # the on-disk cache holds facts
    if config.sec_user_agent() is None:
        return (
            'no SEC source: set STACKATLAS_SEC_USER_AGENT="Name email@domain" to fetch from '
            "SEC EDGAR, or STACKATLAS_SEC_DIR to read companyfacts files"
        )
    return None


def refresh(
    atlas: Atlas,
    store: Store,
    *,
    companies: str | Sequence[str] = "all",
    offline: bool | None = None,
    progress: bool = True,
    skip_unavailable: bool = False,
    deadline: float | None = None,
) -> RefreshResult:
    """Load the atlas into the store, sync SEC facts, then snapshot the signals.

    With ``skip_unavailable`` a missing SEC identity skips the sync with a stated reason
    instead of raising (what ``make run`` wants on a machine with no configuration).
    ``deadline``: seconds the SEC sync may spend fetching (see ``sync_companies``).
    """
    loaded = store.ensure_atlas(atlas)
    result = RefreshResult(atlas.version, loaded, sync=None)
    reason = sec_source_unavailable(offline)
    if reason and skip_unavailable:
        result.sync_skipped = reason
    else:
        try:
            result.sync = sync_companies(
                atlas, companies, offline=offline, store=store, progress=progress, deadline=deadline
            )
        except SecAccessError as exc:
            if not skip_unavailable:
                raise
            result.sync_skipped = str(exc)
    if result.sync is not None:
        result.segment_rows = _ingest_filings(store, atlas, result.notes)
    ingested = result.sync is not None and any(
        r.status in {"fetched", "cached", "local"} for r in result.sync.rows
    )
    if ingested:
        # only a sync that stored facts becomes the baseline for `signals --since last-sync`
        result.sync_id = f"sync@{datetime.now(UTC):%Y-%m-%dT%H:%M:%S}"
        store.set_meta("last_sync_id", result.sync_id)
    elif result.sync is not None:
        result.notes.append(
            "no company's facts were stored; the signal snapshot is not marked as a sync"
        )
    from stackatlas.analysis.signal_history import record_snapshot

    result.snapshot_rows = len(record_snapshot(store, atlas, sync_id=result.sync_id))
    return result


def _ingest_filings(store: Store, atlas: Atlas, notes: list[str]) -> int:
    """Segment facts of every inline-XBRL filing in ``$STACKATLAS_SEC_DIR/filings``."""
    from stackatlas.sec.segments import ingest_filing

    sec_dir = config.sec_dir()
    folder = sec_dir / "filings" if sec_dir else None
    if folder is None or not folder.is_dir():
        return 0
    total = 0
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".html", ".htm", ".xml"):
            continue
        try:
            total += ingest_filing(store, path, atlas=atlas)
        except StackAtlasError as exc:
            notes.append(f"filing {path.name} skipped: {exc}")
    return total


def _coverage_line(atlas: Atlas, store: Store) -> str:
    """The per-layer coverage line of the latest calendar year (or why there is none)."""
    from stackatlas.analysis.coverage_result import coverage

    try:
        return coverage(atlas, store=store).line()
    except StackAtlasError as exc:
        return f"coverage: {exc}"


def run_main_job(
    atlas: Atlas, *, report_path: Path | None, store: Store | None = None, progress: bool = True
) -> RefreshResult:
    """``make run``: refresh (sync skipped with a reason when no SEC source is configured)
    and write the self-contained HTML report to ``report_path`` (None: no report)."""
    own = store is None
    store = store if store is not None else Store()
    try:
        result = refresh(atlas, store, progress=progress, skip_unavailable=True)
        result.coverage_line = _coverage_line(atlas, store)
        if report_path is not None:
            from stackatlas.web.report import build_report

            result.report_path = build_report(report_path, atlas=atlas, store=store)
        return result
    finally:
        if own:
            store.close()
