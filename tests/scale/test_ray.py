"""The Ray engine on a local two-CPU cluster (started once for this module): sweeps give the
local engine's numbers bit for bit, bulk ingestion gives the local engine's rows."""

from __future__ import annotations

import zipfile
from pathlib import Path

import orjson
import pandas as pd
import pytest

from stackatlas.atlas.loader import load_atlas
from stackatlas.scenarios.sweep import SweepInterrupted, run_sweep
from stackatlas.sec import facts_store
from stackatlas.sec.bulk import ingest_bulk
from stackatlas.sec.bulk_ray import ingest_bulk_ray
from stackatlas.sec.partitions import partition_path, partition_root
from stackatlas.store import Store

GRID = ["capacity_loss=0.1:0.7:3", "outage_quarters=0.5:2.5:2"]


@pytest.fixture(scope="module")
def ray_cluster():
    import ray

    from stackatlas.scale.engine import start_ray

    start_ray(ray, num_cpus=2)  # retried: a loaded machine can miss Ray's 30 s raylet start
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def test_sweep_identical_on_ray_for_any_chunking(ray_cluster, atlas, tmp_path: Path) -> None:
    kwargs = {"grid": GRID, "draws": 30, "seed": 9, "atlas": atlas}
    local = run_sweep("taiwan-quake", out=tmp_path / "local.parquet", **kwargs).points
    for size in (1, 4):
        on_ray = run_sweep(
            "taiwan-quake", engine="ray", chunk_points=size, out=tmp_path / f"r{size}.parquet",
            **kwargs,
        )  # fmt: skip
        assert on_ray.engine == "ray"
        pd.testing.assert_frame_equal(local, on_ray.points, check_exact=True)


def test_sweep_ctrl_c_on_ray_keeps_chunks(ray_cluster, atlas, tmp_path: Path) -> None:
    out = tmp_path / "i.parquet"
    kwargs = {"grid": GRID, "draws": 20, "seed": 2, "atlas": atlas, "out": out}

    def stop(done: int, total: int) -> None:
        if done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted) as info:
        run_sweep("taiwan-quake", engine="ray", chunk_points=2, on_chunk=stop, **kwargs)
    assert info.value.done == 2 and len(list(info.value.parts.glob("*.parquet"))) == 1
    progress: list[int] = []
    resumed = run_sweep(
        "taiwan-quake", engine="ray", chunk_points=2, on_chunk=lambda d, t: progress.append(d),
        **kwargs,
    )  # fmt: skip
    assert progress[0] == 2 and progress[-1] == 6
    fresh = run_sweep("taiwan-quake", **{**kwargs, "out": tmp_path / "f.parquet"})
    pd.testing.assert_frame_equal(resumed.points, fresh.points, check_exact=True)


def _archive(path: Path, docs: list[tuple[int, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for cik, body in docs:
            zf.writestr(f"CIK{cik:010d}.json", body)
        zf.writestr("README.txt", b"not a member")
    return path


def _rows(store: Store) -> pd.DataFrame:
    return store.query("SELECT * FROM sec_facts ORDER BY ALL")


def test_bulk_ray_same_rows_as_local_and_resumes(
    ray_cluster, tmp_path: Path, fixtures: Path
) -> None:
    doc = orjson.loads((fixtures / "sec" / "companyfacts" / "CIK0000000101.json").read_bytes())
    docs = [(cik, orjson.dumps({**doc, "cik": cik})) for cik in range(101, 131)]
    docs.append((131, orjson.dumps({**doc, "cik": 131})[:300]))  # truncated: a failure
    archive = _archive(tmp_path / "companyfacts.zip", docs)
    with Store(tmp_path / "local.duckdb") as local:
        expected = ingest_bulk(archive, store=local, workers=0, progress=False)
        local_rows = _rows(local)
    with Store(tmp_path / "ray.duckdb") as store:
        report = ingest_bulk_ray(archive, store=store, progress=False, members_per_task=7)
        assert (report.ingested, report.facts, report.ignored) == (30, 180, 1)
        assert (expected.ingested, expected.facts) == (30, 180)
        assert [m for m, _ in report.failures] == ["CIK0000000131.json"]
        pd.testing.assert_frame_equal(_rows(store), local_rows)
        # the facts live in Parquet, not in the database, and every company is logged ok
        assert store.con.execute("SELECT count(*) FROM sec_facts_db").fetchall() == [(0,)]
        assert facts_store.ingested_ciks(store) == set(range(101, 131))
        assert facts_store.load_facts(store, 117).num_rows == 6  # existing readers unchanged
        # resume: complete partitions are skipped; a missing and a corrupt one are redone
        root = partition_root(store)
        partition_path(root, 105).unlink()
        partition_path(root, 106).write_bytes(b"PAR1 truncated")
        again = ingest_bulk_ray(archive, store=store, progress=False)
        assert (again.skipped, again.ingested, len(again.failures)) == (28, 2, 1)
        pd.testing.assert_frame_equal(_rows(store), local_rows)
        idle = ingest_bulk_ray(archive, store=store, progress=False)
        assert (idle.skipped, idle.ingested) == (30, 0)
        pd.testing.assert_frame_equal(_rows(store), local_rows)


@pytest.mark.realdata
def test_bulk_ray_real_files_same_facts(ray_cluster, tmp_path: Path, shared_data: Path) -> None:
    files = sorted((shared_data / "sec" / "companyfacts").glob("CIK*.json"))
    archive = _archive(tmp_path / "real.zip", [(int(f.stem[3:]), f.read_bytes()) for f in files])
    with Store(tmp_path / "local.duckdb") as local, Store(tmp_path / "ray.duckdb") as store:
        ingest_bulk(archive, store=local, workers=0, progress=False)
        report = ingest_bulk_ray(archive, store=store, progress=False)
        assert report.ingested == len(files) and not report.failures
        pd.testing.assert_frame_equal(_rows(store), _rows(local))
        # NVIDIA (CIK 1045810) through the view: FY2024 revenue 60,922 M USD (10-K)
        [(value,)] = store.con.execute(
            "SELECT value FROM sec_facts WHERE cik = 1045810 AND concept = 'Revenues' "
            "AND fp = 'FY' AND form = '10-K' AND \"end\" = DATE '2024-01-28' "
            "AND start = DATE '2023-01-30' LIMIT 1"
        ).fetchall()
        assert value == 60_922_000_000
