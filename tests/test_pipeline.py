"""The main job: refresh (atlas -> store, SEC sync, filings, signal snapshot)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackatlas import load_atlas
from stackatlas.errors import SecAccessError
from stackatlas.pipeline import refresh, run_main_job
from stackatlas.store import Store


@pytest.mark.realdata
def test_refresh_from_the_shared_sec_folder(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STACKATLAS_SEC_DIR", str(shared_data / "sec"))
    atlas = load_atlas()
    with Store() as store:
        result = refresh(atlas, store, progress=False)
        # every companyfacts file in ../shared/data/sec/companyfacts that is an atlas company's
        # is read locally (the folder's contents are counted, not assumed)
        atlas_ciks = {c.cik for c in atlas.companies.values() if c.cik}
        held = {
            int(p.stem.removeprefix("CIK"))
            for p in (shared_data / "sec" / "companyfacts").glob("CIK*.json")
        }
        assert held & atlas_ciks, "the shared folder holds no atlas company"
        assert result.sync is not None and result.sync.counts["local"] == len(held & atlas_ciks)
        assert result.atlas_loaded
        assert result.segment_rows > 0
        assert result.snapshot_rows == len(
            store.query("SELECT * FROM metric_snapshots WHERE sync_id = ?", [result.sync_id])
        )
        assert store.get_meta("last_sync_id") == result.sync_id
        # NVIDIA FY2026 revenue, 215,938 $M (shared data README golden figure)
        revenue = store.query(
            "SELECT value FROM sec_facts WHERE cik = 1045810 AND concept = 'Revenues' "
            "AND \"end\" = DATE '2026-01-25' AND start = DATE '2025-01-27' "
            "ORDER BY filed DESC LIMIT 1"
        )["value"].iloc[0]
        assert revenue == 215_938_000_000
        again = refresh(atlas, store, progress=False)
        assert not again.atlas_loaded  # same atlas version: not reloaded


def test_refresh_without_sec_source_needs_an_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STACKATLAS_OFFLINE", raising=False)
    with Store() as store, pytest.raises(SecAccessError, match="STACKATLAS_SEC_USER_AGENT"):
        refresh(load_atlas(), store, progress=False)


def test_main_job_skips_the_sync_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STACKATLAS_OFFLINE", raising=False)
    result = run_main_job(load_atlas(), report_path=None, progress=False)
    assert result.sync is None
    assert "STACKATLAS_SEC_USER_AGENT" in (result.sync_skipped or "")
    assert result.snapshot_rows > 0  # atlas-only signals are still recorded
