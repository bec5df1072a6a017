"""Benchmark of the scenario engine (prints figures; not a test).

1. Propagation of one scenario (a hub supplier loses 30% for a quarter, recovers over two) over
   8 quarters on a synthetic scale-free supply network of 100,000 companies / 1,000,000 edges.
   Target: under 1 s on 2 cores.
2. 10,000 Monte Carlo draws of ``taiwan-quake`` on the shipped atlas network. Target: under 2 s.
3. Baseline: a straightforward networkx implementation of the same propagation (per-node
   Python loops over a DiGraph), run in this script on smaller networks where it finishes;
   results are checked to agree and the speed ratio is printed.
4. Memory: tracemalloc peak of the propagation and process RSS (psutil).

Run: ``.venv/bin/python benchmarks/bench_scenarios.py [--quick]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

from stackatlas.scenarios.network import SupplyNetwork
from stackatlas.scenarios.params import model_config
from stackatlas.scenarios.propagate import ModelValues, propagate
from stackatlas.scenarios.run import model_values

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo: tests/ has the baseline
from tests.scenarios.networkx_reference import (
    QUARTERS,
    hub_shock,
    networkx_propagation,
    scale_free_network,
)


def engine(net: SupplyNetwork, values: ModelValues, supply: np.ndarray) -> np.ndarray:
    zeros = np.zeros_like(supply)
    return propagate(net, supply, zeros, zeros, values).output_loss[:, :, 0]


CPU: list[float] = []  # CPU seconds of the last timed() call (median), for loaded machines


def timed(func: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall-clock seconds over ``repeat`` runs (CPU seconds go to ``CPU``)."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = func()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    CPU[:] = [statistics.median(cpu)]
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes (smoke run)")
    args = parser.parse_args()
    import psutil

    model = model_config()
    values = model_values({k: p.default for k, p in model.params.items()})
    big_nodes, big_edges = (10_000, 100_000) if args.quick else (100_000, 1_000_000)

    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"{psutil.cpu_count()} cores, load average {psutil.getloadavg()[0]:.1f} "
        "(wall-clock figures include other processes' load; CPU seconds do not)"
    )
    start = time.perf_counter()
    net = scale_free_network(big_nodes, big_edges)
    built = time.perf_counter() - start
    start = time.perf_counter()
    _ = net.pairs, net.R
    operators = time.perf_counter() - start
    degree = np.bincount(net.supplier, minlength=net.n_nodes)
    print(
        f"\n[1] scale-free network: {net.n_nodes:,} companies, {net.n_edges:,} edges, "
        f"max supplier degree {degree.max():,}, median {int(np.median(degree))} "
        f"(generated {built:.2f} s, sparse operators {operators:.2f} s)"
    )
    supply = hub_shock(net)
    seconds, out = timed(lambda: engine(net, values, supply), 5)
    cpu_seconds = CPU[0]
    tracemalloc.start()  # a separate, untimed run: tracing slows allocation down
    engine(net, values, supply)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    reached = int((out.max(axis=0) > 0).sum())
    print(
        f"    propagation, 8 quarters: {seconds:.3f} s wall, {cpu_seconds:.3f} s CPU (median "
        f"of 5; target < 1 s); "
        f"{reached:,} companies affected; peak traced memory {peak / 2**20:.0f} MiB; "
        f"process RSS {psutil.Process().memory_info().rss / 2**20:.0f} MiB"
    )

    from stackatlas.atlas.loader import load_atlas
    from stackatlas.scenarios import build_network, run_scenario
    from stackatlas.scenarios.run import simulate
    from stackatlas.scenarios.spec import load_scenario

    atlas = load_atlas()
    atlas_net = build_network(atlas)
    spec = load_scenario("taiwan-quake")
    run_scenario(spec, atlas=atlas, network=atlas_net, draws=10)  # warm caches
    seconds, result = timed(
        lambda: run_scenario(spec, atlas=atlas, network=atlas_net, draws=10_000, seed=1), 3
    )
    end_to_end_cpu = CPU[0]
    from stackatlas.scenarios.montecarlo import apply_overrides, draw_values

    params = spec.all_params()
    fixed, dists = apply_overrides(params, None)
    mc_values = draw_values(params, fixed, dists, 10_000, 1)
    engine_s, _ = timed(
        lambda: simulate(spec, atlas_net, atlas, mc_values, QUARTERS, 10_000, paths=False), 3
    )
    chips = result.layers.set_index("layer").loc["chips"]
    print(
        f"\n[2] Monte Carlo on the atlas network ({atlas_net.n_nodes} companies, "
        f"{atlas_net.n_edges} edges): 10,000 draws of taiwan-quake in {seconds:.3f} s "
        f"wall, {end_to_end_cpu:.3f} s CPU, end to end (target < 2 s; propagation alone "
        f"{engine_s:.3f} s wall, {CPU[0]:.3f} s CPU); "
        f"chips revenue at risk p5/p50/p95 = {chips['pct_p5']:.2f} / {chips['pct_p50']:.2f} / "
        f"{chips['pct_p95']:.2f} %"
    )

    run_scenario(spec, atlas=atlas, draws=10, edge_shares="draw")  # builds the bound networks
    point_s, _ = timed(lambda: run_scenario(spec, atlas=atlas, draws=10_000, seed=1), 3)
    drawn_s, drawn = timed(
        lambda: run_scenario(spec, atlas=atlas, draws=10_000, seed=1, edge_shares="draw"), 3
    )
    amd = drawn.companies.set_index("company").loc["amd"]
    print(
        f"\n[2b] the same 10,000 draws with the explicit edges' shares drawn from their ranges "
        f"(edge_shares='draw'): {drawn_s:.3f} s wall vs {point_s:.3f} s at the point shares "
        f"(baseline, same run): x{drawn_s / point_s:.2f}; AMD revenue at risk p5/p50/p95 = "
        f"{amd['pct_p5']:.2f} / {amd['pct_p50']:.2f} / {amd['pct_p95']:.2f} %"
    )

    print("\n[3] baseline: networkx implementation of the same propagation")
    sizes = [(500, 5_000), (2_000, 20_000)] if args.quick else [(1_000, 10_000), (5_000, 50_000)]
    for n_nodes, n_edges in sizes:
        small = scale_free_network(n_nodes, n_edges, seed=1)
        shock = hub_shock(small)
        fast_s, fast = timed(lambda small=small, shock=shock: engine(small, values, shock), 3)
        slow_s, slow = timed(
            lambda small=small, shock=shock: networkx_propagation(small, values, shock), 1
        )
        diff = float(np.max(np.abs(np.asarray(slow) - np.asarray(fast))))
        print(
            f"    {small.n_nodes:>6,} companies {small.n_edges:>8,} edges: stackatlas "
            f"{fast_s * 1000:8.1f} ms, networkx {slow_s * 1000:9.1f} ms, ratio "
            f"{slow_s / fast_s:6.0f}x, max |difference| {diff:.1e}"
        )


if __name__ == "__main__":
    main()
