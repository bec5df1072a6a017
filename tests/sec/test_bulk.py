"""Bulk archive ingestion on a small synthetic companyfacts.zip built in the test."""

from __future__ import annotations

import zipfile
from pathlib import Path

import orjson
import pytest

from stackatlas.errors import DataUnavailableError, ValidationError
from stackatlas.sec import facts_store
from stackatlas.sec.bulk import BulkReport, ingest_bulk
from stackatlas.store import Store


@pytest.fixture
def archive(tmp_path: Path, fixtures: Path) -> Path:
    """Five good companies (the 6-fact fixture renumbered), one truncated member, one member
    whose document names another CIK, and a non-companyfacts entry."""
    doc = orjson.loads((fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes())
    path = tmp_path / "companyfacts.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for cik in (101, 102, 103, 104, 105):
            zf.writestr(f"CIK{cik:010d}.json", orjson.dumps({**doc, "cik": cik}))
        zf.writestr("CIK0000000106.json", orjson.dumps({**doc, "cik": 106})[:300])
        zf.writestr("CIK0000000107.json", orjson.dumps({**doc, "cik": 999}))
        zf.writestr("README.txt", b"not a member")
    return path


def failures(report: BulkReport) -> dict[str, str]:
    return dict(report.failures)


@pytest.mark.parametrize("workers", [0, 2])
def test_ingests_good_members_and_reports_bad_ones(
    archive: Path, tmp_path: Path, workers: int
) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest_bulk(archive, store=store, workers=workers, progress=False)
        counts = dict(
            store.con.execute("SELECT cik, count(*) FROM sec_facts GROUP BY cik").fetchall()
        )
        assert facts_store.ingested_ciks(store) == {101, 102, 103, 104, 105}
        log = store.query("SELECT cik, status FROM sec_sync_log WHERE status = 'failed'")
    assert counts == {cik: 6 for cik in (101, 102, 103, 104, 105)}
    assert (report.members, report.ingested, report.skipped, report.ignored) == (7, 5, 0, 1)
    assert report.facts == 30
    bad = failures(report)
    assert set(bad) == {"CIK0000000106.json", "CIK0000000107.json"}
    assert "invalid JSON" in bad["CIK0000000106.json"]
    assert "document is for CIK 999, not 107" in bad["CIK0000000107.json"]
    assert sorted(log["cik"]) == [106, 107]


def test_interrupted_run_resumes(archive: Path, tmp_path: Path) -> None:
    calls = []

    def stop_after_first_batch(report: BulkReport) -> None:
        calls.append(report.ingested)
        raise KeyboardInterrupt

    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(KeyboardInterrupt):
            # batches of >= 12 facts: two companies (2 x 6 facts) per transaction
            ingest_bulk(
                archive,
                store=store,
                workers=0,
                progress=False,
                batch_facts=12,
                on_batch=stop_after_first_batch,
            )
        assert calls == [2]
        first = facts_store.ingested_ciks(store)
        assert len(first) == 2
        report = ingest_bulk(archive, store=store, workers=0, progress=False)
        assert report.skipped == 2 and report.ingested == 3
        assert facts_store.ingested_ciks(store) == {101, 102, 103, 104, 105}
        total = store.con.execute("SELECT count(*) FROM sec_facts").fetchall()[0][0]
        assert total == 30  # nothing ingested twice
        rerun = ingest_bulk(archive, store=store, workers=0, progress=False)
    assert (rerun.skipped, rerun.ingested, len(rerun.failures)) == (5, 0, 2)


def test_missing_or_broken_archive(tmp_path: Path) -> None:
    with pytest.raises(DataUnavailableError, match="bulk archive not found"):
        ingest_bulk(tmp_path / "nope.zip", progress=False)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValidationError, match="not a readable zip archive"):
        ingest_bulk(broken, progress=False)


def test_report_renders_and_serializes(archive: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest_bulk(archive, store=store, workers=0, progress=False)
    data = report.to_dict()
    assert data["ingested"] == 5 and len(data["failures"]) == 2
    from rich.console import Console

    console = Console(record=True, width=120)
    console.print(report)
    text = console.export_text()
    assert "CIK0000000106.json" in text and "ingested" in text


def test_memory_limit_only_for_own_store(archive: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        store.con.execute("SET memory_limit = '3GB'")
        [(before,)] = store.con.execute("SELECT current_setting('memory_limit')").fetchall()
        ingest_bulk(archive, store=store, workers=0, progress=False, memory_limit="512MB")
        [(after,)] = store.con.execute("SELECT current_setting('memory_limit')").fetchall()
    assert after == before
