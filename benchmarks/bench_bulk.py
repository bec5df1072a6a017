"""Bulk ingestion benchmark: a synthetic SEC ``companyfacts.zip`` of N companies.

The archive is generated from the shared companyfacts files (``../shared/data/sec``), cycling
through them with renumbered CIKs (900000001, 900000002, ...), deflate level 1. It is then
ingested with ``stackatlas.sec.bulk.ingest_bulk`` into a fresh store on all cores.
Prints wall time, facts/s, MB/s (uncompressed JSON) and peak RSS of this process plus its
children (sampled every 50 ms with psutil). Baseline in the same run: the same members parsed
serially in-process without storing (parse-only, one core). Targets (issue 3): 2,000 companies
in under 2 minutes on 2 cores, peak RSS under 2 GB.

Then (issue 14) the same archive with ``sec bulk --engine ray``: Ray tasks on a local cluster of
all cores (start-up counted) parse members into CIK-partitioned Parquet beside a second store;
prints its time, facts/s, peak RSS (incl. Ray's processes) and the partitions' size, and checks
that both stores' ``sec_facts`` hold the same rows (count and an order-free checksum of every
column).

    .venv/bin/python benchmarks/bench_bulk.py [--companies 2000] [--workers N] [--no-ray]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import psutil

from stackatlas.sec.bulk import ingest_bulk
from stackatlas.sec.companyfacts import parse_companyfacts
from stackatlas.sec.partitions import partition_root
from stackatlas.store import Store

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sec" / "companyfacts"
_CIK = re.compile(rb'^\s*\{\s*"cik"\s*:\s*\d+')
FIRST_CIK = 900_000_001


def make_archive(path: Path, companies: int, sources: list[Path]) -> tuple[int, int]:
    """Write a synthetic companyfacts.zip; returns (members, uncompressed bytes)."""
    bodies = [f.read_bytes() for f in sources]
    total = 0
    tmp = path.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for i in range(companies):
            cik = FIRST_CIK + i
            body, n = _CIK.subn(b'{"cik": %d' % cik, bodies[i % len(bodies)], count=1)
            if n != 1:
                raise SystemExit(f"cannot renumber {sources[i % len(sources)]}")
            archive.writestr(f"CIK{cik:010d}.json", body)
            total += len(body)
    os.replace(tmp, path)
    return companies, total


class PeakRss:
    """Samples RSS of this process + all children in a background thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def checksum(store: Store) -> tuple[int, int]:
    """(rows, order-free checksum of every column) of the store's ``sec_facts``."""
    cols = (
        'cik, taxonomy, concept, unit, start, "end", value, accession, fy, fp, form, filed, frame'
    )
    [(rows, total)] = store.con.execute(
        f"SELECT count(*), sum(hash({cols}))::HUGEINT FROM sec_facts"
    ).fetchall()
    return int(rows), int(total or 0)


def run_ray(archive: Path, tmp: Path) -> tuple[object, int, float, tuple[int, int]]:
    from stackatlas.sec.bulk_ray import ingest_bulk_ray

    store = Store(tmp / "ray.duckdb")
    with PeakRss() as rss:
        report = ingest_bulk_ray(archive, store=store, progress=False)
    root = partition_root(store)
    parts_mb = sum(f.stat().st_size for f in root.rglob("*.parquet")) / 1e6
    total = checksum(store)
    store.close()
    return report, rss.peak, parts_mb, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--baseline-members",
        type=int,
        default=50,
        help="members parsed serially for the parse-only baseline",
    )
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray engine run")
    args = parser.parse_args()
    sources = sorted(SHARED.glob("CIK*.json"))
    if not sources:
        sys.exit(f"shared companyfacts files not found in {SHARED}")

    with tempfile.TemporaryDirectory(prefix="stackatlas-bulk-") as tmp_dir:
        tmp = Path(tmp_dir)
        archive = tmp / "companyfacts.zip"
        t0 = time.perf_counter()
        members, raw_bytes = make_archive(archive, args.companies, sources)
        print(
            f"archive: {members:,} members, {raw_bytes / 1e6:,.0f} MB JSON, "
            f"{archive.stat().st_size / 1e6:,.0f} MB zipped (built in "
            f"{time.perf_counter() - t0:.1f} s, not timed)"
        )

        # Baseline: serial parse-only of the first members, scaled per member.
        with zipfile.ZipFile(archive) as zf:
            names = sorted(zf.namelist())[: args.baseline_members]
            t0 = time.perf_counter()
            base_facts = sum(parse_companyfacts(zf.read(n), origin=n).num_rows for n in names)
            base_s = time.perf_counter() - t0
        base_rate = base_facts / base_s

        store = Store(tmp / "bench.duckdb")
        store.con.execute("SET memory_limit = '1GB'")  # as `stackatlas sec bulk` does
        with PeakRss() as rss:
            report = ingest_bulk(archive, store=store, workers=args.workers, progress=False)
        local_sum = checksum(store)
        store.close()
        db_mb = (tmp / "bench.duckdb").stat().st_size / 1e6
        ray_run = None if args.no_ray else run_ray(archive, tmp)

    rate = report.facts / report.seconds
    print(
        f"bulk ingest ({args.workers} workers, {os.cpu_count()} cores): "
        f"{report.ingested:,} companies, {report.facts:,} facts in {report.seconds:.1f} s"
    )
    print(
        f"  {rate:,.0f} facts/s, {raw_bytes / 1e6 / report.seconds:,.1f} MB/s of JSON, "
        f"peak RSS (incl. workers) {rss.peak / 2**20:,.0f} MiB, store file {db_mb:,.0f} MB"
    )
    print(f"  failures: {len(report.failures)}")
    print(
        f"baseline (serial parse only, no store, {len(names)} members): "
        f"{base_rate:,.0f} facts/s -> bulk/baseline = {rate / base_rate:.2f}x"
    )
    if ray_run is not None:
        ray_report, ray_rss, parts_mb, ray_sum = ray_run
        ray_rate = ray_report.facts / ray_report.seconds
        print(
            f"bulk ingest, --engine ray (local cluster, {os.cpu_count()} CPUs, start-up counted): "
            f"{ray_report.ingested:,} companies, {ray_report.facts:,} facts in "
            f"{ray_report.seconds:.1f} s"
        )
        print(
            f"  {ray_rate:,.0f} facts/s, {raw_bytes / 1e6 / ray_report.seconds:,.1f} MB/s of JSON, "
            f"peak RSS (incl. Ray) {ray_rss / 2**20:,.0f} MiB, partitions {parts_mb:,.0f} MB"
        )
        print(
            f"  ray / local throughput = {ray_rate / rate:.2f}x; same rows as the local engine: "
            f"{'yes' if ray_sum == local_sum else 'NO'} ({ray_sum[0]:,} rows, checksum "
            f"{ray_sum[1]})"
        )
    ok_time, ok_mem = report.seconds < 120, rss.peak < 2 * 2**30
    print(
        f"targets: < 120 s {'PASS' if ok_time else 'FAIL'}, "
        f"< 2 GB peak RSS {'PASS' if ok_mem else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
