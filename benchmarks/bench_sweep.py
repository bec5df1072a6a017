"""Scenario sweep throughput: local engine vs a Ray cluster on this machine, same sweep.

``taiwan-quake`` swept over a grid of ``capacity_loss`` x ``outage_quarters`` points with
``--draws`` Monte Carlo draws each, ``--total`` draws in all (default 1,000,000 = 100 points
x 10,000 draws; a point computes only its bands, so 1,000 draws per point run at about the same
draws/s as 10,000). Runs the local engine (one process, vectorised numpy), then the Ray engine on a
local cluster of all cores started by the sweep itself (start-up and shutdown counted in its
time; the bare ``ray.init`` + ``shutdown`` cost is measured separately and printed). Both write
their Parquet file into a temporary folder. Prints draws/s of each, the ratio Ray / local, and
checks the two tables are identical bit for bit. The machine's load average is printed before
and after: other processes on shared cores slow both runs.

    .venv/bin/python benchmarks/bench_sweep.py [--total 1000000] [--draws 10000]
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from stackatlas.atlas.loader import load_atlas
from stackatlas.scenarios.run import network_for
from stackatlas.scenarios.sweep import run_sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=1_000_000, help="draws in all")
    parser.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws per point")
    args = parser.parse_args()
    points = max(4, args.total // args.draws)
    a = max(d for d in range(2, math.isqrt(points) + 1) if points % d == 0 or d == 2)
    b = max(2, points // a)
    grid = [f"capacity_loss=0.05:0.8:{a}", f"outage_quarters=0.5:3:{b}"]
    total = a * b * args.draws
    cores = os.cpu_count() or 1
    print(
        f"sweep: taiwan-quake, grid {a} x {b} = {a * b:,} points x {args.draws:,} draws = "
        f"{total:,} draws; {cores} cores; load average before {_load()}"
    )
    atlas = load_atlas()
    network_for(atlas)  # build the network once, outside both timings
    with tempfile.TemporaryDirectory(prefix="stackatlas-sweep-") as tmp:
        runs = {}
        for engine in ("local", "ray"):
            start = time.perf_counter()
            result = run_sweep(
                "taiwan-quake",
                grid=grid,
                draws=args.draws,
                seed=1,
                atlas=atlas,
                engine=engine,
                out=Path(tmp) / f"{engine}.parquet",
            )
            seconds = time.perf_counter() - start
            runs[engine] = (seconds, result.points)
            print(f"  {engine:<6} {seconds:8.1f} s  {total / seconds:>10,.0f} draws/s")
        startup = _ray_startup(cores)
    identical = runs["local"][1].equals(runs["ray"][1])
    pd.testing.assert_frame_equal(runs["local"][1], runs["ray"][1], check_exact=True)
    ratio = runs["local"][0] / runs["ray"][0]
    print(
        f"ray / local throughput = {ratio:.2f}x (Ray time includes starting and stopping a "
        f"{cores}-CPU local cluster: bare ray.init + shutdown = {startup:.1f} s)"
    )
    print(f"results identical bit for bit: {'yes' if identical else 'NO'}")
    print(f"load average after {_load()}")


def _ray_startup(cores: int) -> float:
    import ray

    start = time.perf_counter()
    ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.shutdown()
    return time.perf_counter() - start


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
